"""One delegate's figures: their own page, their record (履职档案) and the list of delegates.

Entries and points come from the per-delegate rollup, so they equal the dashboard's ranking.
"""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..dates import Period
from ..enums import ActivityStatus, DelegateType
from ..extensions import db
from ..models import (
    Activity,
    ActivityKind,
    CallToAction,
    Delegate,
    DelegateRollup,
    Delegation,
    Proposal,
)
from ..permissions import Scope
from .figures import expected_for
from .filters import Filters, restrict, restrict_delegates
from .selects import approved_activity_select


class DelegateSummary(NamedTuple):
    activities: int
    people_reached: int
    points: int


def delegate_summary(
    scope: Scope, period: Period, delegate_id: int, campaign_id: int | None = None
) -> DelegateSummary:
    """One delegate's approved entries, the people they reached and their 履职积分.

    Entries and points come from DelegateRollup × the kind's points, so they equal
    :func:`points_ranking`; people reached is summed on the activity table filtered by the
    delegate (one delegate's rows are few).
    """
    filters = Filters(campaign_id=campaign_id)
    stmt = (
        sa.select(
            sa.func.sum(DelegateRollup.activities),
            sa.func.sum(DelegateRollup.activities * ActivityKind.points),
        )
        .join(ActivityKind, ActivityKind.id == DelegateRollup.kind_id)
        .where(DelegateRollup.delegate_id == delegate_id)
    )
    activities, points = db.session.execute(
        restrict(stmt, DelegateRollup, scope, period, filters)
    ).one()
    people = db.session.scalar(
        restrict(
            sa.select(sa.func.sum(Activity.people_reached)).where(
                Activity.status == ActivityStatus.APPROVED, Activity.delegate_id == delegate_id
            ),
            Activity,
            scope,
            period,
            filters,
        )
    )
    return DelegateSummary(int(activities or 0), int(people or 0), int(points or 0))


def delegate_activities_by_kind(
    scope: Scope, period: Period, delegate_id: int, campaign_id: int | None = None
) -> dict[int, int]:
    """kind id → one delegate's approved entries in the period (from DelegateRollup)."""
    stmt = (
        sa.select(DelegateRollup.kind_id, sa.func.sum(DelegateRollup.activities))
        .where(DelegateRollup.delegate_id == delegate_id)
        .group_by(DelegateRollup.kind_id)
    )
    rows = db.session.execute(
        restrict(stmt, DelegateRollup, scope, period, Filters(campaign_id=campaign_id))
    )
    return {k: int(n) for k, n in rows if n}


class DelegateCallLine(NamedTuple):
    call: CallToAction
    kinds: list[ActivityKind]
    done: int  # approved entries under the call's kinds in the period
    expected: int  # expected_for(call, period)

    @property
    def met(self) -> bool:
        return self.done >= self.expected

    @property
    def percent(self) -> int:
        """Progress for a bar, capped at 100."""
        return min(100, round(100 * self.done / self.expected)) if self.expected else 100


def delegate_call_progress(
    scope: Scope, period: Period, delegate_id: int, delegate_type: DelegateType, campaign_id: int
) -> list[DelegateCallLine]:
    """The letter's calls to one delegate type, and how far one delegate of that type got in
    ``period``: approved entries under each call's kinds (DelegateRollup, counted under the type
    they were logged as, like :func:`type_call_progress`) against :func:`expected_for`."""
    calls = db.session.scalars(
        sa.select(CallToAction)
        .where(
            CallToAction.campaign_id == campaign_id,
            CallToAction.delegate_type == delegate_type,
            CallToAction.retired_at.is_(None),
        )
        .order_by(CallToAction.position)
    ).all()
    if not calls:
        return []
    kinds = {
        k.code: k
        for k in db.session.scalars(
            sa.select(ActivityKind).where(ActivityKind.campaign_id == campaign_id)
        )
    }
    out = []
    for call in calls:
        answering = [kinds[code] for code in call.kind_codes or [] if code in kinds]
        stmt = sa.select(sa.func.sum(DelegateRollup.activities)).where(
            DelegateRollup.delegate_id == delegate_id,
            DelegateRollup.delegate_type == delegate_type,
            DelegateRollup.kind_id.in_([k.id for k in answering]),
        )
        done = db.session.scalar(
            restrict(stmt, DelegateRollup, scope, period, Filters(campaign_id=campaign_id))
        )
        out.append(DelegateCallLine(call, answering, int(done or 0), expected_for(call, period)))
    return out


def delegate_entries_select(
    scope: Scope, period: Period, delegate_id: int, campaign_id: int | None = None
) -> sa.Select:
    """One delegate's approved entries in the period, oldest first, with what a record shows
    (kind, initiative, concerns, proposal and its handling) loaded up front."""

    stmt = approved_activity_select(scope, period, Filters(campaign_id=campaign_id))
    return (
        stmt.where(Activity.delegate_id == delegate_id)
        .order_by(None)
        .order_by(Activity.occurred_on, Activity.id)
        .options(
            selectinload(Activity.kind),
            selectinload(Activity.initiative),
            selectinload(Activity.concerns),
            selectinload(Activity.proposal).selectinload(Proposal.label),
            selectinload(Activity.proposal).selectinload(Proposal.lead_handler),
            selectinload(Activity.proposal).selectinload(Proposal.replies),
        )
    )


def delegate_list_select(scope: Scope, filters: Filters, name: str | None = None) -> sa.Select:
    """Delegates (not retired) in ``scope`` matching the delegation, level and type filters and
    a name search, by delegation then name."""

    stmt = restrict_delegates(
        sa.select(Delegate).join(Delegation, Delegation.id == Delegate.delegation_id),
        scope,
        filters,
    )
    if name:
        stmt = stmt.where(Delegate.name.contains(name, autoescape=True))
    return stmt.order_by(Delegation.position, Delegate.name, Delegate.id).options(
        selectinload(Delegate.delegation), selectinload(Delegate.station)
    )


def approved_counts_by_delegate(
    scope: Scope, period: Period, delegate_ids: list[int], campaign_id: int | None = None
) -> dict[int, int]:
    """delegate id → approved entries in the period, for a page of delegates: one grouped
    query over DelegateRollup, however many delegates the page shows."""
    if not delegate_ids:
        return {}
    stmt = (
        sa.select(DelegateRollup.delegate_id, sa.func.sum(DelegateRollup.activities))
        .where(DelegateRollup.delegate_id.in_(delegate_ids))
        .group_by(DelegateRollup.delegate_id)
    )
    rows = db.session.execute(
        restrict(stmt, DelegateRollup, scope, period, Filters(campaign_id=campaign_id))
    )
    return {d: int(n) for d, n in rows if n}
