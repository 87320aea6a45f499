"""Dashboard figures: every number of the committee dashboard and of the monthly summary.
Each function takes the viewer's :class:`~tracker.permissions.Scope` and applies it inside.

Counts of approved entries come from the rollup tables (tracker/activities/rollups.py), so
their cost does not grow with history; the lists behind them (:mod:`.selects`) read the
activity table with exactly the same conditions, so a list's length always equals the figure
it was opened from.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa

from ..database import is_postgresql
from ..dates import Period, as_date
from ..deadlines import AWAITING_REPLY
from ..enums import ConcernResolution, ConcernStatus, DelegateType, ProposalStatus, Rating
from ..extensions import db
from ..models import (
    Activity,
    ActivityKind,
    ActivityRollup,
    CallToAction,
    Concern,
    Delegate,
    DelegateRollup,
    FocusRollup,
    Proposal,
    ProposalReply,
)
from ..permissions import Scope
from .filters import Filters, restrict, restrict_delegates
from .selects import (
    REGISTERED_OR_LATER,
    approved_activity_select,
    approved_in,
    count_of,
    inactive_delegate_select,
)


def _activity_source(filters: Filters) -> Any:
    """The rollup that can answer ``filters``: focus areas have their own."""
    return FocusRollup if filters.focus_area_id is not None else ActivityRollup


def approved_activity_count(scope: Scope, period: Period, filters: Filters) -> int:
    """How many entries :func:`approved_activity_select` lists (counted on the activity table)."""
    inner = (
        approved_activity_select(scope, period, filters)
        .order_by(None)
        .with_only_columns(Activity.id)
    )
    return db.session.scalar(sa.select(sa.func.count()).select_from(inner.subquery())) or 0


class ActivityTotals(NamedTuple):
    activities: int
    people_reached: int


def activity_totals(scope: Scope, period: Period, filters: Filters) -> ActivityTotals:
    """Approved entries and the people they reached."""
    if filters.focus_area_id is not None:
        stmt = restrict(
            sa.select(sa.func.sum(FocusRollup.activities)), FocusRollup, scope, period, filters
        )
        return ActivityTotals(db.session.scalar(stmt) or 0, 0)
    stmt = sa.select(
        sa.func.sum(ActivityRollup.activities), sa.func.sum(ActivityRollup.people_reached)
    )
    activities, people = db.session.execute(
        restrict(stmt, ActivityRollup, scope, period, filters)
    ).one()
    return ActivityTotals(int(activities or 0), int(people or 0))


def delegate_count(scope: Scope, filters: Filters) -> int:
    """Delegates (not retired) matching the delegation, level and type filters."""
    stmt = restrict_delegates(sa.select(sa.func.count()).select_from(Delegate), scope, filters)
    return db.session.scalar(stmt) or 0


def active_delegate_count(scope: Scope, period: Period, filters: Filters) -> int:
    """Delegates with at least one approved entry in the period (matching the filters)."""
    stmt = sa.select(sa.func.count(sa.distinct(DelegateRollup.delegate_id))).where(
        DelegateRollup.activities > 0
    )
    return db.session.scalar(restrict(stmt, DelegateRollup, scope, period, filters)) or 0


class Participation(NamedTuple):
    delegates: int
    active: int

    @property
    def rate(self) -> float | None:
        return self.active / self.delegates if self.delegates else None


def participation(scope: Scope, period: Period, filters: Filters) -> Participation:
    """Delegates, active delegates and so the participation rate."""
    return Participation(
        delegate_count(scope, filters), active_delegate_count(scope, period, filters)
    )


def activities_by_kind(scope: Scope, period: Period, filters: Filters) -> dict[int, int]:
    """kind id → approved entries."""
    model = _activity_source(filters)
    stmt = sa.select(model.kind_id, sa.func.sum(model.activities)).group_by(model.kind_id)
    return {
        k: int(n) for k, n in db.session.execute(restrict(stmt, model, scope, period, filters)) if n
    }


def monthly_trend(scope: Scope, period: Period, filters: Filters) -> dict[tuple[date, int], int]:
    """(month, kind id) → approved entries, for each month of ``period``."""
    model = _activity_source(filters)
    stmt = sa.select(model.month, model.kind_id, sa.func.sum(model.activities)).group_by(
        model.month, model.kind_id
    )
    rows = db.session.execute(restrict(stmt, model, scope, period, filters))
    return {(as_date(m), k): int(n) for m, k, n in rows if n}


def type_initiative_matrix(
    scope: Scope, period: Period, filters: Filters
) -> dict[tuple[DelegateType, int], int]:
    """(delegate type, initiative id) → approved entries: the campaign's core view."""
    model = _activity_source(filters)
    stmt = sa.select(
        model.delegate_type, model.initiative_id, sa.func.sum(model.activities)
    ).group_by(model.delegate_type, model.initiative_id)
    rows = db.session.execute(restrict(stmt, model, scope, period, filters))
    return {(DelegateType(t), i): int(n) for t, i, n in rows if n}


