"""Exporting a summary: the one path the web page and ``flask summary export`` share.

The file is written next to its destination under a temporary name and moved into place only
when complete, so a failed export never leaves half a file; every export writes an audit row
(who, which format, which period and area, how many rows).
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..audit import record
from ..dates import Period
from ..models import Campaign, User
from ..permissions import Scope
from ..reports import bulletin, exports
from ..reports import summary as summaries
from ..reports.filters import Filters

FORMATS = ("xlsx", "csv", "docx", "pdf")
ENTRIES = "activities"  # the CSV of the approved entries rather than one table
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


class ExportError(ValueError):
    """The export was asked for something that does not exist (format, table)."""


@dataclass(frozen=True)
class ExportRequest:
    campaign: Campaign
    scope: Scope
    period: Period
    today: date
    fmt: str
    delegation_id: int | None = None
    table: str | None = None  # CSV only: a table key, or ENTRIES


@dataclass(frozen=True)
class ExportResult:
    summary: summaries.Summary
    rows: int
    filename: str
    mimetype: str


def csv_choices(summary: summaries.Summary) -> list[tuple[str, str]]:
    """(key, title) of everything a CSV can hold: each table, then the entries."""
    return [(key, bulletin.table_title(key)) for key in [*summary.tables, ENTRIES]]


def filename_for(summary: summaries.Summary, fmt: str, table: str | None = None) -> str:
    stem = f"{summary.area}履职情况通报-{summary.period.to_arg()}"
    if fmt == "csv":
        title = dict(csv_choices(summary)).get(table or "", table or "")
        stem = f"{stem}-{title}"
    return f"{stem}.{fmt}"


def write_export(
    request: ExportRequest, out: io.BufferedIOBase, progress: Callable[[int], None] | None = None
) -> ExportResult:
    """Write the export into ``out``; returns what was written."""
    if request.fmt not in FORMATS:
        raise ExportError(request.fmt)
    summary = summaries.summary_for(
        request.campaign, request.scope, request.period, request.today, request.delegation_id
    )
    rows = 0
    worded = bulletin.word(summary)
    if request.fmt == "xlsx":
        rows = exports.write_xlsx(worded, out, _entries(request, summary), progress)
    elif request.fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        table = request.table or ENTRIES
        if table == ENTRIES:
            for rows, line in enumerate(exports.entries_csv_lines(_entries(request, summary))):
                text.write(line)
                if progress is not None and rows and rows % exports.PROGRESS_EVERY == 0:
                    progress(rows)
        elif table in worded.tables:
            rows = exports.write_table_csv(worded.tables[table], text)
        else:
            raise ExportError(table)
        text.flush()
        text.detach()
    elif request.fmt == "docx":
        from ..reports.docx_export import write_docx

        write_docx(worded, out)
    else:
        from ..reports.pdf_export import write_pdf

        write_pdf(worded, out)
    return ExportResult(
        summary, rows, filename_for(summary, request.fmt, request.table), MIMETYPES[request.fmt]
    )


def _entries(request: ExportRequest, summary: summaries.Summary):
    filters = Filters(campaign_id=request.campaign.id, delegation_id=request.delegation_id)
    if summary.closed is None:
        return exports.entry_rows(exports.entries_select(request.scope, request.period, filters))
    stmt = exports.entries_select(request.scope, request.period, filters, summary.closed.closed_at)
    return exports.entry_rows(stmt, set(summary.exemplary_ids))


def audit_export(user: User | None, request: ExportRequest, result: ExportResult) -> None:
    """Who exported what: format, period, area, table and rows (flushed with the session)."""
    what = request.table or ("all" if request.fmt == "xlsx" else "bulletin")
    record(
        user,
        None,
        "export",
        object_type="summary",
        to_state=request.fmt,
        note=f"{request.period.to_arg()} · {result.summary.area} · {what} · rows={result.rows}",
    )


def export_to_path(
    request: ExportRequest, path: Path, progress: Callable[[int], None] | None = None
) -> ExportResult:
    """Write the export to ``path`` atomically (a temporary file in the same folder, then a
    rename), so a failure leaves no partial file behind."""
    folder = path.parent
    handle, temporary = tempfile.mkstemp(prefix=".summary-", suffix=f".{request.fmt}", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            result = write_export(request, out, progress)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as any file the user writes, not mkstemp's 0600
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return result
