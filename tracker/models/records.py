"""What the tracker keeps about itself: closed months, the audit trail, notifications."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

if TYPE_CHECKING:
    from .people import User


# --- monthly summaries ------------------------------------------------------------------------


class MonthClose(db.Model):
    """A closed month of a campaign: its summary as it stood when staff closed it.

    ``snapshot`` holds the summary of the whole city under ``"all"`` and of each delegation
    under its id, so every later view or export of the month shows the same numbers.
    """

    __table_args__ = (sa.UniqueConstraint("campaign_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    month: Mapped[date]  # first day of the month
    closed_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    activities: Mapped[int] = mapped_column(default=0)  # approved entries counted at close
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    closed_by: Mapped[User | None] = relationship()


# --- audit and notifications -----------------------------------------------------------------


class AuditEntry(db.Model):
    """One state change, written in the same transaction as the change. Append-only."""

    __table_args__ = (sa.Index("ix_audit_entry_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(sa.String(40))
    from_state: Mapped[str] = mapped_column(sa.String(40), default="")
    to_state: Mapped[str] = mapped_column(sa.String(40), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    request_id: Mapped[str] = mapped_column(sa.String(64), default="")

    actor: Mapped[User | None] = relationship()


class Notification(db.Model):
    """An in-app message to one user, with a link to what it is about."""

    __table_args__ = (sa.Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # The sentence is chosen by kind when shown, in the reader's language.
    kind: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.String(200), default="")
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(200), default="")
