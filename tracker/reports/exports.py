"""The monthly summary as spreadsheets: XLSX (every table and the period's approved entries)
and CSV (one table or the entries), from the same :class:`~.bulletin.Bulletin` as the page.

Spreadsheets are where a citizen's text meets Excel, so no cell ever becomes a formula: in
XLSX every text is written as a string (never through XlsxWriter's guessing ``write``), and
text that Excel would read as a formula (= + - @, their full-width forms, a leading tab or
CR) gets the quote prefix; in CSV the same text gets a leading apostrophe. Phone numbers
such as +86 138 0931 0000 and plain numbers such as -5 are left readable.

The entries sheet streams: rows are read from the database in batches and XlsxWriter runs in
``constant_memory`` mode, so a month of 100,000 entries is written with bounded memory.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import xlsxwriter
from flask import current_app
from flask_babel import gettext as _

from ..dates import Period
from ..enums import ActivityStatus, DelegateType, Level
from ..extensions import db
from ..models import Activity, ActivityKind, Concern, Delegate, Delegation, Initiative
from ..permissions import Scope
from .bulletin import HEADERS, Bulletin, Cell, WordedTable
from .filters import Filters, restrict

# --- formula neutralising --------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠", "\t", "\r")
# A number or a phone number: optional sign, digits with spaces, dashes, dots or brackets.
_READABLE_NUMBER = re.compile(r"^[+\-－＋]?\d[\d\s\-.()（）]*$")
# Mentioning someone (@张三): an at sign, a Chinese character, and no character a formula is
# built with. Excel's functions and the names that could run are ASCII; a Chinese name after
# @ runs nothing, so it is kept as typed.
_MENTION = re.compile(
    r"^[@＠][\u3400-\u4dbf\u4e00-\u9fff][^=+\-*/^&|!()\[\]{}<>:;,\"'$%＝＋－（）]*$"
)


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula: it starts with = + - @ (or
    their full-width forms, a tab or a CR), unless it is a number or phone number (-5,
    +86 138 …) or a mention of a person (@张三)."""
    return (
        bool(text)
        and text.startswith(FORMULA_STARTS)
        and not _READABLE_NUMBER.match(text)
        and not _MENTION.match(text)
    )


def neutralise(text: str) -> str:
    """``text`` made inert for CSV: a leading apostrophe when it could run as a formula."""
    return "'" + text if looks_like_formula(text) else text


# --- the entries of the period -------------------------------------------------------------------


@dataclass(frozen=True)
class EntryColumn:
    key: str
    kind: str  # text, int, date, datetime
    width: int


ENTRY_COLUMNS = (
    EntryColumn("id", "id", 9),
    EntryColumn("occurred_on", "date", 11),
    EntryColumn("delegate", "text", 10),
    EntryColumn("delegation", "text", 10),
    EntryColumn("delegate_type", "text", 13),
    EntryColumn("level", "text", 9),
    EntryColumn("kind", "text", 10),
    EntryColumn("initiative", "text", 8),
    EntryColumn("title", "text", 36),
    EntryColumn("place", "text", 18),
    EntryColumn("people_reached", "int", 10),
    EntryColumn("concerns", "int", 9),
    EntryColumn("exemplary", "text", 8),
    EntryColumn("late", "text", 6),
    EntryColumn("approved_at", "datetime", 17),
)

BATCH = 2000


def entries_select(
    scope: Scope, period: Period, filters: Filters, closed_at: datetime | None = None
) -> sa.Select:
    """The approved entries of the period as plain rows (no ORM objects), oldest first.

    Same conditions as :func:`.selects.approved_activity_select`; for a closed month
    (``closed_at``) only what the month counted when it was closed: no 补录 entries.
    """
    concerns = (
        sa.select(sa.func.count())
        .where(Concern.activity_id == Activity.id)
        .correlate(Activity)
        .scalar_subquery()
    )
    stmt = (
        sa.select(
            Activity.id,
            Activity.occurred_on,
            Delegate.name,
            Delegation.name,
            Activity.delegate_type,
            Activity.level,
            ActivityKind.name,
            Initiative.numeral,
            Activity.title,
            Activity.place,
            Activity.people_reached,
            concerns,
            Activity.exemplary,
            Activity.late,
            Activity.approved_at,
        )
        .join(Delegate, Delegate.id == Activity.delegate_id)
        .join(Delegation, Delegation.id == Activity.delegation_id)
        .join(ActivityKind, ActivityKind.id == Activity.kind_id)
        .join(Initiative, Initiative.id == Activity.initiative_id)
        .where(Activity.status == ActivityStatus.APPROVED)
    )
    if closed_at is not None:
        stmt = stmt.where(
            Activity.late.is_(False),
            sa.or_(Activity.approved_at.is_(None), Activity.approved_at <= closed_at),
        )
    stmt = restrict(stmt, Activity, scope, period, filters)
    return stmt.order_by(Activity.occurred_on, Activity.id)


