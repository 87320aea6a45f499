"""`flask users …`: create accounts from the command line."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

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
def create_command(username: str, role: str, display_name: str, delegation_code: str | None,
                   password: str) -> None:
    """Create a staff or admin account (delegates' accounts come with the roster)."""
    if db.session.scalar(sa.select(User).where(User.username == username)):
        raise click.ClickException(f"user {username!r} already exists")
    delegation = None
    if delegation_code:
        delegation = db.session.scalar(sa.select(Delegation).where(Delegation.code == delegation_code))
        if delegation is None:
            raise click.ClickException(f"no delegation with code {delegation_code!r}")
    create_user(username=username, display_name=display_name, role=Role(role),
                password=password, delegation=delegation)
    db.session.commit()
    click.echo(f"created {role} {username}")
