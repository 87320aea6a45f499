"""`flask roster …`: import the delegate roster from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from .roster import DEFAULT_MAX_BYTES, RowStatus, apply_plan, plan_import

roster_cli = AppGroup("roster", help="Import the delegate roster (代表名册).")


@roster_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="Check the file and print what would change; write nothing."
)
@click.pass_context
def import_command(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Import delegates from an XLSX or CSV roster: all rows, or none if any row has an error.

    Exit status: 0 imported (or, with --dry-run, importable); 1 the file or some row has an
    error and nothing was changed; 2 bad arguments.
    """
    limit = current_app.config.get("ROSTER_MAX_BYTES") or DEFAULT_MAX_BYTES
    if file.stat().st_size > limit:
        click.echo(f"error: {file.name} is larger than {limit / 1024 / 1024:g} MB", err=True)
        ctx.exit(1)

    def progress(rows: int) -> None:
        click.echo(f"  {rows:,} rows read", err=True)

    plan = plan_import(file.read_bytes(), file.name, max_bytes=limit, progress=progress)
    for message in plan.errors:
        click.echo(f"error: {message}")
    for row in plan.rows:
        if row.status == RowStatus.ERROR:
            for message in row.messages:
                click.echo(f"row {row.number}: {message}")
    counts = plan.counts
    click.echo(
        f"{file.name}: {counts.created} to create, {counts.updated} to update, "
        f"{counts.unchanged} unchanged, {counts.errors} with errors, "
        f"{counts.stations} new stations"
    )
    if not plan.can_apply:
        click.echo("nothing imported: fix the file and run again", err=True)
        ctx.exit(1)
    if dry_run:
        click.echo("dry run: nothing written")
        return
    if not plan.has_changes:
        click.echo("the roster matches the delegates on file: nothing to import")
        return
    apply_plan(plan, None)
    db.session.commit()
    click.echo(
        f"imported: {counts.created} created, {counts.updated} updated, "
        f"{counts.stations} stations created"
    )
