"""The committee dashboard: a period's figures beside the period before, the campaign's charts,
the letter's type calls as targets, and the list behind every number.

Staff and admins only. Every number comes from :mod:`tracker.reports.figures`, called with the
viewer's scope, so staff of one delegation see that delegation only. This module reads the
request, looks up names and arranges figures for the templates; it never counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from babel.dates import format_skeleton
from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import format_number, format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from ..campaigns.loader import active_campaign
from ..dates import Period, local_today, parse_month, period_label
from ..enums import DelegateType, Level, ProposalStatus
from ..extensions import db
from ..models import Activity, CallToAction, Campaign, Concern, Delegate, Delegation, Proposal
from ..permissions import Scope, can_view_all_activities, is_staff_in_scope, require, scope_for
from ..reports import figures
from ..reports.figures import DashboardFilters
from ..reports.queries import list_row_loads, paginate, paginate_activities

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

TREND_MONTHS = 12
TOP_POINTS = 10
MIN_DAYS, MAX_DAYS = 7, 365
DELEGATE_LISTS = ("all", "active", "inactive", "no_call")


@bp.before_request
def staff_only() -> None:
    """Delegates get 403 on every dashboard URL (logging in is checked for the whole app)."""
    require(can_view_all_activities(current_user), 403)


# --- what the viewer asked for -----------------------------------------------------------------


class Described(NamedTuple):
    key: str  # the query argument: period, delegation, level, type, initiative, kind, focus
    text: str


@dataclass(frozen=True)
class Selection:
    """A period and filters read from the query string, with the arguments that reproduce them."""

    campaign: Campaign
    period: Period
    filters: DashboardFilters
    args: dict[str, str]
    described: tuple[Described, ...]

    def url(self, endpoint: str, **changes: Any) -> str:
        """``endpoint`` with the same period and filters, some changed (None drops one)."""
        args = {**self.args, **changes}
        return url_for(endpoint, **{k: v for k, v in args.items() if v is not None})

    def words(self, *keys: str) -> list[str]:
        """The period and filters in words; only ``keys`` when given."""
        return [d.text for d in self.described if not keys or d.key in keys]


def _by_value(enum_cls: Any, value: str | None) -> Any:
    return enum_cls(value) if value in enum_cls._value2member_map_ else None


def delegation_choices(scope: Scope) -> list[Delegation]:
    """Delegations the viewer may pick: every one for city staff, none for a delegation's staff
    (their scope already holds them to their own)."""
    if not scope.everything:
        return []
    return list(
        db.session.scalars(
            sa.select(Delegation)
            .where(Delegation.retired_at.is_(None))
            .order_by(Delegation.position)
        )
    )


def delegation_names() -> dict[int, str]:
    return dict(db.session.execute(sa.select(Delegation.id, Delegation.name)).all())


def read_selection(campaign: Campaign, scope: Scope, today: date) -> Selection:
    """Period and filters from the query string; anything unknown is ignored, never an error."""
    args = request.args
    month = args.get("month")
    period = Period.parse(month if parse_month(month) else args.get("period"), today)
    kinds = {k.code: k for k in campaign.kinds}
    initiatives = {i.code: i for i in campaign.initiatives}
    areas = {a.code: a for a in campaign.focus_areas}
    delegations = {str(d.id): d for d in delegation_choices(scope)}

    delegation = delegations.get(args.get("delegation") or "")
    level = _by_value(Level, args.get("level"))
    delegate_type = _by_value(DelegateType, args.get("type"))
    initiative = initiatives.get(args.get("initiative") or "")
    kind = kinds.get(args.get("kind") or "")
    area = areas.get(args.get("focus") or "")

    filters = DashboardFilters(
        campaign_id=campaign.id,
        delegation_id=delegation.id if delegation else None,
        level=level,
        delegate_type=delegate_type,
        initiative_id=initiative.id if initiative else None,
        kind_id=kind.id if kind else None,
        focus_area_id=area.id if area else None,
    )
    query = {
        "period": period.to_arg(),
        "delegation": str(delegation.id) if delegation else None,
        "level": level.value if level else None,
        "type": delegate_type.value if delegate_type else None,
        "initiative": initiative.code if initiative else None,
        "kind": kind.code if kind else None,
        "focus": area.code if area else None,
    }
    described = [Described("period", period_label(period))]
    if delegation:
        described.append(Described("delegation", delegation.name))
    if level:
        described.append(Described("level", level.label))
    if delegate_type:
        described.append(Described("type", delegate_type.label))
    if initiative:
        described.append(Described("initiative", _("倡议%(n)s", n=initiative.numeral)))
    if kind:
        described.append(Described("kind", kind.name))
    if area:
        described.append(
            Described("focus", _("领域：%(name)s", name=area_labels(campaign)[area.id]))
        )
    return Selection(
        campaign, period, filters, {k: v for k, v in query.items() if v}, tuple(described)
    )


AREA_GROUPS = {"development": _l("发展领域"), "proposal": _l("建言领域")}


def area_labels(campaign: Campaign) -> dict[int, str]:
    """Focus area names, with their group where two groups share a name (科技创新)."""
    seen: dict[str, int] = {}
    for area in campaign.focus_areas:
        seen[area.name] = seen.get(area.name, 0) + 1
    return {
        a.id: f"{a.name}（{AREA_GROUPS.get(a.group, a.group)}）" if seen[a.name] > 1 else a.name
        for a in campaign.focus_areas
    }


def record_url(delegate_id: int) -> str | None:
    """The delegate's record (履职档案), once that page exists."""
    try:
        return url_for("delegates.record", delegate_id=delegate_id)
    except BuildError:
        return None