class DelegationRow(NamedTuple):
    delegation_id: int
    delegates: int
    active: int
    activities: int

    @property
    def rate(self) -> float | None:
        return self.active / self.delegates if self.delegates else None


def by_delegation(scope: Scope, period: Period, filters: Filters) -> list[DelegationRow]:
    """Per delegation: delegates, active delegates, approved entries; ranked by participation
    rate, then active delegates, then entries."""
    model = _activity_source(filters)
    counts = dict(
        db.session.execute(
            restrict(
                sa.select(model.delegation_id, sa.func.sum(model.activities)).group_by(
                    model.delegation_id
                ),
                model,
                scope,
                period,
                filters,
            )
        ).all()
    )
    active = dict(
        db.session.execute(
            restrict(
                sa.select(
                    DelegateRollup.delegation_id,
                    sa.func.count(sa.distinct(DelegateRollup.delegate_id)),
                )
                .where(DelegateRollup.activities > 0)
                .group_by(DelegateRollup.delegation_id),
                DelegateRollup,
                scope,
                period,
                filters.but(focus_area_id=None),
            )
        ).all()
    )
    stmt = restrict_delegates(sa.select(Delegate.delegation_id, sa.func.count()), scope, filters)
    delegates = dict(db.session.execute(stmt.group_by(Delegate.delegation_id)).all())
    rows = [
        DelegationRow(d, delegates.get(d, 0), active.get(d, 0), int(counts.get(d) or 0))
        for d in set(delegates) | set(counts)
    ]
    return sorted(rows, key=lambda r: (-(r.rate or 0), -r.active, -r.activities, r.delegation_id))


def by_focus_area(scope: Scope, period: Period, filters: Filters) -> dict[int, int]:
    """focus area id → approved entries tagged with it (an entry may carry several areas)."""
    stmt = sa.select(FocusRollup.focus_area_id, sa.func.sum(FocusRollup.activities)).group_by(
        FocusRollup.focus_area_id
    )
    rows = db.session.execute(restrict(stmt, FocusRollup, scope, period, filters))
    return {f: int(n) for f, n in rows if n}


def _of_approved_entries(column: Any, scope: Scope, period: Period, filters: Filters) -> Any:
    """``column`` (an activity id) is one of the period's approved entries.

    PostgreSQL is handed the ids as an array so it looks each one up by index, instead of
    joining the month against every concern or proposal ever recorded; SQLite does that
    with a plain IN.
    """
    ids = approved_in(sa.select(Activity.id), scope, period, filters).scalar_subquery()
    if is_postgresql():
        return column == sa.any_(sa.func.array(ids))
    return column.in_(ids)


class ProposalFigures(NamedTuple):
    submitted: int
    registered: int  # registered and beyond
    replied: int  # replied, rated or closed
    overdue: int
    satisfied: int
    basically_satisfied: int
    unsatisfied: int
    by_status: dict[ProposalStatus, int]

    @property
    def rated(self) -> int:
        return self.satisfied + self.basically_satisfied + self.unsatisfied

    @property
    def satisfaction_rate(self) -> float | None:
        """(满意 + 基本满意) ÷ rated."""
        return (self.satisfied + self.basically_satisfied) / self.rated if self.rated else None


