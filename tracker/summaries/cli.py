"""`flask summary …`: export a month's summary and close a month, for scheduled jobs.

Exit status 0 on success, 1 when the export failed (no CJK font, a database error) and 2 on
bad arguments (month, format, path, delegation); nothing is left half-written.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..campaign.loader import active_campaign
from ..dates import MAX_YEAR, MIN_YEAR, Period, local_today, parse_month
from ..enums import Role
from ..extensions import db
from ..models import Delegation, User
from ..permissions import Scope
from ..reports.fonts import NoChineseFont
from .closing import MonthAlreadyClosed, MonthNotOver, close_month
from .services import ENTRIES, FORMATS, ExportError, ExportRequest, audit_export, export_to_path

summary_cli = AppGroup("summary", help="Monthly summaries (月度通报): export and close.")


def _month(value: str) -> Period:
    month = parse_month(value)
    if month is None:
        raise click.BadParameter(
            f"{value!r} is not a month like 2023-09 (years {MIN_YEAR} to {MAX_YEAR})",
            param_hint="--month",
        )
    period = Period.month(*month)
    if period.start > local_today():
        raise click.BadParameter(f"{value} has not begun yet", param_hint="--month")
    return period


def _campaign():
    campaign = active_campaign()
    if campaign is None:
        raise click.ClickException("no active campaign: run `flask campaign load` first")
    return campaign


@summary_cli.command("export")
@click.option("--month", "month", required=True, help="The month, e.g. 2023-09.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (replaced if it exists).",
)
@click.option("--delegation", "code", default=None, help="A delegation's code (default: the city).")
@click.option(
    "--table",
    default=ENTRIES,
    show_default=True,
    help="CSV only: which table (e.g. by_delegation) or the approved entries.",
)
def export_command(month: str, fmt: str, out: Path, code: str | None, table: str) -> None:
    """Write the summary of MONTH as xlsx, csv, docx or pdf."""
    period = _month(month)
    folder = out.resolve().parent
    if not folder.is_dir():
        raise click.BadParameter(f"folder {folder} does not exist", param_hint="--out")
    if not _writable(folder):
        raise click.BadParameter(f"cannot write in {folder}", param_hint="--out")
    delegation_id = None
    if code:
        delegation = db.session.scalar(sa.select(Delegation).where(Delegation.code == code))
        if delegation is None:
            raise click.BadParameter(f"no delegation with code {code!r}", param_hint="--delegation")
        delegation_id = delegation.id
    request = ExportRequest(
        campaign=_campaign(),
        scope=Scope(everything=True),
        period=period,
        today=local_today(),
        fmt=fmt,
        delegation_id=delegation_id,
        table=table if fmt == "csv" else None,
    )
    started = time.monotonic()

    def progress(rows: int) -> None:
        click.echo(f"  {rows:,} rows written ({time.monotonic() - started:.0f} s)", err=True)

    try:
        result = export_to_path(request, out, progress)
    except ExportError as exc:
        raise click.BadParameter(
            f"no table {exc} (see the summary page for the tables)", param_hint="--table"
        ) from exc
    except NoChineseFont as exc:
        raise click.ClickException(str(exc)) from exc
    audit_export(None, request, result)
    db.session.commit()
    closed = " (closed month)" if result.summary.closed else ""
    rows = f", {result.rows:,} rows" if fmt in ("xlsx", "csv") else ""
    click.echo(
        f"wrote {out} ({fmt}, {result.summary.area}, {period.to_arg()}{closed}{rows}) "
        f"in {time.monotonic() - started:.1f} s"
    )


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK)


@summary_cli.command("close")
@click.option("--month", "month", required=True, help="The month, e.g. 2023-09.")
@click.option("--user", "username", required=True, help="The staff account closing it.")
def close_command(month: str, username: str) -> None:
    """Close MONTH: keep its summary so later exports reproduce the same numbers."""
    period = _month(month)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if (
        user is None
        or not user.active
        or user.role not in (Role.STAFF, Role.ADMIN)
        or (user.role == Role.STAFF and user.delegation_id is not None)
    ):
        raise click.BadParameter("not an active city staff or admin account", param_hint="--user")
    try:
        closed = close_month(_campaign(), period, user, local_today())
    except MonthNotOver as exc:
        raise click.ClickException(f"{month} is not over yet") from exc
    except MonthAlreadyClosed as exc:
        raise click.ClickException(f"{month} is already closed") from exc
    db.session.commit()
    click.echo(f"closed {month}: {closed.activities:,} approved entries")
