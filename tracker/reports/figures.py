"""Dashboard figures: every number of the committee dashboard, its drill-downs and, later,
the monthly summaries. Each function takes the viewer's :class:`Scope` and applies it inside.

Counts of approved entries come from the rollup tables (tracker/activities/rollups.py), so their
cost does not grow with history; the drill-down lists read the activity table with exactly the
same conditions, so a list's length always equals the figure it was opened from.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa

from ..database import is_postgresql
from ..dates import Period
from ..deadlines import AWAITING_REPLY
from ..enums import (
    ActivityStatus,
    ConcernResolution,
    ConcernStatus,
    DelegateType,
    Level,
    ProposalStatus,
    Rating,
)
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
    activity_focus_area,
)
from ..permissions import Scope

# --- filters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFilters:
    """What a dashboard figure or a drill-down is restricted to; every field is optional."""

    delegation_id: int | None = None
    level: Level | None = None
    delegate_type: DelegateType | None = None
    initiative_id: int | None = None
    kind_id: int | None = None
    focus_area_id: int | None = None
    campaign_id: int | None = None

    def but(self, **changes: Any) -> DashboardFilters:
        return replace(self, **changes)


def _restrict(
    stmt: sa.Select, model: Any, scope: Scope, period: Period | None, filters: DashboardFilters
) -> sa.Select:
    """Apply scope, period and filters to a select over a rollup table or Activity."""
    if scope.everything:
        pass
    elif scope.delegate_id is not None and hasattr(model, "delegate_id"):
        stmt = stmt.where(model.delegate_id == scope.delegate_id)
    elif scope.delegation_id is not None:
        stmt = stmt.where(model.delegation_id == scope.delegation_id)
    else:
        stmt = stmt.where(sa.false())
    if period is not None:
        column = model.occurred_on if model is Activity else model.month
        stmt = stmt.where(column >= period.start, column < period.end)
    if filters.campaign_id is not None:
        stmt = stmt.where(model.campaign_id == filters.campaign_id)
    if filters.delegation_id is not None:
        stmt = stmt.where(model.delegation_id == filters.delegation_id)
    if filters.level is not None:
        stmt = stmt.where(model.level == filters.level)
    if filters.delegate_type is not None:
        stmt = stmt.where(model.delegate_type == filters.delegate_type)
    if filters.initiative_id is not None:
        stmt = stmt.where(model.initiative_id == filters.initiative_id)
    if filters.kind_id is not None:
        stmt = stmt.where(model.kind_id == filters.kind_id)
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
    return stmt


def _activity_source(filters: DashboardFilters) -> Any:
    """The rollup that can answer ``filters``: focus areas have their own."""
    return FocusRollup if filters.focus_area_id is not None else ActivityRollup


# --- the drill-down list ---------------------------------------------------------------------


def approved_activity_select(scope: Scope, period: Period, filters: DashboardFilters) -> sa.Select:
    """The approved entries behind a figure, newest first: same conditions as the rollups."""
    stmt = sa.select(Activity).where(Activity.status == ActivityStatus.APPROVED)
    stmt = _restrict(stmt, Activity, scope, period, filters)
    return stmt.order_by(Activity.occurred_on.desc(), Activity.id.desc())


def approved_activity_count(scope: Scope, period: Period, filters: DashboardFilters) -> int:
    """How many entries :func:`approved_activity_select` lists (counted on the activity table)."""
    inner = (
        approved_activity_select(scope, period, filters)
        .order_by(None)
        .with_only_columns(Activity.id)
    )
    return db.session.scalar(sa.select(sa.func.count()).select_from(inner.subquery())) or 0


# --- headline figures --------------------------------------------------------------------------


class ActivityTotals(NamedTuple):
    activities: int
    people_reached: int


def activity_totals(scope: Scope, period: Period, filters: DashboardFilters) -> ActivityTotals:
    """Approved entries and the people they reached."""
    if filters.focus_area_id is not None:
        stmt = _restrict(
            sa.select(sa.func.sum(FocusRollup.activities)), FocusRollup, scope, period, filters
        )
        return ActivityTotals(db.session.scalar(stmt) or 0, 0)
    stmt = sa.select(
        sa.func.sum(ActivityRollup.activities), sa.func.sum(ActivityRollup.people_reached)
    )
    activities, people = db.session.execute(
        _restrict(stmt, ActivityRollup, scope, period, filters)
    ).one()
    return ActivityTotals(int(activities or 0), int(people or 0))


def _restrict_delegates(
    stmt: sa.Select, scope: Scope, filters: DashboardFilters, *, by_type: bool = True
) -> sa.Select:
    """Apply the viewer's scope and the delegation, level (and type) filters to a select
    over Delegate (not retired). Delegates are filtered by who they are now."""
    stmt = stmt.where(Delegate.retired_at.is_(None))
    if scope.everything:
        pass
    elif scope.delegate_id is not None:
        stmt = stmt.where(Delegate.id == scope.delegate_id)
    elif scope.delegation_id is not None:
        stmt = stmt.where(Delegate.delegation_id == scope.delegation_id)
    else:
        stmt = stmt.where(sa.false())
    conditions = [(Delegate.delegation_id, filters.delegation_id), (Delegate.level, filters.level)]
    if by_type:
        conditions.append((Delegate.delegate_type, filters.delegate_type))
    for column, value in conditions:
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def delegate_count(scope: Scope, filters: DashboardFilters) -> int:
    """Delegates (not retired) matching the delegation, level and type filters."""
    stmt = _restrict_delegates(sa.select(sa.func.count()).select_from(Delegate), scope, filters)
    return db.session.scalar(stmt) or 0


def active_delegate_count(scope: Scope, period: Period, filters: DashboardFilters) -> int:
    """Delegates with at least one approved entry in the period (matching the filters)."""
    stmt = sa.select(sa.func.count(sa.distinct(DelegateRollup.delegate_id))).where(
        DelegateRollup.activities > 0
    )
    return db.session.scalar(_restrict(stmt, DelegateRollup, scope, period, filters)) or 0


def active_delegate_select(scope: Scope, period: Period, filters: DashboardFilters) -> sa.Select:
    """The delegates counted by :func:`active_delegate_count`, by name."""
    ids = _restrict(
        sa.select(DelegateRollup.delegate_id).where(DelegateRollup.activities > 0),
        DelegateRollup,
        scope,
        period,
        filters,
    )
    return sa.select(Delegate).where(Delegate.id.in_(ids)).order_by(Delegate.name, Delegate.id)


class Participation(NamedTuple):
    delegates: int
    active: int

    @property
    def rate(self) -> float | None:
        return self.active / self.delegates if self.delegates else None


def participation(scope: Scope, period: Period, filters: DashboardFilters) -> Participation:
    """Delegates, active delegates and so the participation rate."""
    return Participation(
        delegate_count(scope, filters), active_delegate_count(scope, period, filters)
    )


def activities_by_kind(scope: Scope, period: Period, filters: DashboardFilters) -> dict[int, int]:
    """kind id → approved entries."""
    model = _activity_source(filters)
    stmt = sa.select(model.kind_id, sa.func.sum(model.activities)).group_by(model.kind_id)
    return {
        k: int(n)
        for k, n in db.session.execute(_restrict(stmt, model, scope, period, filters))
        if n
    }


def monthly_trend(
    scope: Scope, period: Period, filters: DashboardFilters
) -> dict[tuple[date, int], int]:
    """(month, kind id) → approved entries, for each month of ``period``."""
    model = _activity_source(filters)
    stmt = sa.select(model.month, model.kind_id, sa.func.sum(model.activities)).group_by(
        model.month, model.kind_id
    )
    rows = db.session.execute(_restrict(stmt, model, scope, period, filters))
    return {(_as_date(m), k): int(n) for m, k, n in rows if n}


def type_initiative_matrix(
    scope: Scope, period: Period, filters: DashboardFilters
) -> dict[tuple[DelegateType, int], int]:
    """(delegate type, initiative id) → approved entries: the campaign's core view."""
    model = _activity_source(filters)
    stmt = sa.select(
        model.delegate_type, model.initiative_id, sa.func.sum(model.activities)
    ).group_by(model.delegate_type, model.initiative_id)
    rows = db.session.execute(_restrict(stmt, model, scope, period, filters))
    return {(DelegateType(t), i): int(n) for t, i, n in rows if n}