def proposal_figures(
    scope: Scope, period: Period, filters: Filters, today: date
) -> ProposalFigures:
    """Proposals logged in the period (approved entries): how far their handling got."""
    # One grouped statement over the period's proposals: status × rating, with the overdue and
    # replied counts alongside.
    has_reply = sa.exists().where(ProposalReply.proposal_id == Proposal.id)
    overdue = sa.and_(Proposal.status.in_(AWAITING_REPLY), Proposal.due_on < today)
    stmt = sa.select(
        Proposal.status,
        Proposal.rating,
        sa.func.count(),
        sa.func.count().filter(overdue),
        sa.func.count().filter(has_reply),
    ).where(_of_approved_entries(Proposal.activity_id, scope, period, filters))
    rows = db.session.execute(stmt.group_by(Proposal.status, Proposal.rating)).all()
    by_status: dict[ProposalStatus, int] = {}
    ratings: dict[Rating, int] = {}
    overdue_n = replied = 0
    for status, rating, n, n_overdue, n_replied in rows:
        by_status[ProposalStatus(status)] = by_status.get(ProposalStatus(status), 0) + n
        if rating is not None:
            ratings[Rating(rating)] = ratings.get(Rating(rating), 0) + n
        overdue_n += n_overdue
        replied += n_replied
    return ProposalFigures(
        submitted=sum(by_status.values()),
        registered=sum(by_status.get(s, 0) for s in REGISTERED_OR_LATER),
        replied=replied,
        overdue=overdue_n,
        satisfied=ratings.get(Rating.SATISFIED, 0),
        basically_satisfied=ratings.get(Rating.BASICALLY_SATISFIED, 0),
        unsatisfied=ratings.get(Rating.UNSATISFIED, 0),
        by_status=by_status,
    )


class ConcernPeriodFigures(NamedTuple):
    raised: int
    resolved: int
    unresolvable: int
    fed_back: int

    @property
    def resolution_rate(self) -> float | None:
        """办成率: resolved ÷ concluded (resolved + cannot be resolved)."""
        concluded = self.resolved + self.unresolvable
        return self.resolved / concluded if concluded else None


def concern_period_figures(scope: Scope, period: Period, filters: Filters) -> ConcernPeriodFigures:
    """Concerns raised on approved entries of the period, and how far they got."""
    stmt = sa.select(Concern.status, Concern.resolution, sa.func.count()).where(
        _of_approved_entries(Concern.activity_id, scope, period, filters)
    )
    rows = db.session.execute(stmt.group_by(Concern.status, Concern.resolution)).all()
    raised = sum(n for _, _, n in rows)
    resolved = sum(n for _, r, n in rows if r == ConcernResolution.RESOLVED)
    unresolvable = sum(n for _, r, n in rows if r == ConcernResolution.UNRESOLVABLE)
    fed_back = sum(n for s, _, n in rows if s == ConcernStatus.FED_BACK)
    return ConcernPeriodFigures(raised, resolved, unresolvable, fed_back)


class CallProgress(NamedTuple):
    call: CallToAction
    delegates: int  # delegates of the call's type in scope
    met: int  # with at least the expected number of entries under the call's kinds
    none: int  # with nothing under the call's kinds
    activities: int


