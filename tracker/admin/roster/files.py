"""Reading a roster file: XLSX or CSV in the encodings offices save, with the refusals that
keep a bad upload from costing the server (size and row limits, zip bombs, old .xls files).

Everything here raises :class:`FileProblem` with a message for the administrator; the file is
then refused whole. Cells come out as text (:func:`cell_text`); a formula cell keeps its
formula (``=…``) so the row check can refuse it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from .words import FIELD_LABELS, INVISIBLE, REQUIRED_FIELDS, header_field

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 20_000
# A real roster unzips to a few MB; these stop a small upload that unzips to gigabytes.
UNZIPPED_MAX_BYTES = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_RATIO_FROM_BYTES = 1024 * 1024
ZIP_MAX_MEMBERS = 2_000
HEADER_SCAN_ROWS = 10
MAX_COLUMNS = 60
PROGRESS_EVERY = 500

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"


class FileProblem(Exception):
    """The file cannot be read as a roster; the message is shown as it is."""


@dataclass
class Sheet:
    """A table to look for the roster in: rows as lists of cell values, numbered from 1."""

    name: str | None
    rows: Callable[[int, int], Iterator[list[Any]]]  # (first row, last column) → rows


@dataclass
class Header:
    """The header row of a sheet: which column holds each field, and the columns left out."""

    row: int
    columns: dict[str, int]
    ignored: list[str]

    @property
    def score(self) -> tuple[int, int]:
        return (sum(f in self.columns for f in REQUIRED_FIELDS), len(self.columns))


def size_limit(max_bytes: int | None) -> int:
    """The largest file accepted: ``max_bytes``, else ROSTER_MAX_BYTES, else the default."""
    return max_bytes or current_app.config.get("ROSTER_MAX_BYTES") or DEFAULT_MAX_BYTES


def size_text(size: int) -> str:
    """5242880 → '5 MB', 1000 → '1 KB': for messages about the size limit."""
    if size >= 1024 * 1024:
        return f"{round(size / 1024 / 1024, 1):g} MB"
    return f"{max(1, round(size / 1024))} KB"


def cell_text(value: Any) -> str:
    """A cell as trimmed text, whitespace runs (line breaks, full-width spaces) made one space."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "1" if value else "0"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    text = text.translate(INVISIBLE)
    return " ".join(text.split())


def text_of_column(row: list[Any], index: int) -> str:
    """The text of one cell of ``row``; '' past the row's end."""
    return cell_text(row[index]) if index < len(row) else ""


# --- the kind of file ----------------------------------------------------------------------------


def _file_kind(data: bytes, filename: str) -> str:
    """'xlsx', 'csv', or 'xls'/'other' which are refused; the content wins over the name."""
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        return "xls"
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext in ("xlsx", "xlsm"):
        return "xlsx"  # not a zip: refused as an invalid workbook
    if ext == "xls":
        return "xls"
    if ext in ("csv", "txt", "tsv", ""):
        return "csv"
    return "other"


def open_sheets(data: bytes, filename: str) -> tuple[list[Sheet], Callable[[], None]]:
    """The sheets to look for the roster in, and what closes the file once read."""
    kind = _file_kind(data, filename)
    if kind == "xls":
        raise FileProblem(
            _(
                "这是旧版 Excel 文件（.xls），或设置了打开密码。请在 Excel 中“另存为”"
                " Excel 工作簿（.xlsx）或 CSV，并取消密码后再上传。"
            )
        )
    if kind == "other":
        raise FileProblem(_("只能导入 Excel 工作簿（.xlsx）或 CSV 文件。"))
    if kind == "xlsx":
        return _xlsx_sheets(data)
    return _csv_sheets(data), lambda: None


# --- XLSX ----------------------------------------------------------------------------------------


def _invalid_xlsx() -> str:
    return _(
        "不是有效的 Excel 文件（.xlsx）：文件可能已损坏，或只是改了扩展名。"
        "请在 Excel 中另存为 .xlsx 或 CSV 后重试。"
    )


