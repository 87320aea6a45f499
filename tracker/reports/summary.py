"""The monthly summary (月度通报): one period's figures, tables and typical cases, in the
viewer's scope, built from the same functions as the dashboard (:mod:`.figures`).

A :class:`Summary` is plain data (numbers, names, dates) so that it can be kept as the JSON
snapshot of a closed month and rendered alike as the page, XLSX, CSV, Word and PDF. Words
that depend on the reader's language (headers, metric names, delegate types) are stored as
keys and put into words only when a table is rendered (:meth:`Table.cells`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_date, format_number, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ..dates import Period, period_label
from ..enums import DelegateType
from ..extensions import db
from ..models import Activity, Campaign, Delegate, Delegation, MonthClose
from ..permissions import Scope
from . import figures, selects
from .filters import Filters

TREND_MONTHS = 12

# --- how a table is described -------------------------------------------------------------------

HEADERS: dict[str, Any] = {
    "metric": _l("指标"),
    "now": _l("本期"),
    "before": _l("上期"),
    "change": _l("变化"),
    "value": _l("数值"),
    "delegation": _l("代表团"),
    "delegate": _l("代表"),
    "delegate_type": _l("代表类型"),
    "level": _l("层级"),
    "delegates": _l("代表数"),
    "active": _l("参与代表"),
    "rate": _l("参与率"),
    "activities": _l("已通过记录"),
    "people_reached": _l("联系群众（人次）"),
    "kind": _l("活动类型"),
    "initiative": _l("所属倡议"),
    "total": _l("合计"),
    "last_active_on": _l("最近履职日期"),
    "occurred_on": _l("日期"),
    "approved_on": _l("审核通过日期"),
    "approved_at": _l("审核通过时间"),
    "title": _l("标题"),
    "text": _l("内容"),
    "note": _l("推荐理由"),
    "place": _l("地点"),
    "concerns": _l("群众诉求"),
    "proposal": _l("建议"),
    "exemplary": _l("典型案例"),
    "late": _l("补录"),
    "id": _l("记录编号"),
}

TABLE_TITLES: dict[str, Any] = {
    "comparison": _l("与上期比较"),
    "by_delegation": _l("各代表团参与情况"),
    "by_type": _l("各类代表参与情况"),
    "kind_initiative": _l("履职活动：活动类型 × 倡议"),
    "type_initiative": _l("履职活动：代表类型 × 倡议"),
    "proposals": _l("建议办理情况"),
    "concerns": _l("群众诉求办理情况"),
    "exemplary": _l("典型案例"),
    "late": _l("上期结账后补录"),
    "inactive": _l("近期未履职代表"),
    "activities": _l("已通过的履职记录"),
}

METRICS: dict[str, Any] = {
    "activities": _l("已通过履职记录（次）"),
    "people_reached": _l("联系群众（人次）"),
    "delegates": _l("代表（人）"),
    "active": _l("参与代表（人）"),
    "participation_rate": _l("参与率"),
    "proposals": _l("提出建议（件）"),
    "proposals_registered": _l("已立案"),
    "proposals_replied": _l("已答复"),
    "proposals_overdue": _l("超期未答复"),
    "proposals_rated": _l("已评价"),
    "proposals_satisfied": _l("满意"),
    "proposals_basically_satisfied": _l("基本满意"),
    "proposals_unsatisfied": _l("不满意"),
    "satisfaction_rate": _l("满意率"),
    "concerns": _l("收集群众诉求（件）"),
    "concerns_resolved": _l("已解决"),
    "concerns_unresolvable": _l("无法解决"),
    "concerns_fed_back": _l("已反馈群众"),
    "resolution_rate": _l("办成率"),
    "inactive": _l("近期未履职代表（人）"),
    "exemplary": _l("典型案例（件）"),
    "late": _l("上期结账后补录（次）"),
}

COMPARED = (
    "activities",
    "people_reached",
    "active",
    "participation_rate",
    "proposals",
    "proposals_replied",
    "satisfaction_rate",
    "concerns",
    "concerns_resolved",
    "resolution_rate",
)
PROPOSAL_METRICS = (
    "proposals",
    "proposals_registered",
    "proposals_replied",
    "proposals_overdue",
    "proposals_rated",
    "proposals_satisfied",
    "proposals_basically_satisfied",
    "proposals_unsatisfied",
    "satisfaction_rate",
)
CONCERN_METRICS = (
    "concerns",
    "concerns_resolved",
    "concerns_unresolvable",
    "concerns_fed_back",
    "resolution_rate",
)


def is_rate(metric: str) -> bool:
    return metric.endswith("_rate")


NUMERIC_KINDS = ("int", "rate", "delta", "delta_rate")


class Cell(NamedTuple):
    """One rendered cell: ``value`` is a str, int, float (a rate 0..1), date or None;
    ``kind`` says how to show it: 'text', 'int', 'rate', 'date', or a change against the
    period before: 'delta' (a count, signed) or 'delta_rate' (percentage points)."""

    value: Any
    kind: str


@dataclass
class Column:
    key: str
    # text, int, rate, date, type (a DelegateType value), metric, figure and change (a count
    # or a rate, by the row's metric)
    kind: str
    label: str | None = None  # a header from the data (an initiative), else HEADERS[key]

    @property
    def header(self) -> str:
        return self.label or str(HEADERS[self.key])


@dataclass
class Table:
    key: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    total: list[Any] | None = None

    @property
    def title(self) -> str:
        return str(TABLE_TITLES[self.key])

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def _cells(self, row: list[Any]) -> list[Cell]:
        metric = row[0] if self.columns and self.columns[0].kind == "metric" else ""
        out = []
        for column, value in zip(self.columns, row, strict=True):
            kind = column.kind
            if kind == "metric":
                out.append(Cell(str(METRICS.get(value, value)), "text"))
            elif kind == "type":
                out.append(Cell(DelegateType(value).label if value else "", "text"))
            elif kind == "figure":
                out.append(Cell(value, "rate" if is_rate(metric) else "int"))
            elif kind == "change":
                out.append(Cell(value, "delta_rate" if is_rate(metric) else "delta"))
            elif kind == "date":
                out.append(
                    Cell(date.fromisoformat(value) if isinstance(value, str) else value, "date")
                )
            else:
                out.append(Cell(value, kind))
        return out

    def cells(self) -> list[list[Cell]]:
        """The rows (and the total row, last, headed 合计) ready to render."""
        rows = [self._cells(r) for r in self.rows]
        if self.total is not None:
            total = self._cells(self.total)
            rows.append([Cell(str(HEADERS["total"]), "text"), *total[1:]])
        return rows

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "columns": [[c.key, c.kind, c.label] for c in self.columns],
            "rows": [[_jsonable(v) for v in r] for r in self.rows],
            "total": None if self.total is None else [_jsonable(v) for v in self.total],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Table:
        return cls(data["key"], [Column(*c) for c in data["columns"]], data["rows"], data["total"])


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


# --- the summary --------------------------------------------------------------------------------


@dataclass
class Closed:
    """When and by whom the month was closed."""

    closed_at: datetime
    closed_by: str


@dataclass
class Summary:
    campaign_id: int
    campaign_title: str
    issuer: str
    period: Period
    area: str  # 全市, or the delegation's name
    delegation_id: int | None
    as_of: date  # the day "inactive" is counted to
    generated_at: datetime  # naive UTC
    headline: dict[str, int | float | None]
    previous: dict[str, int | float | None]
    tables: dict[str, Table]
    trend: dict[str, Any]  # {"months": [iso], "series": [{"name", "values"}]}
    previous_closed: bool = False
    exemplary_ids: list[int] = field(default_factory=list)  # the entries of the 典型案例 table
    closed: Closed | None = None  # set when read from a closed month, never stored

    @property
    def single_month(self) -> bool:
        return len(self.period.months) == 1

    def to_json(self) -> dict[str, Any]:
        return {
            "campaign_id": self.campaign_id,
            "campaign_title": self.campaign_title,
            "issuer": self.issuer,
            "period": [self.period.start.isoformat(), self.period.end.isoformat()],
            "area": self.area,
            "delegation_id": self.delegation_id,
            "as_of": self.as_of.isoformat(),
            "generated_at": self.generated_at.isoformat(),
            "headline": self.headline,
            "previous": self.previous,
            "previous_closed": self.previous_closed,
            "tables": [t.to_json() for t in self.tables.values()],
            "trend": self.trend,
            "exemplary_ids": self.exemplary_ids,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Summary:
        tables = [Table.from_json(t) for t in data["tables"]]
        city = data["delegation_id"] is None
        return cls(
            campaign_id=data["campaign_id"],
            campaign_title=data["campaign_title"],
            issuer=data["issuer"],
            period=Period(*(date.fromisoformat(d) for d in data["period"])),
            area=str(_l("全市")) if city else data["area"],
            delegation_id=data["delegation_id"],
            as_of=date.fromisoformat(data["as_of"]),
            generated_at=datetime.fromisoformat(data["generated_at"]),
            headline=data["headline"],
            previous=data["previous"],
            previous_closed=data["previous_closed"],
            tables={t.key: t for t in tables},
            trend=data["trend"],
            exemplary_ids=data.get("exemplary_ids", []),
        )


def _rate(n: int, d: int) -> float | None:
    return n / d if d else None


def headline_figures(
    scope: Scope, period: Period, filters: Filters, today: date, as_of: date
) -> dict[str, int | float | None]:
    """The period's headline numbers, each from the dashboard's own function."""
    totals = figures.activity_totals(scope, period, filters)
    part = figures.participation(scope, period, filters)
    prop = figures.proposal_figures(scope, period, filters, today)
    conc = figures.concern_period_figures(scope, period, filters)
    days = current_app.config["INACTIVE_DAYS"]
    return {
        "activities": totals.activities,
        "people_reached": totals.people_reached,
        "delegates": part.delegates,
        "active": part.active,
        "participation_rate": part.rate,
        "proposals": prop.submitted,
        "proposals_registered": prop.registered,
        "proposals_replied": prop.replied,
        "proposals_overdue": prop.overdue,
        "proposals_rated": prop.rated,
        "proposals_satisfied": prop.satisfied,
        "proposals_basically_satisfied": prop.basically_satisfied,
        "proposals_unsatisfied": prop.unsatisfied,
        "satisfaction_rate": prop.satisfaction_rate,
        "concerns": conc.raised,
        "concerns_resolved": conc.resolved,
        "concerns_unresolvable": conc.unresolvable,
        "concerns_fed_back": conc.fed_back,
        "resolution_rate": conc.resolution_rate,
        "inactive": figures.inactive_delegate_count(scope, filters, as_of, days),
        "exemplary": selects.count_of(selects.exemplary_select(scope, period, filters)),
    }


def local_bounds(period: Period) -> tuple[datetime, datetime]:
    """The period's start and end as naive UTC instants (the form timestamps are stored in)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])

    def utc(day: date) -> datetime:
        return datetime.combine(day, time(), zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    return utc(period.start), utc(period.end)


def _delegation_names() -> dict[int, str]:
    return dict(db.session.execute(sa.select(Delegation.id, Delegation.name)).all())


def build(
    campaign: Campaign, scope: Scope, period: Period, today: date, delegation_id: int | None = None
) -> Summary:
    """The summary of ``period`` as the data stands now, in ``scope`` (and one delegation)."""
    filters = Filters(campaign_id=campaign.id, delegation_id=delegation_id)
    as_of = min(period.last_day, today)
    names = _delegation_names()
    area_id = delegation_id or scope.delegation_id
    headline = headline_figures(scope, period, filters, today, as_of)
    before = period.previous()
    previous_close = closed_month(campaign, before) if len(period.months) == 1 else None
    previous_summary = (
        _from_snapshot(previous_close, area_id) if previous_close is not None else None
    )
    if previous_summary is not None:
        previous = previous_summary.headline
    else:
        previous = headline_figures(scope, before, filters, today, min(before.last_day, today))

    late_from, late_to = local_bounds(period)
    late = db.session.scalars(
        selects.late_select(scope, late_from, late_to, filters).options(*_ENTRY_ROW)
    ).all()
    headline["late"] = len(late)

    tables: dict[str, Table] = {}
    tables["comparison"] = Table(
        "comparison",
        [
            Column("metric", "metric"),
            Column("now", "figure"),
            Column("before", "figure"),
            Column("change", "change"),
        ],
        [[m, headline[m], previous.get(m), _delta(headline[m], previous.get(m))] for m in COMPARED],
    )
    tables["by_delegation"] = _by_delegation(scope, period, filters, names)
    tables["by_type"] = _by_type(scope, period, filters)
    tables["kind_initiative"] = _kind_initiative(campaign, scope, period, filters)
    tables["type_initiative"] = _type_initiative(campaign, scope, period, filters)
    tables["proposals"] = Table(
        "proposals",
        [Column("metric", "metric"), Column("value", "figure")],
        [[m, headline[m]] for m in PROPOSAL_METRICS],
    )
    tables["concerns"] = Table(
        "concerns",
        [Column("metric", "metric"), Column("value", "figure")],
        [[m, headline[m]] for m in CONCERN_METRICS],
    )
    exemplary = db.session.scalars(
        selects.exemplary_select(scope, period, filters).options(*_ENTRY_ROW)
    ).all()
    tables["exemplary"] = _entries_table("exemplary", exemplary, names)
    tables["late"] = _entries_table("late", late, names)
    tables["inactive"] = _inactive(scope, filters, as_of, names)

    return Summary(
        campaign_id=campaign.id,
        campaign_title=campaign.title,
        issuer=campaign.issuer,
        period=period,
        area=names.get(area_id, "") if area_id else str(_l("全市")),
        delegation_id=area_id,
        as_of=as_of,
        generated_at=datetime.now().astimezone(ZoneInfo("UTC")).replace(tzinfo=None),
        headline=headline,
        previous=previous,
        previous_closed=previous_summary is not None,
        tables=tables,
        trend=_trend(campaign, scope, period, filters),
        exemplary_ids=[a.id for a in exemplary],
    )


def _delta(now: Any, before: Any) -> Any:
    if now is None or before is None:
        return None
    return now - before


def _by_delegation(scope: Scope, period: Period, filters: Filters, names: dict[int, str]) -> Table:
    rows = figures.by_delegation(scope, period, filters)
    table = Table(
        "by_delegation",
        [
            Column("delegation", "text"),
            Column("delegates", "int"),
            Column("active", "int"),
            Column("rate", "rate"),
            Column("activities", "int"),
        ],
    )
    table.rows = [
        [names.get(r.delegation_id, "?"), r.delegates, r.active, r.rate, r.activities] for r in rows
    ]
    delegates = sum(r.delegates for r in rows)
    active = sum(r.active for r in rows)
    table.total = [
        None,
        delegates,
        active,
        _rate(active, delegates),
        sum(r.activities for r in rows),
    ]
    return table


def _by_type(scope: Scope, period: Period, filters: Filters) -> Table:
    table = Table(
        "by_type",
        [
            Column("delegate_type", "type"),
            Column("delegates", "int"),
            Column("active", "int"),
            Column("rate", "rate"),
            Column("activities", "int"),
            Column("people_reached", "int"),
        ],
    )
    sums = [0, 0, 0, 0]
    for kind in DelegateType:
        scoped = filters.but(delegate_type=kind)
        part = figures.participation(scope, period, scoped)
        totals = figures.activity_totals(scope, period, scoped)
        table.rows.append(
            [
                kind.value,
                part.delegates,
                part.active,
                part.rate,
                totals.activities,
                totals.people_reached,
            ]
        )
        for i, n in enumerate(
            (part.delegates, part.active, totals.activities, totals.people_reached)
        ):
            sums[i] += n
    table.total = [None, sums[0], sums[1], _rate(sums[1], sums[0]), sums[2], sums[3]]
    return table


def _live_initiatives(campaign: Campaign, used: set[int]) -> list[Any]:
    return [i for i in campaign.initiatives if not i.is_retired or i.id in used]


def _kind_initiative(campaign: Campaign, scope: Scope, period: Period, filters: Filters) -> Table:
    matrix = figures.kind_initiative_matrix(scope, period, filters)
    initiatives = _live_initiatives(campaign, {i for _k, i in matrix})
    table = Table(
        "kind_initiative",
        [
            Column("kind", "text"),
            *[
                Column(f"initiative_{i.code}", "int", _("倡议%(n)s", n=i.numeral))
                for i in initiatives
            ],
            Column("total", "int"),
            Column("people_reached", "int"),
        ],
    )
    column_sums = [0] * len(initiatives)
    for kind in campaign.kinds:
        counts = [matrix.get((kind.id, i.id), figures.ActivityTotals(0, 0)) for i in initiatives]
        if kind.is_retired and not any(c.activities for c in counts):
            continue
        for n, c in enumerate(counts):
            column_sums[n] += c.activities
        table.rows.append(
            [
                kind.name,
                *[c.activities for c in counts],
                sum(c.activities for c in counts),
                sum(c.people_reached for c in counts),
            ]
        )
    table.total = [None, *column_sums, sum(column_sums), sum(r[-1] for r in table.rows)]
    return table


def _type_initiative(campaign: Campaign, scope: Scope, period: Period, filters: Filters) -> Table:
    matrix = figures.type_initiative_matrix(scope, period, filters)
    initiatives = _live_initiatives(campaign, {i for _t, i in matrix})
    table = Table(
        "type_initiative",
        [
            Column("delegate_type", "type"),
            *[
                Column(f"initiative_{i.code}", "int", _("倡议%(n)s", n=i.numeral))
                for i in initiatives
            ],
            Column("total", "int"),
        ],
    )
    column_sums = [0] * len(initiatives)
    for kind in DelegateType:
        counts = [matrix.get((kind, i.id), 0) for i in initiatives]
        for n, c in enumerate(counts):
            column_sums[n] += c
        table.rows.append([kind.value, *counts, sum(counts)])
    table.total = [None, *column_sums, sum(column_sums)]
    return table


# What a row of the typical-case and 补录 tables reads besides the entry: loaded with the
# entries in one statement each, not one statement per row.
_ENTRY_ROW = (selectinload(Activity.delegate), selectinload(Activity.kind))


def _entries_table(key: str, entries: list[Any], names: dict[int, str]) -> Table:
    if key == "exemplary":
        columns = [
            Column("occurred_on", "date"),
            Column("delegate", "text"),
            Column("delegation", "text"),
            Column("kind", "text"),
            Column("title", "text"),
            Column("text", "text"),
            Column("note", "text"),
        ]
        rows = [
            [
                a.occurred_on,
                a.delegate.name,
                names.get(a.delegation_id, ""),
                a.kind.name,
                a.title,
                entry_text(a),
                a.exemplary_note,
            ]
            for a in entries
        ]
    else:
        columns = [
            Column("occurred_on", "date"),
            Column("approved_on", "date"),
            Column("delegate", "text"),
            Column("delegation", "text"),
            Column("kind", "text"),
            Column("title", "text"),
        ]
        rows = [
            [
                a.occurred_on,
                local_date(a.approved_at),
                a.delegate.name,
                names.get(a.delegation_id, ""),
                a.kind.name,
                a.title,
            ]
            for a in entries
        ]
    return Table(key, columns, rows)


def entry_text(activity: Any) -> str:
    """What an entry says, in one text: description, then outcome or research findings."""
    parts = [activity.description, activity.research_findings, activity.outcome]
    return "\n".join(p.strip() for p in parts if p and p.strip())


def local_date(moment: datetime | None) -> date | None:
    if moment is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()


def _inactive(scope: Scope, filters: Filters, as_of: date, names: dict[int, str]) -> Table:
    days = current_app.config["INACTIVE_DAYS"]
    rows = db.session.execute(selects.inactive_delegate_select(scope, filters, as_of, days)).all()
    return Table(
        "inactive",
        [
            Column("delegate", "text"),
            Column("delegation", "text"),
            Column("delegate_type", "type"),
            Column("last_active_on", "date"),
        ],
        [
            [d.name, names.get(d.delegation_id, ""), d.delegate_type.value, _as_date(last)]
            for d, last in rows
        ],
    )


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _trend(campaign: Campaign, scope: Scope, period: Period, filters: Filters) -> dict[str, Any]:
    span = Period.months_to(period, max(TREND_MONTHS, len(period.months)))
    span = Period(max(span.start, campaign.starts_on.replace(day=1)), span.end)
    trend = figures.monthly_trend(scope, span, filters)
    present = {k for (_m, k) in trend}
    return {
        "months": [m.isoformat() for m in span.months],
        "series": [
            {"name": k.name, "values": [trend.get((m, k.id), 0) for m in span.months]}
            for k in campaign.kinds
            if k.id in present
        ],
    }


# --- closed months ------------------------------------------------------------------------------


def closed_month(campaign: Campaign, period: Period) -> MonthClose | None:
    """The close of ``period`` when it is one closed month."""
    if len(period.months) != 1:
        return None
    return db.session.scalar(
        sa.select(MonthClose).where(
            MonthClose.campaign_id == campaign.id, MonthClose.month == period.start
        )
    )


def _from_snapshot(close: MonthClose, delegation_id: int | None) -> Summary | None:
    data = close.snapshot.get(str(delegation_id) if delegation_id else "all")
    if data is None:
        return None
    summary = Summary.from_json(data)
    summary.closed = Closed(
        close.closed_at, close.closed_by.display_name if close.closed_by else ""
    )
    return summary


def summary_for(
    campaign: Campaign, scope: Scope, period: Period, today: date, delegation_id: int | None = None
) -> Summary:
    """The summary a viewer sees: a closed month's snapshot, else built from the data now."""
    close = closed_month(campaign, period)
    if close is not None:
        area_id = delegation_id or scope.delegation_id
        if scope.everything or area_id is not None:
            summary = _from_snapshot(close, area_id)
            if summary is not None:
                return summary
    return build(campaign, scope, period, today, delegation_id)


def delegation_ids_for_snapshot() -> list[int]:
    """Every delegation with delegates or entries: each gets its own part of a snapshot."""
    return list(
        db.session.scalars(
            sa.select(Delegation.id)
            .where(
                sa.or_(
                    Delegation.retired_at.is_(None),
                    sa.exists().where(Delegate.delegation_id == Delegation.id),
                )
            )
            .order_by(Delegation.position)
        )
    )


# --- words ---------------------------------------------------------------------------------------


def _n(value: Any) -> str:
    return "—" if value is None else format_number(value)


def _pct(value: Any) -> str:
    return "—" if value is None else format_percent(value, "#,##0.#%")


def _change(now: Any, before: Any, rate: bool = False) -> str:
    """'较上期增加 12（+8.1%）', or '与上期持平'."""
    if now is None or before is None:
        return ""
    delta = now - before
    if rate:
        if abs(delta) < 0.0005:
            return _("与上期持平")
        points = format_number(round(abs(delta) * 100, 1))
        return (
            _("较上期提高 %(n)s 个百分点", n=points)
            if delta > 0
            else _("较上期下降 %(n)s 个百分点", n=points)
        )
    if delta == 0:
        return _("与上期持平")
    relative = (
        _(
            "（%(p)s）",
            p=("+" if delta > 0 else "−") + format_percent(abs(delta) / before, "#,##0.#%"),
        )
        if before
        else ""
    )
    return (
        _("较上期增加 %(n)s%(r)s", n=format_number(delta), r=relative)
        if delta > 0
        else _("较上期减少 %(n)s%(r)s", n=format_number(-delta), r=relative)
    )


def paragraphs(summary: Summary) -> list[str]:
    """The bulletin's summary paragraphs, written from the numbers."""
    h, p = summary.headline, summary.previous
    out = [
        _(
            "%(period)s，%(area)s各级人大代表共登记并经审核通过履职活动 %(n)s 次，%(change)s；"
            "联系群众 %(people)s 人次。",
            period=period_label(summary.period),
            area=summary.area,
            n=_n(h["activities"]),
            change=_change(h["activities"], p.get("activities")) or _("无上期数据"),
            people=_n(h["people_reached"]),
        ),
        _(
            "在册代表 %(delegates)s 名，其中 %(active)s 名有履职记录，参与率 %(rate)s，%(change)s。"
            "截至 %(as_of)s，近 %(days)s 天无履职记录的代表 %(inactive)s 名。",
            delegates=_n(h["delegates"]),
            active=_n(h["active"]),
            rate=_pct(h["participation_rate"]),
            change=_change(h["participation_rate"], p.get("participation_rate"), rate=True)
            or _("无上期数据"),
            as_of=format_date(summary.as_of, "long"),
            days=current_app.config["INACTIVE_DAYS"],
            inactive=_n(h["inactive"]),
        ),
        _(
            "本期代表提出建议 %(n)s 件，已立案 %(registered)s 件，已答复 %(replied)s 件，"
            "超期未答复 %(overdue)s 件；已评价 %(rated)s 件，满意率 %(rate)s。",
            n=_n(h["proposals"]),
            registered=_n(h["proposals_registered"]),
            replied=_n(h["proposals_replied"]),
            overdue=_n(h["proposals_overdue"]),
            rated=_n(h["proposals_rated"]),
            rate=_pct(h["satisfaction_rate"]),
        ),
        _(
            "收集群众诉求 %(n)s 件，已解决 %(resolved)s 件，无法解决 %(unresolvable)s 件，"
            "办成率 %(rate)s；已向群众反馈 %(fed_back)s 件。",
            n=_n(h["concerns"]),
            resolved=_n(h["concerns_resolved"]),
            unresolvable=_n(h["concerns_unresolvable"]),
            rate=_pct(h["resolution_rate"]),
            fed_back=_n(h["concerns_fed_back"]),
        ),
    ]
    if h.get("exemplary"):
        out.append(_("本期推荐典型案例 %(n)s 件，见附后。", n=_n(h["exemplary"])))
    if h.get("late"):
        out.append(
            _(
                "另有 %(n)s 条记录在所属月份结账后审核通过（补录），列于本期通报，不计入所属月份的数字。",
                n=_n(h["late"]),
            )
        )
    return out


def bulletin_title(summary: Summary) -> str:
    return _(
        "%(area)s人大代表履职情况通报（%(period)s）",
        area=summary.area,
        period=period_label(summary.period),
    )


def cell_text(cell: Cell) -> str:
    """A cell as text for documents: 1,234 · 75.3% · 2023-09-05 · — for nothing."""
    value, kind = cell
    if value is None:
        return "—" if kind != "text" else ""
    if kind == "int":
        return format_number(value)
    if kind == "rate":
        return format_percent(value, "#,##0.#%")
    if kind == "delta":
        return ("+" if value > 0 else "−" if value < 0 else "") + format_number(abs(value))
    if kind == "delta_rate":
        points = round(value * 100, 1)
        sign = "+" if points > 0 else "−" if points < 0 else ""
        return _("%(sign)s%(n)s 个百分点", sign=sign, n=format_number(abs(points)))
    if kind == "date":
        return value.isoformat() if isinstance(value, date) else str(value)
    return str(value)


def metric_label(metric: str) -> str:
    return str(METRICS.get(metric, metric))


def figure_text(metric: str, value: Any) -> str:
    """A headline figure as text: a rate as 75.3%, a count as 1,234."""
    return cell_text(Cell(value, "rate" if is_rate(metric) else "int"))