def entry_rows(stmt: sa.Select, exemplary_ids: set[int] | None = None) -> Iterator[tuple[Any, ...]]:
    """The rows of :func:`entries_select`, read in batches and put into words. A closed month
    passes the typical cases it had when closed (``exemplary_ids``), so its sheet reproduces."""
    types = {t.value: t.label for t in DelegateType}
    levels = {lv.value: lv.label for lv in Level}
    yes = _("是")
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    initiatives: dict[Any, str] = {}  # numeral → its label, translated once, not once a row
    result = db.session.execute(stmt.execution_options(yield_per=BATCH))
    for (
        id_,
        occurred_on,
        delegate,
        delegation,
        delegate_type,
        level,
        kind,
        numeral,
        title,
        place,
        people,
        concerns,
        exemplary,
        late,
        approved_at,
    ) in result:
        initiative = initiatives.get(numeral)
        if initiative is None:
            initiative = initiatives[numeral] = _("倡议%(n)s", n=numeral)
        yield (
            id_,
            _as_date(occurred_on),
            delegate,
            delegation,
            types.get(getattr(delegate_type, "value", delegate_type), ""),
            levels.get(getattr(level, "value", level), ""),
            kind,
            initiative,
            title,
            place,
            people,
            concerns,
            yes if (exemplary if exemplary_ids is None else id_ in exemplary_ids) else "",
            yes if late else "",
            None
            if approved_at is None
            else approved_at.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None),
        )


def local_datetime(moment: datetime | None) -> datetime | None:
    """A stored (naive UTC) timestamp as naive local time, for a spreadsheet cell."""
    if moment is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def entry_headers() -> list[str]:
    return [str(HEADERS[c.key]) for c in ENTRY_COLUMNS]


# --- XLSX ----------------------------------------------------------------------------------------

SHEET_NAME_LIMIT = 31
_BAD_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")
Progress = Callable[[int], None]
PROGRESS_EVERY = 10_000


def sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique worksheet name from a title."""
    name = _BAD_SHEET_CHARACTERS.sub("", title)[:SHEET_NAME_LIMIT] or "Sheet"
    base, n = name, 2
    while name in used:
        suffix = f"({n})"
        name = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
        n += 1
    used.add(name)
    return name


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook):
        self.header = book.add_format(
            {"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.text = book.add_format({"valign": "top"})
        self.quoted = book.add_format({"valign": "top", "quote_prefix": True})
        self.wrap = book.add_format({"valign": "top", "text_wrap": True})
        self.int = book.add_format({"num_format": "#,##0", "valign": "top"})
        self.rate = book.add_format({"num_format": "0.0%", "valign": "top"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
        self.datetime = book.add_format({"num_format": "yyyy-mm-dd hh:mm", "valign": "top"})
        self.bold_int = book.add_format({"num_format": "#,##0", "bold": True})
        self.bold_rate = book.add_format({"num_format": "0.0%", "bold": True})
        self.bold_text = book.add_format({"bold": True})
        self.delta = book.add_format({"num_format": "+#,##0;-#,##0;0", "valign": "top"})
        self.delta_rate = book.add_format({"num_format": "+0.0%;-0.0%;0.0%", "valign": "top"})


def _write_text(
    sheet: Any, row: int, col: int, text: str, fmt: _Formats, style: Any = None
) -> None:
    text = "" if text is None else str(text)
    if looks_like_formula(text):
        sheet.write_string(row, col, text, fmt.quoted)
    else:
        sheet.write_string(row, col, text, style or fmt.text)


def _write_cell(
    sheet: Any, row: int, col: int, cell: Cell, fmt: _Formats, bold: bool = False
) -> None:
    value, kind = cell.value, cell.kind
    if value is None:
        sheet.write_blank(row, col, None)
    elif kind == "int":
        sheet.write_number(row, col, value, fmt.bold_int if bold else fmt.int)
    elif kind == "rate":
        sheet.write_number(row, col, value, fmt.bold_rate if bold else fmt.rate)
    elif kind == "delta":
        sheet.write_number(row, col, value, fmt.delta)
    elif kind == "delta_rate":
        sheet.write_number(row, col, value, fmt.delta_rate)
    elif kind == "date":
        sheet.write_datetime(row, col, datetime.combine(value, datetime.min.time()), fmt.date)
    else:
        _write_text(sheet, row, col, value, fmt, fmt.bold_text if bold else fmt.wrap)


def _column_widths(table: WordedTable) -> list[int]:
    widths = []
    for i, header in enumerate(table.headers):
        longest = max(
            [_display_width(header)]
            + [_display_width(str(r[i].value)) for r in table.all_rows if r[i].value is not None]
        )
        widths.append(min(max(longest + 2, 8), 60))
    return widths


def _display_width(text: str) -> int:
    """Characters as Excel columns count them: a Chinese character is two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text.split("\n")[0])


