"""Delegations as administration reads them: for the account forms, the managed lists, the
command line and the roster import. One place, so every screen orders them the same way."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import Delegation


def delegation_list(*, serving_only: bool = False, retired_last: bool = False) -> list[Delegation]:
    """Delegations in list order (position, then id): only those not retired, or all of them,
    optionally with the retired ones after the others."""
    stmt = sa.select(Delegation)
    if serving_only:
        stmt = stmt.where(Delegation.retired_at.is_(None))
    order = [Delegation.position, Delegation.id]
    if retired_last:
        order.insert(0, Delegation.retired_at.is_not(None))
    return list(db.session.scalars(stmt.order_by(*order)))


def delegations_by_id() -> dict[int, Delegation]:
    """Every delegation, retired ones too, by id."""
    return {d.id: d for d in db.session.scalars(sa.select(Delegation).order_by(Delegation.id))}


def delegation_by_code(code: str) -> Delegation | None:
    """The delegation with this code (retired or not), or None."""
    return db.session.scalar(sa.select(Delegation).where(Delegation.code == code))
