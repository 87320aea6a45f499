"""Read-only queries shared by lists, dashboards and exports.

Every function takes the viewer's :class:`~tracker.permissions.Scope` and applies it
inside, so a figure and the list behind it can never disagree about who sees what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload, selectinload

from ..dates import Period
from ..deadlines import AWAITING_REPLY, due_soon_from
from ..edge import query_int
from ..enums import ActivityStatus, ConcernStatus, ProposalStatus
from ..extensions import db
from ..models import (
    Activity,
    Concern,
    ConcernCategory,
    Delegate,
    Proposal,
    ProposalLabel,
)
from ..permissions import Scope
from .filters import Filters, restrict


def activity_select(scope: Scope, filters: Filters, period: Period | None = None) -> sa.Select:
    """The activities in ``scope`` matching ``filters`` (dated in ``period``), newest first."""
    stmt = restrict(sa.select(Activity), Activity, scope, period, filters)
    return stmt.order_by(Activity.occurred_on.desc(), Activity.id.desc())


def list_row_loads() -> tuple:
    """What a list row shows besides the entry: its kind, initiative, delegate and delegation,
    joined into the list's own statement (each is one row per entry)."""
    return (
        joinedload(Activity.kind, innerjoin=True),
        joinedload(Activity.initiative, innerjoin=True),
        joinedload(Activity.delegate, innerjoin=True).joinedload(
            Delegate.delegation, innerjoin=True
        ),
    )


def activity_list_select(scope: Scope, filters: Filters, period: Period | None = None) -> sa.Select:
    """:func:`activity_select` with what a list row shows loaded up front (no query per row)."""
    return activity_select(scope, filters, period).options(*list_row_loads())


def count_concerns(activities: list[Activity]) -> list[Activity]:
    """Sets each entry's :attr:`~tracker.models.Activity.concern_count` with one grouped
    count for them all, instead of loading every concern of the page."""
    ids = [a.id for a in activities]
    counts: dict[int, int] = {}
    if ids:
        counts = dict(
            db.session.execute(
                sa.select(Concern.activity_id, sa.func.count())
                .where(Concern.activity_id.in_(ids))
                .group_by(Concern.activity_id)
            )
            .tuples()
            .all()
        )
    for activity in activities:
        activity._concern_count = counts.get(activity.id, 0)
    return activities


def paginate(stmt: sa.Select, per_page: int | None = None) -> Pagination:
    """One page of a list (``?page=``: a number that is not a page number gives the first);
    ``per_page`` defaults to the ``PAGE_SIZE`` setting. A page past the end is empty, not a 404."""
    return db.paginate(
        stmt,
        page=query_int("page", 1) or 1,
        per_page=per_page or current_app.config["PAGE_SIZE"],
        max_per_page=100,
        error_out=False,
    )


def paginate_activities(stmt: sa.Select, per_page: int | None = None) -> Pagination:
    """One page of a list of entries, the page's concern counts included."""
    page = paginate(stmt, per_page)
    count_concerns(page.items)
    return page


def activity_counts_by_call(scope: Scope, filters: Filters) -> dict[int, int]:
    """Activities per call to action, for the campaign page's links."""
    inner = activity_select(scope, filters).order_by(None)
    sub = inner.with_only_columns(Activity.call_id).where(Activity.call_id.is_not(None)).subquery()
    rows = db.session.execute(sa.select(sub.c.call_id, sa.func.count()).group_by(sub.c.call_id))
    return {call_id: n for call_id, n in rows}


# --- proposals and concerns ------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalFilters:
    """Filters for the proposal list; every field is optional."""

    status: ProposalStatus | None = None
    due: str | None = None  # "overdue" | "due_soon"
    delegation_id: int | None = None
    label_code: str | None = None
    handler_id: int | None = None
    campaign_id: int | None = None


def proposal_select(scope: Scope, filters: ProposalFilters, today: date) -> sa.Select:
    """Proposals of submitted entries in ``scope``; overdue and due-soon computed against ``today``."""
    stmt = sa.select(Proposal).join(Activity, Proposal.activity_id == Activity.id)
    stmt = scope.restrict(stmt).where(Activity.status != ActivityStatus.DRAFT)
    if filters.campaign_id is not None:
        stmt = stmt.where(Activity.campaign_id == filters.campaign_id)
    if filters.status is not None:
        stmt = stmt.where(Proposal.status == filters.status)
    if filters.due == "overdue":
        stmt = stmt.where(Proposal.status.in_(AWAITING_REPLY), Proposal.due_on < today)
    elif filters.due == "due_soon":
        stmt = stmt.where(
            Proposal.status.in_(AWAITING_REPLY),
            Proposal.due_on >= today,
            Proposal.due_on <= due_soon_from(today),
        )
    if filters.delegation_id is not None:
        stmt = stmt.where(Activity.delegation_id == filters.delegation_id)
    if filters.label_code:
        stmt = stmt.where(
            Proposal.label_id.in_(
                sa.select(ProposalLabel.id).where(ProposalLabel.code == filters.label_code)
            )
        )
    if filters.handler_id is not None:
        stmt = stmt.where(Proposal.lead_handler_id == filters.handler_id)
    return stmt.order_by(
        sa.case((Proposal.due_on.is_(None), 1), else_=0), Proposal.due_on, Proposal.id.desc()
    ).options(*proposal_row_loads())


def proposal_row_loads() -> tuple:
    """What a row of a proposal list shows besides the proposal, loaded with the page."""
    return (
        selectinload(Proposal.activity)
        .selectinload(Activity.delegate)
        .selectinload(Delegate.delegation),
        selectinload(Proposal.lead_handler),
        selectinload(Proposal.label),
    )


