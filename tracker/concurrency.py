"""Optimistic concurrency: an update names the version it read and fails if it moved."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from .extensions import db


class StaleObjectError(Exception):
    """Someone changed the object since it was read; nothing was written."""


def claim_version(obj: Any, expected_version: int | None) -> None:
    """Bump ``obj.version`` only if it is still ``expected_version`` (one conditional UPDATE).

    The UPDATE takes the row lock, so of two concurrent changes only the first succeeds;
    the second raises :class:`StaleObjectError` and its caller rolls back.
    """
    model = type(obj)
    result = db.session.execute(
        sa.update(model)
        .where(model.id == obj.id, model.version == (expected_version or 0))
        .values(version=model.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleObjectError(f"{model.__name__} {obj.id}")
    db.session.refresh(obj, ["version"])
