"""The committee dashboard: a period's figures beside the period before, the campaign's charts,
the letter's type calls as targets, and the list behind every number.

Staff and admins only. Every number comes from :mod:`tracker.reports.figures`, called with the
viewer's scope, so staff of one delegation see that delegation only. This module reads the
request, looks up names and arranges figures for the templates; it never counts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..campaign.loader import active_campaign
from ..dates import Period, local_today, period_label
from ..extensions import db
from ..models import CallToAction, Campaign, Delegate
from ..permissions import Scope, can_view_all_activities, is_staff_in_scope, require, scope_for
from ..reports import delegate_figures, figures, selects
from ..reports.filters import Filters, delegation_names
from ..reports.queries import (
    concern_row_loads,
    list_row_loads,
    paginate,
    paginate_activities,
    proposal_row_loads,
)
from ..selection import Selection, area_labels, read_selection
from .charts import chart_data
from .display import Change, changes, no_campaign, quick_periods, template_helpers

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


TOP_POINTS = 10

MIN_DAYS, MAX_DAYS = 7, 365
DELEGATE_LISTS = ("all", "active", "inactive", "no_call")
# What the dashboard and its lists can be filtered by.
DASHBOARD_KEYS = ("period", "delegation", "level", "type", "initiative", "kind", "focus")


@bp.before_request
def staff_only() -> None:
    """Delegates get 403 on every dashboard URL (logging in is checked for the whole app)."""
    require(can_view_all_activities(current_user), 403)


def _selection(campaign: Campaign, scope: Scope, today: date) -> Selection:
    """The period (this month unless asked) and filters of the query string, in the campaign."""
    return read_selection(
        campaign, scope, today, keys=DASHBOARD_KEYS, base=Filters(campaign_id=campaign.id)
    )


# --- the dashboard ---------------------------------------------------------------------------


@bp.route("/")
def index():
    """The period's figures against the period before, charts, targets and the points ranking."""
    campaign = active_campaign()
    if campaign is None:
        return no_campaign()
    today = local_today()
    scope = scope_for(current_user)
    sel = _selection(campaign, scope, today)
    period, previous, filters = sel.period, sel.period.previous(), sel.filters

    part_now, part_before = (figures.participation(scope, p, filters) for p in (period, previous))
    totals_now, totals_before = (
        figures.activity_totals(scope, p, filters) for p in (period, previous)
    )
    kinds_now, kinds_before = (
        figures.activities_by_kind(scope, p, filters) for p in (period, previous)
    )
    proposals_now, proposals_before = (
        figures.proposal_figures(scope, p, filters, today) for p in (period, previous)
    )
    concerns_now, concerns_before = (
        figures.concern_period_figures(scope, p, filters) for p in (period, previous)
    )
    matrix = figures.type_initiative_matrix(scope, period, filters)
    rows = figures.by_delegation(scope, period, filters)
    areas = figures.by_focus_area(scope, period, filters)
    names = delegation_names()

    quarter = Period.quarter_of(today)
    calls = figures.type_call_progress(scope, quarter, filters, campaign.id)
    # points_lines lists every kind and initiative, so the ranking it explains must too
    ranking_filters = filters.but(kind_id=None, initiative_id=None, focus_area_id=None)
    ranking = figures.points_ranking(scope, period, ranking_filters, limit=TOP_POINTS)
    ranked = {
        d.id: d
        for d in db.session.scalars(
            sa.select(Delegate)
            .where(Delegate.id.in_([r.delegate_id for r in ranking]))
            .options(selectinload(Delegate.delegation))
        )
    }
    kinds_by_code = {k.code: k for k in campaign.kinds}
    proposal_kind = kinds_by_code.get("proposal")

    return render_template(
        "dashboard/index.html",
        sel=sel,
        today=today,
        previous=previous,
        quick=quick_periods(today),
        delegations=sel.delegations,
        live_kinds=[k for k in campaign.kinds if not k.is_retired],
        live_initiatives=[i for i in campaign.initiatives if not i.is_retired],
        live_areas=[a for a in campaign.focus_areas if not a.is_retired],
        area_labels=area_labels(campaign),
        part=(part_now, part_before),
        rate=Change(part_now.rate, part_before.rate),
        active=Change(part_now.active, part_before.active),
        activities=Change(totals_now.activities, totals_before.activities),
        people=Change(totals_now.people_reached, totals_before.people_reached),
        by_kind=[
            (k, Change(kinds_now.get(k.id, 0), kinds_before.get(k.id, 0)))
            for k in campaign.kinds
            if not k.is_retired or k.id in kinds_now or k.id in kinds_before
        ],
        proposals=changes(
            proposals_now,
            proposals_before,
            ("submitted", "registered", "replied", "overdue", "satisfaction_rate"),
        ),
        proposal_kind=proposal_kind,
        proposals_exact=proposal_kind is not None and filters.kind_id in (None, proposal_kind.id),
        concerns=changes(
            concerns_now, concerns_before, ("raised", "resolved", "fed_back", "resolution_rate")
        ),
        rows=rows,
        names=names,
        charts=chart_data(sel, scope, proposals_now, matrix, rows, areas, names),
        quarter=quarter,
        calls=calls,
        expected=lambda call: figures.expected_for(call, quarter),
        kinds_by_code=kinds_by_code,
        inactive_days=current_app.config["INACTIVE_DAYS"],
        inactive_count=figures.inactive_delegate_count(
            scope, filters, local_today(), current_app.config["INACTIVE_DAYS"]
        ),
        ranking=ranking,
        ranked=ranked,
        ranking_ignores=bool(filters.kind_id or filters.initiative_id or filters.focus_area_id),
        **template_helpers(),
    )


