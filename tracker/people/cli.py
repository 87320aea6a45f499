"""`flask users …`: create accounts and reset passwords from the command line."""

from __future__ import annotations

import io
import os
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..admin.accounts import (
    create_delegate_accounts,
    is_username_taken,
    reset_password,
    write_password_list,
)
from ..enums import Role
from ..extensions import db
from ..models import Delegation, User
from .services import create_user

users_cli = AppGroup("users", help="Manage accounts.")


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
    delegation = None
    if delegation_code:
        delegation = db.session.scalar(
            sa.select(Delegation).where(Delegation.code == delegation_code)
        )
        if delegation is None:
            raise click.ClickException(f"no delegation with code {delegation_code!r}")
    create_user(
        username=username,
        display_name=display_name,
        role=Role(role),
        password=password,
        delegation=delegation,
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
    delegation = None
    if delegation_code:
        delegation = db.session.scalar(
            sa.select(Delegation).where(Delegation.code == delegation_code)
        )
        if delegation is None:
            raise click.ClickException(f"no delegation with code {delegation_code!r}")
    issued = create_delegate_accounts(None, delegation)
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
    user = db.session.scalar(
        sa.select(User).where(sa.func.lower(User.username) == username.strip().lower())
    )
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    password = reset_password(None, user)
    db.session.commit()
    click.echo(f"one-time password for {user.username} (to be changed at first login):")
    click.echo(password)