def concern_row_loads() -> tuple:
    """What a row of a concern list shows besides the concern, loaded with the page."""
    return (
        selectinload(Concern.activity)
        .selectinload(Activity.delegate)
        .selectinload(Delegate.delegation),
        selectinload(Concern.category),
        selectinload(Concern.referred_to),
    )


@dataclass(frozen=True)
class ConcernFilters:
    """Filters for the concern list; every field is optional."""

    status: ConcernStatus | None = None
    category_code: str | None = None
    delegation_id: int | None = None
    referred_to_id: int | None = None
    campaign_id: int | None = None


def concern_select(scope: Scope, filters: ConcernFilters) -> sa.Select:
    """Concerns raised on submitted entries in ``scope``, oldest open first."""
    stmt = sa.select(Concern).join(Activity, Concern.activity_id == Activity.id)
    stmt = scope.restrict(stmt).where(Activity.status != ActivityStatus.DRAFT)
    if filters.campaign_id is not None:
        stmt = stmt.where(Activity.campaign_id == filters.campaign_id)
    if filters.status is not None:
        stmt = stmt.where(Concern.status == filters.status)
    if filters.category_code:
        stmt = stmt.where(
            Concern.category_id.in_(
                sa.select(ConcernCategory.id).where(ConcernCategory.code == filters.category_code)
            )
        )
    if filters.delegation_id is not None:
        stmt = stmt.where(Activity.delegation_id == filters.delegation_id)
    if filters.referred_to_id is not None:
        stmt = stmt.where(Concern.referred_to_id == filters.referred_to_id)
    return stmt.order_by(Activity.occurred_on.desc(), Concern.id).options(*concern_row_loads())


# --- what waits for someone ------------------------------------------------------------------


class StaffTodo(NamedTuple):
    waiting: int
    overdue: int
    due_soon: int
    open_concerns: int


def staff_todo_counts(scope: Scope, today: date) -> StaffTodo:
    """Entries waiting for review, proposals overdue or due soon, concerns not yet acted on."""

    def count(stmt: sa.Select) -> int:
        inner = stmt.order_by(None).options().with_only_columns(sa.literal(1))
        return db.session.scalar(sa.select(sa.func.count()).select_from(inner.subquery())) or 0

    return StaffTodo(
        waiting=count(activity_select(scope, Filters(status=ActivityStatus.SUBMITTED))),
        overdue=count(proposal_select(scope, ProposalFilters(due="overdue"), today)),
        due_soon=count(proposal_select(scope, ProposalFilters(due="due_soon"), today)),
        open_concerns=count(concern_select(scope, ConcernFilters(status=ConcernStatus.OPEN))),
    )


class DelegateTodo(NamedTuple):
    returned: int
    to_rate: int


def delegate_todo_counts(scope: Scope) -> DelegateTodo:
    """A delegate's returned entries and replies waiting for their rating (one statement)."""
    returned = scope.restrict(sa.select(sa.func.count()).select_from(Activity)).where(
        Activity.status == ActivityStatus.RETURNED
    )
    to_rate = scope.restrict(
        sa.select(sa.func.count())
        .select_from(Proposal)
        .join(Activity, Proposal.activity_id == Activity.id)
    ).where(Proposal.status == ProposalStatus.REPLIED)
    row = db.session.execute(sa.select(returned.scalar_subquery(), to_rate.scalar_subquery())).one()
    return DelegateTodo(returned=row[0] or 0, to_rate=row[1] or 0)


# --- how concerns stand ----------------------------------------------------------------------


class ConcernFigures(NamedTuple):
    """How the concerns of a list stand; the rates are None while nothing is concluded."""

    raised: int
    open: int
    referred: int
    resolved: int
    unresolvable: int
    fed_back: int
    concluded: int
    resolution_rate: float | None
    feedback_rate: float | None


def concern_figures(scope: Scope, filters: ConcernFilters) -> ConcernFigures:
    """Counts over exactly the rows :func:`concern_select` lists, in one grouped query.

    Resolved and unresolvable count by ``resolution``, so a concern already fed back still
    counts as concluded the way it ended. 办成率 (resolution rate) = resolved ÷ concluded;
    it is kept apart from feedback and from the satisfaction rating of proposals.
    """
    from ..enums import ConcernResolution

    rows = (
        concern_select(scope, filters)
        .order_by(None)
        .with_only_columns(Concern.status, Concern.resolution)
        .subquery()
    )
    grouped = db.session.execute(
        sa.select(rows.c.status, rows.c.resolution, sa.func.count()).group_by(
            rows.c.status, rows.c.resolution
        )
    ).all()
    by_status: dict[ConcernStatus, int] = {}
    by_resolution: dict[ConcernResolution, int] = {}
    for status, resolution, n in grouped:
        by_status[ConcernStatus(status)] = by_status.get(ConcernStatus(status), 0) + n
        if resolution is not None:
            key = ConcernResolution(resolution)
            by_resolution[key] = by_resolution.get(key, 0) + n
    resolved = by_resolution.get(ConcernResolution.RESOLVED, 0)
    unresolvable = by_resolution.get(ConcernResolution.UNRESOLVABLE, 0)
    concluded = resolved + unresolvable
    fed_back = by_status.get(ConcernStatus.FED_BACK, 0)
    return ConcernFigures(
        raised=sum(by_status.values()),
        open=by_status.get(ConcernStatus.OPEN, 0),
        referred=by_status.get(ConcernStatus.REFERRED, 0),
        resolved=resolved,
        unresolvable=unresolvable,
        fed_back=fed_back,
        concluded=concluded,
        resolution_rate=resolved / concluded if concluded else None,
        feedback_rate=fed_back / concluded if concluded else None,
    )
