"""The monthly summary in words (月度通报): its title, the paragraphs written from the numbers,
and every table with its headers and each cell as text, in the reader's language.

:func:`word` turns a :class:`~.summary.Summary` (plain data, as kept in a closed month's
snapshot) into a :class:`Bulletin` once; the page, the XLSX and CSV files, the Word document
and the PDF all write that same bulletin, so they show the same words and numbers, and none of
them reaches back into the summary to put it into words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from flask import current_app
from flask_babel import format_date, format_number, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..dates import period_label
from ..enums import DelegateType
from .summary import Summary, Table, is_rate

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

NUMERIC_KINDS = ("int", "rate", "delta", "delta_rate")


class Cell(NamedTuple):
    """One cell: ``value`` is a str, int, float (a rate 0..1), date or None; ``kind`` says how
    to show it: 'text', 'int', 'rate', 'date', or a change against the period before: 'delta'
    (a count, signed) or 'delta_rate' (percentage points); ``text`` is how documents show it."""

    value: Any
    kind: str
    text: str

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


class Heading(NamedTuple):
    """A column of a worded table: its key, how its values are shown, and its header."""

    key: str
    kind: str
    text: str


@dataclass(frozen=True)
class WordedTable:
    """A table of the summary in words: title, headers, the rows, and the 合计 row if any."""

    key: str
    title: str
    columns: list[Heading]
    rows: list[list[Cell]]
    total: list[Cell] | None

    @property
    def headers(self) -> list[str]:
        return [c.text for c in self.columns]

    @property
    def all_rows(self) -> list[list[Cell]]:
        """The rows, then the total row."""
        return self.rows + ([self.total] if self.total is not None else [])


@dataclass(frozen=True)
class Bulletin:
    """The summary in words, as every format writes it."""

    summary: Summary
    title: str
    subtitle: str  # issuer · area · period
    paragraphs: list[str]
    tables: dict[str, WordedTable]


def word(summary: Summary) -> Bulletin:
    """Put ``summary`` into words in the reader's language."""
    return Bulletin(
        summary=summary,
        title=bulletin_title(summary),
        subtitle=f"{summary.issuer} · {summary.area} · {period_label(summary.period)}",
        paragraphs=paragraphs(summary),
        tables={key: word_table(table) for key, table in summary.tables.items()},
    )


def word_table(table: Table) -> WordedTable:
    """One table in words: headers from the table's columns, each cell as text."""
    columns = [Heading(c.key, c.kind, c.label or str(HEADERS[c.key])) for c in table.columns]
    total = None
    if table.total is not None:
        cells = _cells(table, table.total)
        total = [cell_of(str(HEADERS["total"]), "text"), *cells[1:]]
    return WordedTable(
        table.key,
        str(TABLE_TITLES[table.key]),
        columns,
        [_cells(table, row) for row in table.rows],
        total,
    )


def _cells(table: Table, row: list[Any]) -> list[Cell]:
    metric = row[0] if table.columns and table.columns[0].kind == "metric" else ""
    out = []
    for column, value in zip(table.columns, row, strict=True):
        kind = column.kind
        if kind == "metric":
            out.append(cell_of(metric_label(value), "text"))
        elif kind == "type":
            out.append(cell_of(DelegateType(value).label if value else "", "text"))
        elif kind == "figure":
            out.append(cell_of(value, "rate" if is_rate(metric) else "int"))
        elif kind == "change":
            out.append(cell_of(value, "delta_rate" if is_rate(metric) else "delta"))
        elif kind == "date":
            out.append(
                cell_of(date.fromisoformat(value) if isinstance(value, str) else value, "date")
            )
        else:
            out.append(cell_of(value, kind))
    return out


def cell_of(value: Any, kind: str) -> Cell:
    return Cell(value, kind, cell_text(value, kind))


def cell_text(value: Any, kind: str) -> str:
    """A value as text for documents: 1,234 · 75.3% · 2023-09-05 · — for nothing."""
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
    return cell_text(value, "rate" if is_rate(metric) else "int")


def table_title(key: str) -> str:
    return str(TABLE_TITLES[key])


def bulletin_title(summary: Summary) -> str:
    return _(
        "%(area)s人大代表履职情况通报（%(period)s）",
        area=summary.area,
        period=period_label(summary.period),
    )


# --- the paragraphs -----------------------------------------------------------------------------


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
