"""`flask campaign …`: load and inspect campaign definition files."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from .loader import CampaignFileError, load_campaign

campaign_cli = AppGroup("campaign", help="Load and inspect campaigns.")


@campaign_cli.command("load")
@click.argument("file", required=False)
@click.option(
    "--activate/--no-activate",
    default=None,
    help="Make this the active campaign (default: only if none is active).",
)
def load_command(file: str | None, activate: bool | None) -> None:
    """Load FILE (a campaign TOML file; default: the packaged Lanzhou campaign).

    Idempotent: loading the same file again changes nothing; rows the file no longer
    has are deleted when unused and retired when activities refer to them.
    """
    file = file or current_app.config["DEFAULT_CAMPAIGN_FILE"]
    try:
        report = load_campaign(file, activate=activate)
    except CampaignFileError as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        raise SystemExit(1) from exc
    db.session.commit()
    click.echo(
        f"campaign {report.campaign_code}: "
        + ("loaded" if report.changed else "already up to date, nothing changed")
    )
    for line in report.lines():
        click.echo(f"  {line}")
