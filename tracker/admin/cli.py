"""Administration from the command line: ``flask roster import`` (the delegate roster) and
``flask users …`` (accounts and passwords). Each command calls the same service as its
admin screen."""

from __future__ import annotations

import io
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..enums import Role
from ..extensions import db
from ..models import Delegation
from .accounts import (
    create_delegate_accounts,
    create_user,
    is_username_taken,
    reset_password,
    user_by_username,
    write_password_list,
)
from .lookups import delegation_by_code
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


users_cli = AppGroup("users", help="Manage accounts.")


def _delegation_option(code: str | None) -> Delegation | None:
    """The delegation a --delegation code names; an unknown code stops the command."""
    if not code:
        return None
    delegation = delegation_by_code(code)
    if delegation is None:
        raise click.ClickException(f"no delegation with code {code!r}")
    return delegation


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", "display_name", required=True, help="Name shown in the app.")
@click.option("--delegation", "delegation_code", help="Staff scope: a delegation code.")
@click.password_option()
def create_command(
    username: str, role: str, display_name: str, delegation_code: str | None, password: str
) -> None:
    """Create a staff or admin account (delegates' accounts: create-for-delegates)."""
    if is_username_taken(username):  # login ignores case, so must uniqueness
        raise click.ClickException(f"user {username!r} already exists")
    create_user(
        username=username,
        display_name=display_name,
        role=Role(role),
        password=password,
        delegation=_delegation_option(delegation_code),
    )
    db.session.commit()
    click.echo(f"created {role} {username}")


@users_cli.command("create-for-delegates")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The XLSX file to write the one-time passwords to (must not exist yet).",
)
@click.option(
    "--delegation",
    "delegation_code",
    help="Only the delegates of this delegation (its code); default every delegation.",
)
def create_for_delegates_command(out_path: Path, delegation_code: str | None) -> None:
    """Open an account for every delegate without one and write the one-time passwords to OUT.

    The username is the delegate's mobile number, or d + the zero-padded delegate id when there
    is none or it is taken. OUT (readable by its owner only) is the only copy of the passwords:
    hand it out, then delete it. Each delegate must change the password at first login.
    """
    if out_path.exists():
        raise click.ClickException(
            f"{out_path} exists; choose a new file (an old list may hold passwords handed out)"
        )
    issued = create_delegate_accounts(None, _delegation_option(delegation_code))
    if not issued:
        db.session.rollback()
        click.echo("every delegate already has an account; no file written")
        return
    buffer = io.BytesIO()
    write_password_list(issued, buffer)
    try:
        handle = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        db.session.rollback()
        raise click.ClickException(f"cannot write {out_path}: {error.strerror}") from error
    with os.fdopen(handle, "wb") as out:
        out.write(buffer.getvalue())
    try:
        db.session.commit()
    except Exception:
        out_path.unlink(missing_ok=True)  # no list of passwords for accounts that don't exist
        raise
    click.echo(f"created {len(issued)} delegate accounts; one-time passwords in {out_path}")


@users_cli.command("reset-password")
@click.argument("username")
def reset_password_command(username: str) -> None:
    """Give USERNAME a new one-time password and print it; the user must change it at first
    login, and every open session of the account ends."""
    user = user_by_username(username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    password = reset_password(None, user)
    db.session.commit()
    click.echo(f"one-time password for {user.username} (to be changed at first login):")
    click.echo(password)