def check_zip(data: bytes) -> None:
    """Refuse what is not a zip archive, and archives that would unzip to far too much."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FileProblem(_invalid_xlsx())
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileProblem(_invalid_xlsx()) from exc
    total = sum(member.file_size for member in members)
    too_packed = any(
        member.file_size > ZIP_RATIO_FROM_BYTES
        and member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1)
        for member in members
    )
    if len(members) > ZIP_MAX_MEMBERS or total > UNZIPPED_MAX_BYTES or too_packed:
        raise FileProblem(_("文件异常（解压后过大），已拒绝。"))


def _xlsx_sheets(data: bytes) -> tuple[list[Sheet], Callable[[], None]]:
    import openpyxl  # only the import pays for it

    check_zip(data)
    try:
        # Formulas are read as formulas (not their cached values) so that every formula cell
        # is reported: with data_only=True one without a cached value looks like a blank cell.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise FileProblem(_invalid_xlsx()) from exc

    def reader(sheet: Any) -> Callable[[int, int], Iterator[list[Any]]]:
        def rows(first: int, last_column: int) -> Iterator[list[Any]]:
            sheet.reset_dimensions()  # a wrong stored size must not hide rows
            try:
                for cells in sheet.iter_rows(min_row=first, max_col=last_column):
                    yield [_xlsx_value(cell) for cell in cells]
            except Exception as exc:  # a sheet that breaks off half way
                raise FileProblem(_invalid_xlsx()) from exc

        return rows

    sheets = list(book.worksheets)
    active = book.active
    if active in sheets:
        sheets.remove(active)
        sheets.insert(0, active)
    return [Sheet(sheet.title, reader(sheet)) for sheet in sheets], book.close


def _xlsx_value(cell: Any) -> Any:
    value = cell.value
    if getattr(cell, "data_type", None) == "f":
        text = value if isinstance(value, str) else getattr(value, "text", "") or ""
        return text if text.startswith("=") else "=" + text
    return value


# --- CSV -----------------------------------------------------------------------------------------


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (which covers GBK)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem(_("无法识别 CSV 文件的编码，请在 Excel 中另存为“CSV UTF-8”格式后重试。"))


def _csv_sheets(data: bytes) -> list[Sheet]:
    text = decode_csv(data)
    if "\x00" in text:
        raise FileProblem(_("CSV 文件中有无法识别的内容，请在 Excel 中重新另存为 CSV。"))

    def reader(delimiter: str) -> Callable[[int, int], Iterator[list[Any]]]:
        def rows(first: int, last_column: int) -> Iterator[list[Any]]:
            records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            try:
                for number, record in enumerate(records, 1):
                    if number >= first:
                        yield record[:last_column]
            except csv.Error as exc:
                raise FileProblem(
                    _(
                        "CSV 文件格式有误（第 %(line)s 行附近），请在 Excel 中重新另存为 CSV。",
                        line=records.line_num,
                    )
                ) from exc

        return rows

    # Comma first; Excel's "Unicode text" uses tabs and some locales semicolons.
    return [Sheet(None, reader(d)) for d in (",", "\t", ";")]


# --- the header and the data rows ----------------------------------------------------------------


def _find_header(sheet: Sheet) -> tuple[Header | None, bool]:
    """The row among the first few that names the most roster columns; and whether the
    sheet had anything in those rows at all."""
    best: Header | None = None
    seen_any = False
    rows = list(islice(sheet.rows(1, MAX_COLUMNS), HEADER_SCAN_ROWS))
    for number, row in enumerate(rows, 1):
        columns: dict[str, int] = {}
        ignored: list[str] = []
        for index, value in enumerate(row):
            text = cell_text(value)
            if not text:
                continue
            seen_any = True
            name = header_field(text)
            if name is not None and name not in columns:
                columns[name] = index
            else:
                ignored.append(text)
        if "work" in columns:
            for separate in ("work_unit", "job_title"):
                if separate in columns:
                    ignored.append(text_of_column(rows[number - 1], columns.pop(separate)))
        header = Header(number, columns, ignored)
        if columns and (best is None or header.score > best.score):
            best = header
    return best, seen_any


def choose_sheet(sheets: list[Sheet]) -> tuple[Sheet, Header]:
    """The sheet whose header names the most roster columns; it must name the required ones."""
    found: list[tuple[Sheet, Header]] = []
    seen_any = False
    for sheet in sheets:
        header, seen = _find_header(sheet)
        seen_any = seen_any or seen
        if header is not None:
            found.append((sheet, header))
    if not seen_any:
        raise FileProblem(_("表格是空的：没有找到任何内容。"))
    if not found:
        raise FileProblem(
            _(
                "找不到表头：前 %(n)s 行中没有“姓名”“代表类型”“层级”“代表团”等列名。",
                n=HEADER_SCAN_ROWS,
            )
        )
    sheet, header = max(found, key=lambda pair: pair[1].score)  # max keeps the first of ties
    missing = [str(FIELD_LABELS[f]) for f in REQUIRED_FIELDS if f not in header.columns]
    if missing:
        raise FileProblem(
            _(
                "缺少必填列：%(columns)s。表头（第 %(row)s 行）须包括姓名、代表类型、层级、代表团。",
                columns="、".join(missing),
                row=header.row,
            )
        )
    return sheet, header


def read_data_rows(
    sheet: Sheet, header: Header, max_rows: int, progress: Callable[[int], None] | None
) -> list[tuple[int, dict[str, str]]]:
    """The data rows under the header as (row number, field → text), blank rows left out."""
    last_column = max(header.columns.values()) + 1
    rows: list[tuple[int, dict[str, str]]] = []
    for number, row in enumerate(sheet.rows(header.row + 1, last_column), header.row + 1):
        cells = {name: text_of_column(row, index) for name, index in header.columns.items()}
        if not any(cells.values()):
            continue  # a blank row, or one with only a serial number
        rows.append((number, cells))
        if len(rows) > max_rows:
            raise FileProblem(
                _("数据超过 %(max)s 行的上限，没有导入任何内容。请拆分后分批导入。", max=max_rows)
            )
        if progress is not None and len(rows) % PROGRESS_EVERY == 0:
            progress(len(rows))
    if not rows:
        raise FileProblem(_("表中只有表头，没有代表数据。"))
    return rows
