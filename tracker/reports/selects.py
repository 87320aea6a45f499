"""The lists behind the figures (drill-downs): each select keeps exactly the conditions of the
figure it is opened from, so a list's length always equals its figure. Every function takes
the viewer's :class:`~tracker.permissions.Scope` and applies it inside (:mod:`.filters`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa

from ..dates import Period
from ..deadlines import AWAITING_REPLY
from ..enums import ActivityStatus, ConcernResolution, ConcernStatus, ProposalStatus, Rating
from ..extensions import db
from ..models import (
    Activity,
    ActivityKind,
    CallToAction,
    Concern,
    Delegate,
    DelegateRollup,
    Proposal,
    ProposalReply,
)
from ..permissions import Scope
from .filters import Filters, restrict, restrict_delegates


def approved_activity_select(scope: Scope, period: Period, filters: Filters) -> sa.Select:
    """The approved entries behind a figure, newest first: same conditions as the rollups."""
    stmt = sa.select(Activity).where(Activity.status == ActivityStatus.APPROVED)
    stmt = restrict(stmt, Activity, scope, period, filters)
    return stmt.order_by(Activity.occurred_on.desc(), Activity.id.desc())


def approved_in(stmt: sa.Select, scope: Scope, period: Period, filters: Filters) -> sa.Select:
    stmt = stmt.where(Activity.status == ActivityStatus.APPROVED)
    return restrict(stmt, Activity, scope, period, filters)


def active_delegate_select(scope: Scope, period: Period, filters: Filters) -> sa.Select:
    """The delegates counted by :func:`active_delegate_count`, by name."""
    ids = restrict(
        sa.select(DelegateRollup.delegate_id).where(DelegateRollup.activities > 0),
        DelegateRollup,
        scope,
        period,
        filters,
    )
    return sa.select(Delegate).where(Delegate.id.in_(ids)).order_by(Delegate.name, Delegate.id)


def inactive_delegate_select(scope: Scope, filters: Filters, today: date, days: int) -> sa.Select:
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
    stmt = restrict_delegates(stmt, scope, filters)
    return stmt.order_by(last.is_not(None), last, Delegate.name, Delegate.id)


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
    scope: Scope, period: Period, filters: Filters, call: CallToAction
) -> sa.Subquery:
    stmt = sa.select(
        DelegateRollup.delegate_id, sa.func.sum(DelegateRollup.activities).label("n")
    ).where(
        DelegateRollup.kind_id.in_(_call_kind_ids(call)),
        DelegateRollup.delegate_type == call.delegate_type,
    )
    stmt = restrict(
        stmt,
        DelegateRollup,
        scope,
        period,
        filters.but(delegate_type=None, kind_id=None, initiative_id=None, focus_area_id=None),
    )
    return stmt.group_by(DelegateRollup.delegate_id).subquery()


def delegates_without_call_select(
    scope: Scope, period: Period, filters: Filters, call: CallToAction
) -> sa.Select:
    """Delegates of the call's type with nothing under its kinds in the period."""
    per = _per_delegate_under_call(scope, period, filters, call)
    stmt = sa.select(Delegate).where(
        Delegate.delegate_type == call.delegate_type,
        Delegate.id.not_in(sa.select(per.c.delegate_id).where(per.c.n > 0)),
    )
    stmt = restrict_delegates(stmt, scope, filters, by_type=False)
    return stmt.order_by(Delegate.name, Delegate.id)


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
    stmt = restrict(stmt, Activity, scope, period, Filters())
    stmt = stmt.order_by(Activity.occurred_on, Activity.id)
    return [PointsLine(a, k, k.points) for a, k in db.session.execute(stmt)]


PROPOSAL_STAGES = ("submitted", "registered", "replied", "overdue", "rated", "satisfied")


CONCERN_STAGES = ("raised", "resolved", "unresolvable", "concluded", "fed_back")


REGISTERED_OR_LATER = (
    ProposalStatus.REGISTERED,
    ProposalStatus.ASSIGNED,
    ProposalStatus.HANDLING,
    ProposalStatus.REPLIED,
    ProposalStatus.CLOSED,
)


def proposal_period_select(
    scope: Scope, period: Period, filters: Filters, today: date, which: str = "submitted"
) -> sa.Select:
    """The proposals behind one figure of :func:`proposal_figures` (same conditions):
    ``which`` is one of PROPOSAL_STAGES, or ``status:<value>`` for a pipeline bar."""
    stmt = approved_in(
        sa.select(Proposal).join(Activity, Proposal.activity_id == Activity.id),
        scope,
        period,
        filters,
    )
    if which == "submitted":
        pass  # every proposal of the period
    elif which == "registered":
        stmt = stmt.where(Proposal.status.in_(REGISTERED_OR_LATER))
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
    scope: Scope, period: Period, filters: Filters, which: str = "raised"
) -> sa.Select:
    """The concerns behind one figure of :func:`concern_period_figures` (same conditions)."""
    stmt = approved_in(
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


def exemplary_select(scope: Scope, period: Period, filters: Filters) -> sa.Select:
    """典型案例: approved entries of the period that staff flagged as exemplary, oldest first."""
    stmt = approved_activity_select(scope, period, filters).where(Activity.exemplary.is_(True))
    return stmt.order_by(None).order_by(Activity.occurred_on, Activity.id)


def late_select(
    scope: Scope, approved_from: datetime, approved_to: datetime, filters: Filters
) -> sa.Select:
    """补录: entries approved between the two (naive UTC) instants for a month that had
    already been closed, by the date they happened."""
    stmt = sa.select(Activity).where(
        Activity.status == ActivityStatus.APPROVED,
        Activity.late.is_(True),
        Activity.approved_at >= approved_from,
        Activity.approved_at < approved_to,
    )
    stmt = restrict(stmt, Activity, scope, None, filters)
    return stmt.order_by(Activity.occurred_on, Activity.id)


def late_for_period_select(scope: Scope, period: Period, filters: Filters) -> sa.Select:
    """Entries of the period approved after it was closed (补录): the dashboard counts them in
    their month, the closed summary does not."""
    return approved_activity_select(scope, period, filters).where(Activity.late.is_(True))


def count_of(stmt: sa.Select) -> int:
    """How many rows a list select returns, counted by the database."""
    inner = stmt.order_by(None).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(inner)) or 0