class DelegationRow(NamedTuple):
    delegation_id: int
    delegates: int
    active: int
    activities: int

    @property
    def rate(self) -> float | None:
        return self.active / self.delegates if self.delegates else None


def by_delegation(scope: Scope, period: Period, filters: DashboardFilters) -> list[DelegationRow]:
    """Per delegation: delegates, active delegates, approved entries; ranked by participation
    rate, then active delegates, then entries."""
    model = _activity_source(filters)
    counts = dict(
        db.session.execute(
            _restrict(
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
            _restrict(
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
    stmt = _restrict_delegates(sa.select(Delegate.delegation_id, sa.func.count()), scope, filters)
    delegates = dict(db.session.execute(stmt.group_by(Delegate.delegation_id)).all())
    rows = [
        DelegationRow(d, delegates.get(d, 0), active.get(d, 0), int(counts.get(d) or 0))
        for d in set(delegates) | set(counts)
    ]
    return sorted(rows, key=lambda r: (-(r.rate or 0), -r.active, -r.activities, r.delegation_id))


def by_focus_area(scope: Scope, period: Period, filters: DashboardFilters) -> dict[int, int]:
    """focus area id → approved entries tagged with it (an entry may carry several areas)."""
    stmt = sa.select(FocusRollup.focus_area_id, sa.func.sum(FocusRollup.activities)).group_by(
        FocusRollup.focus_area_id
    )
    rows = db.session.execute(_restrict(stmt, FocusRollup, scope, period, filters))
    return {f: int(n) for f, n in rows if n}


# --- proposals and concerns of the period ----------------------------------------------------------


def _of_approved_entries(
    column: Any, scope: Scope, period: Period, filters: DashboardFilters
) -> Any:
    """``column`` (an activity id) is one of the period's approved entries.

    PostgreSQL is handed the ids as an array so it looks each one up by index, instead of
    joining the month against every concern or proposal ever recorded; SQLite does that
    with a plain IN.
    """
    ids = _approved_in(sa.select(Activity.id), scope, period, filters).scalar_subquery()
    if is_postgresql():
        return column == sa.any_(sa.func.array(ids))
    return column.in_(ids)


def _approved_in(
    stmt: sa.Select, scope: Scope, period: Period, filters: DashboardFilters
) -> sa.Select:
    stmt = stmt.where(Activity.status == ActivityStatus.APPROVED)
    return _restrict(stmt, Activity, scope, period, filters)


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
    scope: Scope, period: Period, filters: DashboardFilters, today: date
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
    beyond_registration = (
        ProposalStatus.REGISTERED,
        ProposalStatus.ASSIGNED,
        ProposalStatus.HANDLING,
        ProposalStatus.REPLIED,
        ProposalStatus.CLOSED,
    )
    return ProposalFigures(
        submitted=sum(by_status.values()),
        registered=sum(by_status.get(s, 0) for s in beyond_registration),
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


def concern_period_figures(
    scope: Scope, period: Period, filters: DashboardFilters
) -> ConcernPeriodFigures:
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


# --- delegates: inactive, targets, points -----------------------------------------------------


def inactive_delegate_select(
    scope: Scope, filters: DashboardFilters, today: date, days: int
) -> sa.Select:
    """Delegates with no approved entry dated in the ``days`` days up to ``today``, longest
    idle first. ``today`` may be a past day (a summary's last day): later entries don't count."""
    cutoff = today - timedelta(days=days)
    last = (
        sa.select(sa.func.max(Activity.occurred_on))
        .where(
            Activity.delegate_id == Delegate.id,
            Activity.status == ActivityStatus.APPROVED,
            Activity.occurred_on <= today,
        )
        .correlate(Delegate)
        .scalar_subquery()
    )
    stmt = sa.select(Delegate, last.label("last_active_on")).where(
        ~sa.exists().where(
            Activity.delegate_id == Delegate.id,
            Activity.status == ActivityStatus.APPROVED,
            Activity.occurred_on > cutoff,
            Activity.occurred_on <= today,
        ),
    )
    stmt = _restrict_delegates(stmt, scope, filters)
    return stmt.order_by(last.is_not(None), last, Delegate.name, Delegate.id)


class CallProgress(NamedTuple):
    call: CallToAction
    delegates: int  # delegates of the call's type in scope
    met: int  # with at least the expected number of entries under the call's kinds
    none: int  # with nothing under the call's kinds
    activities: int


def _call_kind_ids(call: CallToAction) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(ActivityKind.id).where(
                ActivityKind.campaign_id == call.campaign_id,
                ActivityKind.code.in_(call.kind_codes or []),
            )
        )
    )


def _per_delegate_under_call(
    scope: Scope, period: Period, filters: DashboardFilters, call: CallToAction
) -> sa.Subquery:
    stmt = sa.select(
        DelegateRollup.delegate_id, sa.func.sum(DelegateRollup.activities).label("n")
    ).where(
        DelegateRollup.kind_id.in_(_call_kind_ids(call)),
        DelegateRollup.delegate_type == call.delegate_type,
    )
    stmt = _restrict(
        stmt,
        DelegateRollup,
        scope,
        period,
        filters.but(delegate_type=None, kind_id=None, initiative_id=None, focus_area_id=None),
    )
    return stmt.group_by(DelegateRollup.delegate_id).subquery()


def type_call_progress(
    scope: Scope, period: Period, filters: DashboardFilters, campaign_id: int
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
            _restrict_delegates(
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
        _restrict(
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


def delegates_without_call_select(
    scope: Scope, period: Period, filters: DashboardFilters, call: CallToAction
) -> sa.Select:
    """Delegates of the call's type with nothing under its kinds in the period."""
    per = _per_delegate_under_call(scope, period, filters, call)
    stmt = sa.select(Delegate).where(
        Delegate.delegate_type == call.delegate_type,
        Delegate.id.not_in(sa.select(per.c.delegate_id).where(per.c.n > 0)),
    )
    stmt = _restrict_delegates(stmt, scope, filters, by_type=False)
    return stmt.order_by(Delegate.name, Delegate.id)


class PointsRow(NamedTuple):
    delegate_id: int
    points: int
    activities: int


def points_ranking(
    scope: Scope, period: Period, filters: DashboardFilters, limit: int | None = None
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
    stmt = _restrict(stmt, DelegateRollup, scope, period, filters.but(focus_area_id=None))
    stmt = stmt.order_by(
        sa.func.sum(DelegateRollup.activities * ActivityKind.points).desc(),
        DelegateRollup.delegate_id,
    )
    if limit:
        stmt = stmt.limit(limit)
    return [PointsRow(d, int(p or 0), int(n or 0)) for d, p, n in db.session.execute(stmt)]


class PointsLine(NamedTuple):
    activity: Activity
    kind: ActivityKind
    points: int


def points_lines(scope: Scope, period: Period, delegate_id: int) -> list[PointsLine]:
    """The lines that make one delegate's points: each approved entry and what it earned."""
    stmt = (
        sa.select(Activity, ActivityKind)
        .join(ActivityKind, ActivityKind.id == Activity.kind_id)
        .where(Activity.status == ActivityStatus.APPROVED, Activity.delegate_id == delegate_id)
    )
    stmt = _restrict(stmt, Activity, scope, period, DashboardFilters())
    stmt = stmt.order_by(Activity.occurred_on, Activity.id)
    return [PointsLine(a, k, k.points) for a, k in db.session.execute(stmt)]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# --- one delegate: their own page, their record, the list of delegates ----------------------------


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
    filters = DashboardFilters(campaign_id=campaign_id)
    stmt = (
        sa.select(
            sa.func.sum(DelegateRollup.activities),
            sa.func.sum(DelegateRollup.activities * ActivityKind.points),
        )
        .join(ActivityKind, ActivityKind.id == DelegateRollup.kind_id)
        .where(DelegateRollup.delegate_id == delegate_id)
    )
    activities, points = db.session.execute(
        _restrict(stmt, DelegateRollup, scope, period, filters)
    ).one()
    people = db.session.scalar(
        _restrict(
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
        _restrict(stmt, DelegateRollup, scope, period, DashboardFilters(campaign_id=campaign_id))
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
            _restrict(
                stmt, DelegateRollup, scope, period, DashboardFilters(campaign_id=campaign_id)
            )
        )
        out.append(DelegateCallLine(call, answering, int(done or 0), expected_for(call, period)))
    return out


def delegate_entries_select(
    scope: Scope, period: Period, delegate_id: int, campaign_id: int | None = None
) -> sa.Select:
    """One delegate's approved entries in the period, oldest first, with what a record shows
    (kind, initiative, concerns, proposal and its handling) loaded up front."""
    from sqlalchemy.orm import selectinload

    stmt = approved_activity_select(scope, period, DashboardFilters(campaign_id=campaign_id))
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


def delegate_list_select(
    scope: Scope, filters: DashboardFilters, name: str | None = None
) -> sa.Select:
    """Delegates (not retired) in ``scope`` matching the delegation, level and type filters and
    a name search, by delegation then name."""
    from sqlalchemy.orm import selectinload

    from ..models import Delegation

    stmt = _restrict_delegates(
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
        _restrict(stmt, DelegateRollup, scope, period, DashboardFilters(campaign_id=campaign_id))
    )
    return {d: int(n) for d, n in rows if n}


# --- lists behind the proposal, concern and inactive figures ----------------------------------------

PROPOSAL_STAGES = ("submitted", "registered", "replied", "overdue", "rated", "satisfied")
CONCERN_STAGES = ("raised", "resolved", "unresolvable", "concluded", "fed_back")
_REGISTERED_OR_LATER = (
    ProposalStatus.REGISTERED,
    ProposalStatus.ASSIGNED,
    ProposalStatus.HANDLING,
    ProposalStatus.REPLIED,
    ProposalStatus.CLOSED,
)


def proposal_period_select(
    scope: Scope, period: Period, filters: DashboardFilters, today: date, which: str = "submitted"
) -> sa.Select:
    """The proposals behind one figure of :func:`proposal_figures` (same conditions):
    ``which`` is one of PROPOSAL_STAGES, or ``status:<value>`` for a pipeline bar."""
    stmt = _approved_in(
        sa.select(Proposal).join(Activity, Proposal.activity_id == Activity.id),
        scope,
        period,
        filters,
    )
    if which == "submitted":
        pass  # every proposal of the period
    elif which == "registered":
        stmt = stmt.where(Proposal.status.in_(_REGISTERED_OR_LATER))
    elif which == "replied":
        stmt = stmt.where(sa.exists().where(ProposalReply.proposal_id == Proposal.id))
    elif which == "overdue":
        stmt = stmt.where(Proposal.status.in_(AWAITING_REPLY), Proposal.due_on < today)
    elif which == "rated":
        stmt = stmt.where(Proposal.rating.is_not(None))
    elif which == "satisfied":
        stmt = stmt.where(Proposal.rating.in_((Rating.SATISFIED, Rating.BASICALLY_SATISFIED)))
    elif which.removeprefix("status:") in ProposalStatus._value2member_map_:
        # "status:<value>": one bar of the pipeline
        stmt = stmt.where(Proposal.status == ProposalStatus(which.removeprefix("status:")))
    return stmt.order_by(Activity.occurred_on.desc(), Proposal.id.desc())


def concern_period_select(
    scope: Scope, period: Period, filters: DashboardFilters, which: str = "raised"
) -> sa.Select:
    """The concerns behind one figure of :func:`concern_period_figures` (same conditions)."""
    stmt = _approved_in(
        sa.select(Concern).join(Activity, Concern.activity_id == Activity.id),
        scope,
        period,
        filters,
    )
    if which == "resolved":
        stmt = stmt.where(Concern.resolution == ConcernResolution.RESOLVED)
    elif which == "unresolvable":
        stmt = stmt.where(Concern.resolution == ConcernResolution.UNRESOLVABLE)
    elif which == "concluded":
        stmt = stmt.where(Concern.resolution.is_not(None))
    elif which == "fed_back":
        stmt = stmt.where(Concern.status == ConcernStatus.FED_BACK)
    return stmt.order_by(Activity.occurred_on.desc(), Concern.id)


def count_of(stmt: sa.Select) -> int:
    """How many rows a list select returns, counted by the database."""
    inner = stmt.order_by(None).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(inner)) or 0


def inactive_delegate_count(scope: Scope, filters: DashboardFilters, today: date, days: int) -> int:
    """How many delegates :func:`inactive_delegate_select` lists."""
    return count_of(inactive_delegate_select(scope, filters, today, days))


# --- what only the monthly summary shows -------------------------------------------------------


def kind_initiative_matrix(
    scope: Scope, period: Period, filters: DashboardFilters
) -> dict[tuple[int, int], ActivityTotals]:
    """(kind id, initiative id) → approved entries and the people they reached."""
    stmt = sa.select(
        ActivityRollup.kind_id,
        ActivityRollup.initiative_id,
        sa.func.sum(ActivityRollup.activities),
        sa.func.sum(ActivityRollup.people_reached),
    ).group_by(ActivityRollup.kind_id, ActivityRollup.initiative_id)
    rows = db.session.execute(_restrict(stmt, ActivityRollup, scope, period, filters))
    return {(k, i): ActivityTotals(int(n or 0), int(p or 0)) for k, i, n, p in rows if n}


def exemplary_select(scope: Scope, period: Period, filters: DashboardFilters) -> sa.Select:
    """典型案例: approved entries of the period that staff flagged as exemplary, oldest first."""
    stmt = approved_activity_select(scope, period, filters).where(Activity.exemplary.is_(True))
    return stmt.order_by(None).order_by(Activity.occurred_on, Activity.id)


def late_select(
    scope: Scope, approved_from: datetime, approved_to: datetime, filters: DashboardFilters
) -> sa.Select:
    """补录: entries approved between the two (naive UTC) instants for a month that had
    already been closed, by the date they happened."""
    stmt = sa.select(Activity).where(
        Activity.status == ActivityStatus.APPROVED,
        Activity.late.is_(True),
        Activity.approved_at >= approved_from,
        Activity.approved_at < approved_to,
    )
    stmt = _restrict(stmt, Activity, scope, None, filters)
    return stmt.order_by(Activity.occurred_on, Activity.id)


def late_for_period_select(scope: Scope, period: Period, filters: DashboardFilters) -> sa.Select:
    """Entries of the period approved after it was closed (补录): the dashboard counts them in
    their month, the closed summary does not."""
    return approved_activity_select(scope, period, filters).where(Activity.late.is_(True))