def _write_table(
    book: xlsxwriter.Workbook, table: WordedTable, fmt: _Formats, used: set[str]
) -> None:
    sheet = book.add_worksheet(sheet_name(table.title, used))
    for col, width in enumerate(_column_widths(table)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    for col, header in enumerate(table.headers):
        sheet.write_string(0, col, header, fmt.header)
    rows = table.all_rows
    for r, cells in enumerate(rows, start=1):
        is_total = table.total is not None and r == len(rows)
        for col, cell in enumerate(cells):
            _write_cell(sheet, r, col, cell, fmt, bold=is_total)


def _write_cover(
    book: xlsxwriter.Workbook, bulletin: Bulletin, fmt: _Formats, used: set[str]
) -> None:
    summary = bulletin.summary
    sheet = book.add_worksheet(sheet_name(_("通报"), used))
    sheet.set_column(0, 0, 110)
    lines = [bulletin.title, bulletin.subtitle]
    if summary.closed is not None:
        lines.append(
            _(
                "本月已于 %(t)s 结账，数字以结账时为准。",
                t=local_datetime(summary.closed.closed_at).strftime("%Y-%m-%d %H:%M"),
            )
        )
    else:
        lines.append(
            _("数据截至 %(t)s。", t=local_datetime(summary.generated_at).strftime("%Y-%m-%d %H:%M"))
        )
    lines.append("")
    lines.extend(bulletin.paragraphs)
    for row, line in enumerate(lines):
        _write_text(sheet, row, 0, line, fmt, fmt.title if row == 0 else fmt.wrap)


def write_xlsx(
    bulletin: Bulletin,
    out: str | IO[bytes],
    entries: Iterable[tuple[Any, ...]] | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the bulletin (a cover sheet, one sheet per table) and, when given, the entries
    sheet; returns the number of entry rows written."""
    summary = bulletin.summary
    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "in_memory": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    book.set_properties(
        {"title": bulletin.title, "author": summary.issuer, "company": summary.issuer}
    )
    fmt = _Formats(book)
    used: set[str] = set()
    _write_cover(book, bulletin, fmt, used)
    for table in bulletin.tables.values():
        _write_table(book, table, fmt, used)
    written = 0
    if entries is not None:
        written = _write_entries(book, entries, fmt, used, progress)
    book.close()
    return written


def _write_entries(
    book: xlsxwriter.Workbook,
    entries: Iterable[tuple[Any, ...]],
    fmt: _Formats,
    used: set[str],
    progress: Progress | None,
) -> int:
    sheet = book.add_worksheet(sheet_name(str(_("履职记录")), used))
    for col, column in enumerate(ENTRY_COLUMNS):
        sheet.set_column(col, col, column.width)
    sheet.freeze_panes(1, 0)
    for col, header in enumerate(entry_headers()):
        sheet.write_string(0, col, header, fmt.header)
    kinds = [c.kind for c in ENTRY_COLUMNS]
    row = 0
    for row, values in enumerate(entries, start=1):
        for col, value in enumerate(values):
            if value is None:
                continue
            kind = kinds[col]
            if kind == "id":
                sheet.write_number(row, col, value)
            elif kind == "int":
                sheet.write_number(row, col, value, fmt.int)
            elif kind == "date":
                sheet.write_datetime(
                    row, col, datetime(value.year, value.month, value.day), fmt.date
                )
            elif kind == "datetime":
                sheet.write_datetime(row, col, value, fmt.datetime)
            elif value.startswith(FORMULA_STARTS) and looks_like_formula(value):
                sheet.write_string(row, col, value, fmt.quoted)
            else:
                sheet.write_string(row, col, value)
        if progress is not None and row % PROGRESS_EVERY == 0:
            progress(row)
    if row:
        sheet.autofilter(0, 0, row, len(ENTRY_COLUMNS) - 1)
    return row


# --- CSV -----------------------------------------------------------------------------------------

BOM = "\ufeff"


def _csv_value(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "delta_rate":
        return f"{value * 100:+.1f}%"
    if kind == "delta":
        return f"{value:+d}" if value else "0"
    if kind in ("date",):
        return value.isoformat()
    if kind == "datetime":
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str):
        return neutralise(value)
    return value


def write_table_csv(table: WordedTable, out: IO[str]) -> int:
    """One table as CSV (UTF-8 with BOM so Excel reads the Chinese); returns its rows."""
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    rows = table.all_rows
    for cells in rows:
        writer.writerow([_csv_value(c.value, c.kind) for c in cells])
    return len(rows)


def entries_csv_lines(entries: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    """The entries as CSV text, a line at a time (for a streamed download)."""

    class _Line:
        value = ""

        def write(self, text: str) -> None:
            self.value = text

    line = _Line()
    writer = csv.writer(line, lineterminator="\r\n")
    kinds = [c.kind for c in ENTRY_COLUMNS]
    writer.writerow(entry_headers())
    yield BOM + line.value
    for values in entries:
        writer.writerow([_csv_value(v, k) for v, k in zip(values, kinds, strict=True)])
        yield line.value
