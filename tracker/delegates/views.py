"""A delegate's own page (我的履职概况), a delegate's record (履职档案) and the staff list of
delegates in scope."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby

from babel.dates import format_skeleton
from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from flask_login import current_user

from ..campaign.loader import active_campaign
from ..dates import Period, local_today
from ..enums import ActivityStatus, ProposalStatus
from ..extensions import db
from ..models import Campaign, Delegate
from ..permissions import (
    can_log_activity,
    can_view_all_activities,
    can_view_delegate_record,
    require,
    scope_for,
)
from ..reports.delegate_figures import (
    approved_counts_by_delegate,
    delegate_activities_by_kind,
    delegate_call_progress,
    delegate_entries_select,
    delegate_list_select,
    delegate_summary,
)
from ..reports.filters import Filters
from ..reports.queries import (
    ProposalFilters,
    activity_list_select,
    delegate_todo_counts,
    paginate,
    proposal_select,
)
from ..selection import read_selection

bp = Blueprint("delegates", __name__, url_prefix="/delegates")

# How many returned entries and replies to rate the delegate's page lists before "see all".
TODO_LIMIT = 10


def campaign_period(campaign: Campaign | None, today: date) -> Period:
    """Whole months from the campaign's start up to this month (or its end, if earlier)."""
    this_month = Period.month(today.year, today.month)
    if campaign is None:
        return this_month
    end = this_month.end
    if campaign.ends_on is not None:
        end = min(end, Period.month(campaign.ends_on.year, campaign.ends_on.month).end)
    start = campaign.starts_on.replace(day=1)
    return Period(start, max(end, Period.month(start.year, start.month).end))


def period_choices(whole: Period) -> list[tuple[str, Period]]:
    """Narrower periods a record can be printed for: each year, then each quarter, newest first,
    clipped to ``whole``."""
    choices: list[tuple[str, Period]] = []
    for year in range(whole.last_day.year, whole.start.year - 1, -1):
        start, end = max(whole.start, date(year, 1, 1)), min(whole.end, date(year + 1, 1, 1))
        if start < end:
            choices.append(("year", Period(start, end)))
    day = whole.last_day
    while day >= whole.start:
        quarter = Period.quarter_of(day)
        choices.append(
            ("quarter", Period(max(whole.start, quarter.start), min(whole.end, quarter.end)))
        )
        day = quarter.start - timedelta(days=1)
    return choices


def _labels() -> dict:
    """Month, day and quarter labels in the reader's language (2024年5月 / May 2024)."""
    locale = str(get_locale() or "zh")

    def fmt(skeleton: str):
        return lambda day: format_skeleton(skeleton, day, locale=locale)

    return {
        "month_label": fmt("yMMMM"),
        "day_label": fmt("MMMd"),
        "quarter_label": fmt("yQQQ"),
        "year_label": fmt("y"),
    }


# --- 我的履职概况 ---------------------------------------------------------------------------------


@bp.route("/me")
def me():
    """The delegate's own page: this month and the campaign so far, their type's calls from the
    letter with this quarter's progress, and what waits for them."""
    require(can_log_activity(current_user), 403)
    delegate: Delegate = current_user.delegate
    scope = scope_for(current_user)
    today = local_today()
    campaign = active_campaign()
    campaign_id = campaign.id if campaign else None
    month = Period.month(today.year, today.month)
    quarter = Period.quarter_of(today)
    returned = db.session.scalars(
        activity_list_select(scope, Filters(status=ActivityStatus.RETURNED)).limit(TODO_LIMIT)
    ).all()
    to_rate = db.session.scalars(
        proposal_select(scope, ProposalFilters(status=ProposalStatus.REPLIED), today).limit(
            TODO_LIMIT
        )
    ).all()
    return render_template(
        "delegates/me.html",
        delegate=delegate,
        campaign=campaign,
        month=month,
        quarter=quarter,
        this_month=delegate_summary(scope, month, delegate.id, campaign_id),
        so_far=delegate_summary(scope, campaign_period(campaign, today), delegate.id, campaign_id)
        if campaign
        else None,
        calls=delegate_call_progress(
            scope, quarter, delegate.id, delegate.delegate_type, campaign_id
        )
        if campaign
        else [],
        todo=delegate_todo_counts(scope),
        returned=returned,
        to_rate=to_rate,
        **_labels(),
    )


# --- 履职档案 --------------------------------------------------------------------------------------


@bp.route("/<int:delegate_id>/record")
def record(delegate_id: int):
    """One delegate's record: who they are, totals, every approved entry by month and their
    proposals. ``period`` ('2024-05' or '2024-04..2024-06') narrows it; default the campaign."""
    delegate = db.session.get(Delegate, delegate_id)
    if delegate is None:
        abort(404)
    require(can_view_delegate_record(current_user, delegate))
    scope = scope_for(current_user)
    today = local_today()
    campaign = active_campaign()
    campaign_id = campaign.id if campaign else None
    whole = campaign_period(campaign, today)
    period_arg = request.args.get("period") or ""
    period = Period.parse(period_arg, today) if period_arg else whole
    entries = db.session.scalars(
        delegate_entries_select(scope, period, delegate.id, campaign_id)
    ).all()
    by_month = [
        (m, list(rows)) for m, rows in groupby(entries, key=lambda a: a.occurred_on.replace(day=1))
    ]
    by_kind = delegate_activities_by_kind(scope, period, delegate.id, campaign_id)
    kinds = [k for k in (campaign.kinds if campaign else []) if by_kind.get(k.id)]
    return render_template(
        "delegates/record.html",
        delegate=delegate,
        campaign=campaign,
        period=period,
        is_whole=period == whole,
        choices=period_choices(whole),
        period_arg=period.to_arg() if period_arg else "",
        summary=delegate_summary(scope, period, delegate.id, campaign_id),
        kind_rows=[(k, by_kind[k.id]) for k in kinds],
        by_month=by_month,
        proposals=[a.proposal for a in entries if a.proposal is not None],
        today=today,
        **_labels(),
    )


# --- the delegates in scope (staff) ---------------------------------------------------------------


@bp.route("/")
def index():
    """Staff and admins: the delegates in their scope, searchable, each with this quarter's
    approved entries and a link to their record."""
    require(can_view_all_activities(current_user), 403)
    scope = scope_for(current_user)
    today = local_today()
    campaign = active_campaign()
    sel = read_selection(
        campaign, scope, today, keys=("delegation", "level", "type"), default_period=False
    )
    filters = sel.filters
    q = (request.args.get("q") or "").strip()[:60]
    page = paginate(delegate_list_select(scope, filters, q or None))
    quarter = Period.quarter_of(today)
    counts = approved_counts_by_delegate(
        scope, quarter, [d.id for d in page.items], campaign.id if campaign else None
    )
    return render_template(
        "delegates/index.html",
        page=page,
        sel=sel,
        q=q,
        delegations=sel.delegations,
        counts=counts,
        quarter=quarter,
        **_labels(),
    )
