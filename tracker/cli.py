"""Commands of the shared operations: ``flask backup``, ``flask restore`` and ``flask retention``.

Every package's commands live in a module named ``cli.py``: an area's in ``<area>/cli.py``,
these here. Commands parse their arguments, call a service and print what it did.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from .backup import restore_backup, write_backup
from .dates import local_today
from .extensions import db
from .retention import anonymise_concern_contacts, retention_cutoff


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Write a consistent copy of the database to PATH; the app may keep running.

    SQLite: a single database file. PostgreSQL: a pg_dump archive (custom format).
    Restore it with `flask restore PATH`.
    """
    summary = write_backup(path, force)
    click.echo(f"Backup written to {path}: {summary}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option(
    "--yes", is_flag=True, help="Replace the data of a database that is not empty (it is all lost)."
)
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the configured database with the backup at PATH.

    Stop the app first. A database that already holds data is only replaced with --yes.
    SQLite: PATH is a file written by `flask backup`. PostgreSQL: a pg_dump custom-format archive.
    """
    summary = restore_backup(path, yes)
    click.echo(f"Restored {path}: {summary}.")
    click.echo("If this version of the app is newer than the backup, run `flask db upgrade` next.")


retention_cli = AppGroup("retention", help="Personal data retention.")


@retention_cli.command("apply")
@click.option("--dry-run", is_flag=True, help="Only count what would be anonymised.")
def apply_command(dry_run: bool) -> None:
    """Anonymise citizens' contacts on concerns of campaigns that ended more than
    RETENTION_MONTHS months ago.

    The name and phone number are blanked; the concerns, their status and resolution stay,
    so figures do not change. Campaigns without an end date are never touched. Safe to run
    again (e.g. daily from cron): concerns already anonymised are skipped.
    """
    months = int(current_app.config["RETENTION_MONTHS"])
    today = local_today()
    results = anonymise_concern_contacts(today, months, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    cutoff = retention_cutoff(today, months)
    verb = "would anonymise" if dry_run else "anonymised"
    click.echo(f"retention: {months} months, campaigns that ended before {cutoff.isoformat()}")
    for line in results:
        click.echo(
            f"  {line.campaign_code} (ended {line.ends_on.isoformat()}): {verb} "
            f"{line.concerns} concerns, {line.with_contact} with a name or phone number"
        )
    total = sum(line.concerns for line in results)
    contacts = sum(line.with_contact for line in results)
    click.echo(f"{verb} {total} concerns in total, {contacts} with a name or phone number")