def type_call_progress(
    scope: Scope, period: Period, filters: Filters, campaign_id: int
) -> list[CallProgress]:
    """For each delegate-type call of the letter: how many of that type answered it, and how
    many met the per-quarter expectation set in the campaign file (scaled to the period).

    Four statements whatever the number of calls: the calls, their kinds, the delegates per
    type, and one pass over the period's delegate rollup that sums each delegate's entries
    under every call at once."""
    calls = db.session.scalars(
        sa.select(CallToAction)
        .where(
            CallToAction.campaign_id == campaign_id,
            CallToAction.delegate_type.is_not(None),
            CallToAction.retired_at.is_(None),
        )
        .order_by(CallToAction.position)
    ).all()
    if not calls:
        return []
    kind_ids = dict(
        db.session.execute(
            sa.select(ActivityKind.code, ActivityKind.id).where(
                ActivityKind.campaign_id == campaign_id
            )
        ).all()
    )
    by_type = dict(
        db.session.execute(
            restrict_delegates(
                sa.select(Delegate.delegate_type, sa.func.count()).select_from(Delegate),
                scope,
                filters,
                by_type=False,
            ).group_by(Delegate.delegate_type)
        ).all()
    )
    conditions = [
        sa.and_(
            DelegateRollup.kind_id.in_(
                [kind_ids[c] for c in call.kind_codes or [] if c in kind_ids]
            ),
            DelegateRollup.delegate_type == call.delegate_type,
        )
        for call in calls
    ]
    per = (
        restrict(
            sa.select(
                DelegateRollup.delegate_id,
                *(
                    sa.func.coalesce(
                        sa.func.sum(DelegateRollup.activities).filter(condition), 0
                    ).label(f"n{i}")
                    for i, condition in enumerate(conditions)
                ),
            ).where(sa.or_(*conditions)),
            DelegateRollup,
            scope,
            period,
            filters.but(delegate_type=None, kind_id=None, initiative_id=None, focus_area_id=None),
        )
        .group_by(DelegateRollup.delegate_id)
        .subquery()
    )
    columns = []
    for i, call in enumerate(calls):
        n = per.c[f"n{i}"]
        columns += [
            sa.func.count().filter(n > 0),
            sa.func.count().filter(n >= expected_for(call, period)),
            sa.func.coalesce(sa.func.sum(n), 0),
        ]
    row = db.session.execute(sa.select(*columns).select_from(per)).one()
    out = []
    for i, call in enumerate(calls):
        answered, met, total = row[3 * i : 3 * i + 3]
        delegates = by_type.get(call.delegate_type, 0)
        out.append(
            CallProgress(call, delegates, met or 0, delegates - (answered or 0), int(total or 0))
        )
    return out


def expected_for(call: CallToAction, period: Period) -> int:
    """The call's per-quarter expectation over ``period`` (at least one entry)."""
    per_quarter = call.expected_per_quarter or 1
    return max(1, round(per_quarter * len(period.months) / 3))


class PointsRow(NamedTuple):
    delegate_id: int
    points: int
    activities: int


def points_ranking(
    scope: Scope, period: Period, filters: Filters, limit: int | None = None
) -> list[PointsRow]:
    """履职积分 per delegate: approved entries × their kind's points, highest first."""
    stmt = (
        sa.select(
            DelegateRollup.delegate_id,
            sa.func.sum(DelegateRollup.activities * ActivityKind.points),
            sa.func.sum(DelegateRollup.activities),
        )
        .join(ActivityKind, ActivityKind.id == DelegateRollup.kind_id)
        .group_by(DelegateRollup.delegate_id)
    )
    stmt = restrict(stmt, DelegateRollup, scope, period, filters.but(focus_area_id=None))
    stmt = stmt.order_by(
        sa.func.sum(DelegateRollup.activities * ActivityKind.points).desc(),
        DelegateRollup.delegate_id,
    )
    if limit:
        stmt = stmt.limit(limit)
    return [PointsRow(d, int(p or 0), int(n or 0)) for d, p, n in db.session.execute(stmt)]


def inactive_delegate_count(scope: Scope, filters: Filters, today: date, days: int) -> int:
    """How many delegates :func:`inactive_delegate_select` lists."""
    return count_of(inactive_delegate_select(scope, filters, today, days))


def kind_initiative_matrix(
    scope: Scope, period: Period, filters: Filters
) -> dict[tuple[int, int], ActivityTotals]:
    """(kind id, initiative id) → approved entries and the people they reached."""
    stmt = sa.select(
        ActivityRollup.kind_id,
        ActivityRollup.initiative_id,
        sa.func.sum(ActivityRollup.activities),
        sa.func.sum(ActivityRollup.people_reached),
    ).group_by(ActivityRollup.kind_id, ActivityRollup.initiative_id)
    rows = db.session.execute(restrict(stmt, ActivityRollup, scope, period, filters))
    return {(k, i): ActivityTotals(int(n or 0), int(p or 0)) for k, i, n, p in rows if n}
