"""Read-only queries shared by lists, dashboards and exports.

Every function takes the viewer's :class:`~tracker.permissions.Scope` and applies it
inside, so a figure and the list behind it can never disagree about who sees what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..enums import ActivityStatus
from ..extensions import db
from ..models import Activity, ActivityKind, CallToAction, Delegate, Initiative
from ..permissions import Scope
from ..timeutil import month_bounds


@dataclass(frozen=True)
class ActivityFilters:
    """Filters a list of activities can take; every field is optional."""

    month: tuple[int, int] | None = None
    kind_code: str | None = None
    initiative_code: str | None = None
    call_code: str | None = None
    status: ActivityStatus | None = None
    delegation_id: int | None = None
    campaign_id: int | None = None
    exclude_drafts: bool = False


def activity_select(scope: Scope, filters: ActivityFilters) -> sa.Select:
    """The activities in ``scope`` matching ``filters``, newest first."""
    stmt = sa.select(Activity)
    stmt = scope.filter_activities(stmt)
    if filters.campaign_id is not None:
        stmt = stmt.where(Activity.campaign_id == filters.campaign_id)
    if filters.month is not None:
        start, end = month_bounds(*filters.month)
        stmt = stmt.where(Activity.occurred_on >= start, Activity.occurred_on < end)
    if filters.kind_code:
        stmt = stmt.where(
            Activity.kind_id.in_(sa.select(ActivityKind.id).where(ActivityKind.code == filters.kind_code))
        )
    if filters.initiative_code:
        stmt = stmt.where(
            Activity.initiative_id.in_(
                sa.select(Initiative.id).where(Initiative.code == filters.initiative_code)
            )
        )
    if filters.call_code:
        stmt = stmt.where(
            Activity.call_id.in_(
                sa.select(CallToAction.id).where(CallToAction.code == filters.call_code)
            )
        )
    if filters.status is not None:
        stmt = stmt.where(Activity.status == filters.status)
    elif filters.exclude_drafts:
        stmt = stmt.where(Activity.status != ActivityStatus.DRAFT)
    if filters.delegation_id is not None:
        stmt = stmt.where(Activity.delegation_id == filters.delegation_id)
    return stmt.order_by(Activity.occurred_on.desc(), Activity.id.desc())


def activity_list_select(scope: Scope, filters: ActivityFilters) -> sa.Select:
    """:func:`activity_select` with what a list row shows loaded up front (no query per row)."""
    return activity_select(scope, filters).options(
        selectinload(Activity.kind),
        selectinload(Activity.initiative),
        selectinload(Activity.delegate).selectinload(Delegate.delegation),
        selectinload(Activity.concerns),
    )


def activity_count(scope: Scope, filters: ActivityFilters) -> int:
    """How many activities :func:`activity_select` would list."""
    inner = activity_select(scope, filters).order_by(None).with_only_columns(Activity.id)
    return db.session.scalar(sa.select(sa.func.count()).select_from(inner.subquery())) or 0


def activity_counts_by_call(scope: Scope, filters: ActivityFilters) -> dict[int, int]:
    """Activities per call to action, for the campaign page's links."""
    inner = activity_select(scope, filters).order_by(None)
    sub = inner.with_only_columns(Activity.call_id).where(Activity.call_id.is_not(None)).subquery()
    rows = db.session.execute(sa.select(sub.c.call_id, sa.func.count()).group_by(sub.c.call_id))
    return {call_id: n for call_id, n in rows}


def parse_month(value: str | None) -> tuple[int, int] | None:
    """'2024-05' → (2024, 5); anything else → None."""
    if not value:
        return None
    try:
        year, month = (int(p) for p in value.split("-", 1))
        date(year, month, 1)
    except (TypeError, ValueError):
        return None
    return year, month