# --- showing figures -------------------------------------------------------------------------


class Change(NamedTuple):
    """A figure of this period beside the same figure of the period before."""

    now: int | float | None
    before: int | float | None

    @property
    def delta(self) -> int | float | None:
        if self.now is None or self.before is None:
            return None
        return self.now - self.before


def _changes(now: Any, before: Any, names: tuple[str, ...]) -> dict[str, Change]:
    """The same named figures of two periods, side by side."""
    return {name: Change(getattr(now, name), getattr(before, name)) for name in names}


def pct(value: float | None) -> str:
    """0.753 → '75.3%'; no rate (nothing to divide by) → '—'."""
    return "—" if value is None else format_percent(value, "#,##0.#%")


def num(value: int | None) -> str:
    return "—" if value is None else format_number(value)


def points_in_change(delta: float) -> str:
    """A change of rate in percentage points."""
    return _("%(n)s 个百分点", n=format_number(round(abs(delta) * 100, 1)))


def template_helpers() -> dict[str, Any]:
    return {
        "pct": pct,
        "num": num,
        "points_in_change": points_in_change,
        "record_url": record_url,
    }


def no_campaign():
    return render_template("dashboard/empty.html", **template_helpers())


# --- the dashboard ---------------------------------------------------------------------------


def quick_periods(today: date) -> list[tuple[str, Period]]:
    """本月, 上月, 本季度, 近12个月."""
    this_month = Period.month(today.year, today.month)
    return [
        (_("本月"), this_month),
        (_("上月"), this_month.previous()),
        (_("本季度"), Period.quarter_of(today)),
        (_("近12个月"), Period.months_to(this_month, 12)),
    ]


def _chart_data(
    sel: Selection,
    scope: Scope,
    proposals: figures.ProposalFigures,
    matrix: dict,
    rows: list[figures.DelegationRow],
    areas: dict[int, int],
    names: dict[int, str],
) -> dict[str, Any]:
    """Everything the charts draw, each point with the drill-down it opens."""
    campaign, filters = sel.campaign, sel.filters
    trend_period = Period.months_to(sel.period, TREND_MONTHS)
    trend = figures.monthly_trend(scope, trend_period, filters)
    present = {kind_id for (_month, kind_id) in trend}
    trend_series = [
        {
            "name": kind.name,
            "data": [
                {
                    "value": trend.get((month, kind.id), 0),
                    "url": sel.url("dashboard.activities", period=f"{month:%Y-%m}", kind=kind.code),
                }
                for month in trend_period.months
            ],
        }
        for kind in campaign.kinds
        if kind.id in present
    ]
    initiatives = [
        i
        for i in campaign.initiatives
        if (filters.initiative_id or i.id) == i.id
        and (not i.is_retired or any(key[1] == i.id for key in matrix))
    ]
    types = [t for t in DelegateType if (filters.delegate_type or t) == t]
    cells = [
        {
            "value": [x, y, matrix.get((t, i.id), 0)],
            "url": sel.url("dashboard.activities", type=t.value, initiative=i.code),
        }
        for y, t in enumerate(types)
        for x, i in enumerate(initiatives)
    ]
    live_areas = [a for a in campaign.focus_areas if not a.is_retired or a.id in areas]
    labels = area_labels(campaign)
    return {
        "trend": {
            "title": _("每月已通过记录（按活动类型）"),
            "months": [format_skeleton("yM", m, locale=get_locale()) for m in trend_period.months],
            "series": trend_series,
        },
        "matrix": {
            "title": _("代表类型 × 倡议"),
            "x": [_("倡议%(n)s", n=i.numeral) for i in initiatives],
            "y": [t.label for t in types],
            "cells": cells,
        },
        "delegations": {
            "title": _("各代表团已通过记录"),
            "names": [names.get(r.delegation_id, "?") for r in rows],
            "data": [
                {
                    "value": r.activities,
                    "url": sel.url("dashboard.activities", delegation=str(r.delegation_id)),
                }
                for r in rows
            ],
        },
        "focus": {
            "title": _("各重点领域已通过记录"),
            "names": [labels[a.id] for a in live_areas],
            "data": [
                {"value": areas.get(a.id, 0), "url": sel.url("dashboard.activities", focus=a.code)}
                for a in live_areas
            ],
        },
        "pipeline": {
            "title": _("建议办理进度"),
            "names": [s.label for s in ProposalStatus],
            "data": [
                {
                    "value": proposals.by_status.get(s, 0),
                    "url": sel.url("dashboard.proposals", which=f"status:{s.value}"),
                }
                for s in ProposalStatus
            ],
        },
        "unit": _("条"),
    }


