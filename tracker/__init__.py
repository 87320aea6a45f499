"""The delegate activity tracker: ``create_app`` builds the Flask application."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from .config import MIGRATIONS_FOLDER, TEMPLATE_FOLDER, load_config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the app: config, extensions, blueprints, CLI and error pages."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(TEMPLATE_FOLDER),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    load_config(app, test_config)

    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_template_helpers(app)
    register_error_handlers(app)
    return app


def register_extensions(app: Flask) -> None:
    from . import audit, auth, database, edge, i18n, ratelimit, security  # noqa: F401
    from .extensions import bootstrap, csrf, db, migrate

    edge.init_app(app)  # before any route: it sets the int converter every route uses
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(
        app, db, directory=str(MIGRATIONS_FOLDER), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    bootstrap.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    ratelimit.init_app(app)
    security.init_app(app)


def register_blueprints(app: Flask) -> None:
    from .activities.views import bp as activities_bp
    from .admin.views import bp as admin_bp
    from .attachments.views import bp as attachments_bp
    from .auth.views import bp as auth_bp
    from .campaign.views import bp as campaign_bp
    from .concerns.views import bp as concerns_bp
    from .dashboard.views import bp as dashboard_bp
    from .delegates.views import bp as delegates_bp
    from .main.views import bp as main_bp
    from .notifications.views import bp as notifications_bp
    from .proposals.views import bp as proposals_bp
    from .review.views import bp as review_bp
    from .summaries.views import bp as summaries_bp

    for blueprint in (
        main_bp,
        auth_bp,
        campaign_bp,
        activities_bp,
        review_bp,
        proposals_bp,
        concerns_bp,
        notifications_bp,
        dashboard_bp,
        delegates_bp,
        summaries_bp,
        admin_bp,
        attachments_bp,
    ):
        app.register_blueprint(blueprint)


def register_cli(app: Flask) -> None:
    from .admin.cli import roster_cli, users_cli
    from .campaign.cli import campaign_cli
    from .cli import backup_command, restore_command, retention_cli
    from .demo.cli import demo_command
    from .summaries.cli import summary_cli

    app.cli.add_command(campaign_cli)
    app.cli.add_command(roster_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(retention_cli)
    app.cli.add_command(summary_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(users_cli)


def register_template_helpers(app: Flask) -> None:
    from . import templating

    templating.init_app(app)


def register_error_handlers(app: Flask) -> None:
    from . import errors

    errors.init_app(app)
