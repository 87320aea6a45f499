"""Configuration: defaults, then instance/config.py, then TRACKER_* environment variables.

Nothing here is read at import time: :func:`load_config` runs inside ``create_app``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

# Where the checkout's folders are: templates, migrations and translations sit beside the
# package, and every module that needs one of them asks here.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_FOLDER = PROJECT_ROOT / "templates"
MIGRATIONS_FOLDER = PROJECT_ROOT / "migrations"
TRANSLATIONS_FOLDER = PROJECT_ROOT / "tracker" / "translations"

# Keys a deployment must never run with.
INSECURE_SECRET_KEYS = {"", "dev", "change-me", "secret"}
MIN_SECRET_KEY_LENGTH = 32


class DefaultConfig:
    """Settings every instance starts from; override them, don't edit them."""

    PRODUCTION = False
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None  # None: SQLite in the instance folder
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLITE_BUSY_TIMEOUT_MS = 10_000

    # Forms
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600  # an old delegate may take a long time to type
    WTF_I18N_ENABLED = True
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    # Language: Chinese first, English available
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")

    # Assets are served by the app itself: the users' intranets have no internet.
    BOOTSTRAP_SERVE_LOCAL = True

    # Sessions
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = 0
    SESSION_IDLE_MINUTES = 30  # signed out after this long without a request
    SESSION_MAX_HOURS = 12  # and this long after logging in, whatever happens

    # Login: per-account lockout (in the database, so it holds across workers and servers)
    # and per-address throttling (Flask-Limiter; shared through Redis when REDIS_URL is set).
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    LOGIN_RATE_LIMIT = "20 per minute"
    TRUSTED_PROXIES = 0  # proxies in front whose X-Forwarded-For/-Proto are believed (nginx: 1)
    REDIS_URL: str | None = None  # e.g. redis://127.0.0.1:6379/0
    RATELIMIT_ENABLED = True

    # Password policy (等保 2.0 level 2 style): length and character classes
    # (lower case, upper case, digits, others), never the user name.
    PASSWORD_MIN_LENGTH = 8
    PASSWORD_MIN_CLASSES = 3

    # Attachments on activities: size, and where files live (None: instance/attachments).
    ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    ATTACHMENT_MAX_PER_ACTIVITY = 10
    ATTACHMENT_FOLDER: str | None = None

    # Personal data: citizens' contacts on concerns of campaigns that ended more than this many
    # months ago are anonymised by `flask retention apply` (counts are kept).
    RETENTION_MONTHS = 36

    # Campaign loaded by `flask campaign load` without a file argument, and by `make run`
    DEFAULT_CAMPAIGN_FILE = "lanzhou-2023.toml"

    # Lists
    PAGE_SIZE = 20

    # Proposal handling (Delegates Law: reply within three months of assignment, six if complex)
    PROPOSAL_DUE_MONTHS = 3
    PROPOSAL_COMPLEX_DUE_MONTHS = 6
    # After a 不满意 rating, the next round's reply is due this many months later.
    PROPOSAL_REDO_MONTHS = 1
    # "Due soon" starts this many days before the due date.
    DUE_SOON_DAYS = 14

    # Dashboard: a delegate with no approved entry in this many days is listed as inactive.
    INACTIVE_DAYS = 60
    # Roster import: the uploaded file's size (at most MAX_CONTENT_LENGTH) and rows, and where
    # an upload waits between preview and confirm (None: instance/uploads).
    ROSTER_MAX_BYTES = 2 * 1024 * 1024
    ROSTER_MAX_ROWS = 20_000
    ROSTER_UPLOAD_FOLDER: str | None = None


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says what to change."""


def load_config(app: Flask, test_config: dict[str, Any] | None = None) -> None:
    """Fill ``app.config`` in the documented order and derive the database URI."""
    app.config.from_object(DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        # TRACKER_DATABASE_URL -> DATABASE_URL; values are parsed as JSON when they can be.
        app.config.from_prefixed_env("TRACKER")
    else:
        app.config.update(test_config)

    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(app)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    _settle_secret_key(app)
    if app.config["PRODUCTION"]:
        app.config["SESSION_COOKIE_SECURE"] = True


def database_uri(app: Flask) -> str:
    """The configured URL, or an SQLite file in the instance folder."""
    url = app.config.get("DATABASE_URL") or app.config.get("SQLALCHEMY_DATABASE_URI")
    if url:
        if url.startswith("postgresql://"):
            # psycopg 3 is the driver we install; name it so SQLAlchemy doesn't look for psycopg2.
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url
    return "sqlite:///" + str(Path(app.instance_path) / "tracker.sqlite3")


def engine_options(uri: str) -> dict[str, Any]:
    """Engine options per backend."""
    if uri.startswith("sqlite"):
        return {}
    return {"pool_pre_ping": True}


def _settle_secret_key(app: Flask) -> None:
    key = app.config.get("SECRET_KEY") or ""
    if app.config["PRODUCTION"]:
        if key in INSECURE_SECRET_KEYS or len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                "Production needs a real secret key: set TRACKER_SECRET_KEY to at least "
                f"{MIN_SECRET_KEY_LENGTH} random characters "
                '(python -c "import secrets; print(secrets.token_urlsafe(48))").'
            )
        return
    if key:
        return
    # Development: keep one random key in the instance folder so logins survive a restart.
    path = Path(app.instance_path) / "secret_key"
    if path.exists():
        app.config["SECRET_KEY"] = path.read_text().strip()
        return
    key = secrets.token_urlsafe(48)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key)
    os.chmod(path, 0o600)
    app.config["SECRET_KEY"] = key