@bp.route("/")
def index():
    """The period's figures against the period before, charts, targets and the points ranking."""
    campaign = active_campaign()
    if campaign is None:
        return no_campaign()
    today = local_today()
    scope = scope_for(current_user)
    sel = read_selection(campaign, scope, today)
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
        delegations=delegation_choices(scope),
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
        proposals=_changes(
            proposals_now,
            proposals_before,
            ("submitted", "registered", "replied", "overdue", "satisfaction_rate"),
        ),
        proposal_kind=proposal_kind,
        proposals_exact=proposal_kind is not None and filters.kind_id in (None, proposal_kind.id),
        concerns=_changes(
            concerns_now, concerns_before, ("raised", "resolved", "fed_back", "resolution_rate")
        ),
        rows=rows,
        names=names,
        charts=_chart_data(sel, scope, proposals_now, matrix, rows, areas, names),
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
    sel = read_selection(campaign, scope, local_today())
    stmt = figures.approved_activity_select(scope, sel.period, sel.filters).options(
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
    sel = read_selection(campaign, scope, today)
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
        stmt = figures.delegate_list_select(scope, sel.filters)
        words = sel.words("delegation", "level", "type")
        heading = _("代表名单")
    elif which == "active":
        stmt = figures.active_delegate_select(scope, sel.period, sel.filters)
        words = sel.words()
        heading = _("有已通过记录的代表")
    elif which == "inactive":
        days = context["days"] = _days()
        stmt = figures.inactive_delegate_select(scope, sel.filters, today, days)
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
        stmt = figures.delegates_without_call_select(scope, quarter, sel.filters, call)
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
    sel = read_selection(campaign, scope, local_today())
    lines = figures.points_lines(scope, sel.period, delegate_id)
    summary = figures.delegate_summary(scope, sel.period, delegate_id)
    return render_template(
        "dashboard/points.html",
        sel=sel,
        delegate=delegate,
        lines=lines,
        total=summary.points,
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
    sel = read_selection(campaign, scope, today)
    which = request.args.get("which", "submitted")
    if which not in figures.PROPOSAL_STAGES and not which.startswith("status:"):
        which = "submitted"
    stmt = figures.proposal_period_select(scope, sel.period, sel.filters, today, which)
    return render_template(
        "dashboard/proposals.html",
        sel=sel,
        which=which,
        page=paginate(
            stmt.options(
                selectinload(Proposal.activity)
                .selectinload(Activity.delegate)
                .selectinload(Delegate.delegation),
                selectinload(Proposal.lead_handler),
                selectinload(Proposal.label),
            )
        ),
        total=figures.count_of(stmt),
        today=today,
        **template_helpers(),
    )


@bp.route("/concerns")
def concerns():
    """The concerns behind a concern figure (same period and filters)."""
    campaign = active_campaign()
    if campaign is None:
        return no_campaign()
    scope = scope_for(current_user)
    sel = read_selection(campaign, scope, local_today())
    which = request.args.get("which", "raised")
    if which not in figures.CONCERN_STAGES:
        which = "raised"
    stmt = figures.concern_period_select(scope, sel.period, sel.filters, which)
    return render_template(
        "dashboard/concerns.html",
        sel=sel,
        which=which,
        page=paginate(
            stmt.options(
                selectinload(Concern.activity)
                .selectinload(Activity.delegate)
                .selectinload(Delegate.delegation),
                selectinload(Concern.category),
                selectinload(Concern.referred_to),
            )
        ),
        total=figures.count_of(stmt),
        **template_helpers(),
    )
