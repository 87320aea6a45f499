"""What is counted: one filter type, and the one place where the viewer's scope, a period and
the filters restrict a select.

Lists (我的履职, 履职记录, the review queue), figures, their drill-downs and the exports all
describe what they count with a :class:`Filters` and restrict their selects with
:func:`restrict`, so a figure and the list behind it cannot disagree about who sees what or
which entries a filter keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from ..dates import Period
from ..enums import ActivityStatus, DelegateType, Level
from ..extensions import db
from ..models import Activity, Delegate, Delegation, FocusRollup, activity_focus_area
from ..permissions import Scope

# Filters answered by a column of the same name on the entry or on a rollup table.
_COLUMN_FILTERS = (
    "campaign_id",
    "delegation_id",
    "level",
    "delegate_type",
    "initiative_id",
    "kind_id",
    "call_id",
)


@dataclass(frozen=True)
class Filters:
    """What a list, a figure, a drill-down or an export is restricted to; every field is
    optional. An entry is filtered by the delegation, type and level it was logged with."""

    campaign_id: int | None = None
    delegation_id: int | None = None
    level: Level | None = None
    delegate_type: DelegateType | None = None
    initiative_id: int | None = None
    kind_id: int | None = None
    focus_area_id: int | None = None
    call_id: int | None = None
    # Entries only: one status, or every status but drafts.
    status: ActivityStatus | None = None
    exclude_drafts: bool = False

    def but(self, **changes: Any) -> Filters:
        """The same filters with some changed (None drops one)."""
        return replace(self, **changes)


def restrict(
    stmt: sa.Select, model: Any, scope: Scope, period: Period | None, filters: Filters
) -> sa.Select:
    """Apply the viewer's scope, the period and the filters to a select over ``model``: the
    entries (:class:`~tracker.models.Activity`) or a rollup table.

    The entries are dated by the day they happened, rollup rows by their month. A focus area
    is answered by the entries and by the focus rollup; the other rollups have no focus area,
    and the figures that read them leave it out on purpose. A filter the model has no column
    for is an error, never silently dropped.
    """
    stmt = scope.restrict(stmt, model)
    if period is not None:
        column = model.occurred_on if model is Activity else model.month
        stmt = stmt.where(column >= period.start, column < period.end)
    for name in _COLUMN_FILTERS:
        value = getattr(filters, name)
        if value is None:
            continue
        column = getattr(model, name, None)
        if column is None:
            raise ValueError(f"{model.__name__} cannot be filtered by {name}")
        stmt = stmt.where(column == value)
    if filters.focus_area_id is not None:
        if model is FocusRollup:
            stmt = stmt.where(FocusRollup.focus_area_id == filters.focus_area_id)
        elif model is Activity:
            stmt = stmt.where(
                sa.exists().where(
                    activity_focus_area.c.activity_id == Activity.id,
                    activity_focus_area.c.focus_area_id == filters.focus_area_id,
                )
            )
    if model is Activity:
        if filters.status is not None:
            stmt = stmt.where(Activity.status == filters.status)
        elif filters.exclude_drafts:
            stmt = stmt.where(Activity.status != ActivityStatus.DRAFT)
    return stmt


def restrict_delegates(
    stmt: sa.Select, scope: Scope, filters: Filters, *, by_type: bool = True
) -> sa.Select:
    """Apply the viewer's scope and the delegation, level (and type) filters to a select over
    the delegates still serving. Delegates are filtered by who they are now."""
    stmt = scope.restrict(stmt.where(Delegate.retired_at.is_(None)), Delegate)
    conditions = [(Delegate.delegation_id, filters.delegation_id), (Delegate.level, filters.level)]
    if by_type:
        conditions.append((Delegate.delegate_type, filters.delegate_type))
    for column, value in conditions:
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


# --- the delegations a viewer picks from --------------------------------------------------------


def delegation_choices(scope: Scope) -> list[Delegation]:
    """The serving delegations a viewer may filter by, in the roster's order: every one for
    the whole city's staff; none for a delegation's staff or a delegate, whose scope already
    holds them to their own."""
    if not scope.everything:
        return []
    return list(
        db.session.scalars(
            sa.select(Delegation)
            .where(Delegation.retired_at.is_(None))
            .order_by(Delegation.position, Delegation.id)
        )
    )


def delegation_names() -> dict[int, str]:
    """Every delegation's name by id, retired ones included (history keeps its place)."""
    return dict(db.session.execute(sa.select(Delegation.id, Delegation.name)).tuples().all())
