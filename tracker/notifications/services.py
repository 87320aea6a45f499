"""In-app notifications. Services add rows; the caller's transaction commits them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Notification, User, utcnow
from ..urls import path_for


def notify(
    user_id: int | None,
    kind: str,
    endpoint: str,
    *,
    subject: str = "",
    detail: str = "",
    **values: Any,
) -> None:
    """Queue a notification of ``kind`` for a user (ignored when there is no account), linking
    to the page ``endpoint`` names with ``values`` (``"proposals.detail", proposal_id=7``)."""
    if user_id is None:
        return
    link = path_for(endpoint, **values)
    db.session.add(
        Notification(user_id=user_id, kind=kind, subject=subject[:200], detail=detail, link=link)
    )


def unread_count(user: User) -> int:
    """How many notifications ``user`` has not read."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one (or every) unread notification of ``user`` read; returns how many."""
    stmt = (
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    return db.session.execute(stmt).rowcount
