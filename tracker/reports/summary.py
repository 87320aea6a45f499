"""The monthly summary (月度通报): one period's figures, tables and typical cases, in the
viewer's scope, built from the same functions as the dashboard (:mod:`.figures`).

A :class:`Summary` is plain data (numbers, names, dates) so that it can be kept as the JSON
snapshot of a closed month and rendered alike as the page, XLSX, CSV, Word and PDF. Words
that depend on the reader's language (headers, metric names, delegate types) are stored as
keys and put into words by :mod:`.bulletin`, once, for whichever format is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ..dates import Period, as_date
from ..enums import DelegateType
from ..extensions import db
from ..models import Activity, Campaign, Delegate, Delegation, MonthClose
from ..permissions import Scope
from . import figures, selects
from .filters import Filters, delegation_names

TREND_MONTHS = 12

# --- how a table is described -------------------------------------------------------------------

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


@dataclass
class Column:
    key: str
    # text, int, rate, date, type (a DelegateType value), metric, figure and change (a count
    # or a rate, by the row's metric)
    kind: str
    label: str | None = None  # a header from the data (an initiative), else the key's words


@dataclass
class Table:
    key: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    total: list[Any] | None = None

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


def build(
    campaign: Campaign, scope: Scope, period: Period, today: date, delegation_id: int | None = None
) -> Summary:
    """The summary of ``period`` as the data stands now, in ``scope`` (and one delegation)."""
    filters = Filters(campaign_id=campaign.id, delegation_id=delegation_id)
    as_of = min(period.last_day, today)
    names = delegation_names()
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
            [d.name, names.get(d.delegation_id, ""), d.delegate_type.value, as_date(last)]
            for d, last in rows
        ],
    )


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