# --- the lists behind the figures ------------------------------------------------------------


@bp.route("/activities")
def activities():
    """The approved entries behind a figure: same period, filters and condition as the figure."""
    campaign = active_campaign()
    if campaign is None:
        return no_campaign()
    scope = scope_for(current_user)
    sel = _selection(campaign, scope, local_today())
    stmt = selects.approved_activity_select(scope, sel.period, sel.filters).options(
        *list_row_loads()
    )
    return render_template(
        "dashboard/activities.html",
        sel=sel,
        page=paginate_activities(stmt),
        total=figures.approved_activity_count(scope, sel.period, sel.filters),
        **template_helpers(),
    )


def _days() -> int:
    days = request.args.get("days", type=int)
    if days is None:
        return current_app.config["INACTIVE_DAYS"]
    return min(max(days, MIN_DAYS), MAX_DAYS)


@bp.route("/delegates")
def delegates():
    """Delegates behind a figure: all of them, active in the period, inactive for some days, or
    with nothing under their type's call this quarter."""
    campaign = active_campaign()
    if campaign is None:
        return no_campaign()
    today = local_today()
    scope = scope_for(current_user)
    sel = _selection(campaign, scope, today)
    which = request.args.get("which")
    which = which if which in DELEGATE_LISTS else "active"
    context: dict[str, Any] = {
        "which": which,
        "days": None,
        "call": None,
        "call_kinds": [],
        "last_active": {},
    }
    if which == "all":
        stmt = delegate_figures.delegate_list_select(scope, sel.filters)
        words = sel.words("delegation", "level", "type")
        heading = _("代表名单")
    elif which == "active":
        stmt = selects.active_delegate_select(scope, sel.period, sel.filters)
        words = sel.words()
        heading = _("有已通过记录的代表")
    elif which == "inactive":
        days = context["days"] = _days()
        stmt = selects.inactive_delegate_select(scope, sel.filters, today, days)
        words = sel.words("delegation", "level", "type")
        heading = _("近 %(n)s 天没有已通过记录的代表", n=days)
    else:
        call = db.session.scalar(
            sa.select(CallToAction).where(
                CallToAction.campaign_id == campaign.id,
                CallToAction.code == (request.args.get("call") or ""),
                CallToAction.delegate_type.is_not(None),
            )
        )
        if call is None:
            abort(404)
        quarter = Period.quarter_of(today)
        kinds = {k.code: k.name for k in campaign.kinds}
        context.update(call=call, call_kinds=[kinds.get(c, c) for c in call.kind_codes or []])
        stmt = selects.delegates_without_call_select(scope, quarter, sel.filters, call)
        words = [period_label(quarter), *sel.words("delegation", "level")]
        heading = _(
            "%(type)s「%(title)s」本季度尚无记录的代表",
            type=call.delegate_type.label,
            title=call.title,
        )
    page = paginate(stmt)
    if which == "inactive" and page.items:
        # the page's delegates with the date of their last approved entry (None: never)
        shown = stmt.where(Delegate.id.in_([d.id for d in page.items]))
        context["last_active"] = {d.id: last for d, last in db.session.execute(shown)}
    return render_template(
        "dashboard/delegates.html",
        sel=sel,
        page=page,
        words=words,
        heading=heading,
        min_days=MIN_DAYS,
        max_days=MAX_DAYS,
        **context,
        **template_helpers(),
    )


@bp.route("/points/<int:delegate_id>")
def points(delegate_id: int):
    """The lines that make one delegate's points in the period, and their total."""
    campaign = active_campaign()
    if campaign is None:
        return no_campaign()
    delegate = db.session.get(Delegate, delegate_id)
    if delegate is None:
        abort(404)
    require(is_staff_in_scope(current_user, delegate.delegation_id))
    scope = scope_for(current_user)
    sel = _selection(campaign, scope, local_today())
    lines = selects.points_lines(scope, sel.period, delegate_id)
    summary = delegate_figures.delegate_summary(scope, sel.period, delegate_id)
    return render_template(
        "dashboard/points.html",
        sel=sel,
        delegate=delegate,
        lines=lines,
        total=summary.points,
        **template_helpers(),
    )


def _render_figure_list(template: str, sel: Selection, which: str, stmt, loads, **extra):
    """A figure's list, one page of it, with the figure's count."""
    return render_template(
        template,
        sel=sel,
        which=which,
        page=paginate(stmt.options(*loads)),
        total=selects.count_of(stmt),
        **extra,
        **template_helpers(),
    )


@bp.route("/proposals")
def proposals():
    """The proposals behind a proposal figure or a pipeline bar (same period and filters)."""
    campaign = active_campaign()
    if campaign is None:
        return no_campaign()
    scope = scope_for(current_user)
    today = local_today()
    sel = _selection(campaign, scope, today)
    which = request.args.get("which", "submitted")
    if which not in selects.PROPOSAL_STAGES and not which.startswith("status:"):
        which = "submitted"
    stmt = selects.proposal_period_select(scope, sel.period, sel.filters, today, which)
    return _render_figure_list(
        "dashboard/proposals.html", sel, which, stmt, proposal_row_loads(), today=today
    )


@bp.route("/concerns")
def concerns():
    """The concerns behind a concern figure (same period and filters)."""
    campaign = active_campaign()
    if campaign is None:
        return no_campaign()
    scope = scope_for(current_user)
    sel = _selection(campaign, scope, local_today())
    which = request.args.get("which", "raised")
    if which not in selects.CONCERN_STAGES:
        which = "raised"
    stmt = selects.concern_period_select(scope, sel.period, sel.filters, which)
    return _render_figure_list("dashboard/concerns.html", sel, which, stmt, concern_row_loads())
