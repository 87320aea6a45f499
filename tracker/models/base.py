"""What every model shares: timestamps in UTC, enums stored as strings, retiring rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    """Naive UTC now, the form every timestamp column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def enum_column(enum_cls: type, **kwargs: Any) -> sa.Enum:
    """Store an enum as its short string value, without a database-native enum type."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        **kwargs,
    )


class RetirableMixin:
    """Rows referenced by history are retired, never deleted."""

    retired_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None
