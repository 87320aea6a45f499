"""The audit trail: every state change writes one append-only row in the same transaction."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, selectinload

from .extensions import db
from .models import AuditEntry, User


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit row."""


def record(
    actor: User | None,
    obj: Any,
    action: str,
    *,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    object_type: str | None = None,
) -> AuditEntry:
    """Add an audit row for ``obj``; it is flushed and committed with the change itself."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        object_type=object_type or type(obj).__name__.lower(),
        object_id=getattr(obj, "id", None),
        action=action,
        from_state=str(getattr(from_state, "value", from_state) or ""),
        to_state=str(getattr(to_state, "value", to_state) or ""),
        note=note or "",
        request_id=(g.get("request_id", "") if has_request_context() else "") or "",
    )
    db.session.add(entry)
    return entry


def history(object_type: str, object_id: int) -> list[AuditEntry]:
    """The audit rows of one object, oldest first."""
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
            .order_by(AuditEntry.id)
            # every row shows who acted: their accounts in one statement, not one per actor
            .options(selectinload(AuditEntry.actor))
        )
    )


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("audit rows cannot be changed or deleted")


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(*_args: Any) -> None:
    raise AuditLogIsAppendOnly("audit rows cannot be changed")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(*_args: Any) -> None:
    raise AuditLogIsAppendOnly("audit rows cannot be deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_changes(state: ORMExecuteState) -> None:
    """Bulk ``update()`` / ``delete()`` statements bypass the flush events above."""
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is AuditEntry for mapper in state.all_mappers
    ):
        raise AuditLogIsAppendOnly("audit rows cannot be changed or deleted")
