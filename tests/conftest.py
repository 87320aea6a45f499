"""Fixtures: an app over a real database (SQLite, or PostgreSQL when
TRACKER_TEST_DATABASE_URL is set), a client, a CLI runner, and logins.

The schema is built once per run by the migrations themselves; each test starts
from empty tables with the packaged campaign loaded.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tracker import create_app
from tracker.campaign.loader import load_campaign
from tracker.extensions import db

from . import factories, machine

PG_ENV = "TRACKER_TEST_DATABASE_URL"
# argon2 with its defaults costs ~50 ms a hash; the suite creates many users.
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}

DESELECTED = pytest.StashKey[int]()
# Every test or module that skipped in this run, by node id.
skipped: list[str] = []


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "sqlite_only: about SQLite itself; deselected when the suite runs on PostgreSQL"
    )
    config.stash[DESELECTED] = 0


def pytest_report_header(config):
    url = os.environ.get(PG_ENV)
    parts = (
        "a missing one fails (make test, CI)"
        if machine.strict()
        else "a missing one skips (plain pytest; make test and CI fail instead)"
    )
    return [
        f"database: {'PostgreSQL (' + make_url(url).render_as_string(hide_password=True) + ')' if url else 'SQLite'}",
        f"machine parts (Chromium, poppler, Redis): {parts}",
    ]


def pytest_collection_modifyitems(config, items):
    """Tests about SQLite itself (locking, pragmas, migrations with foreign keys off) do not
    apply to PostgreSQL: there they are deselected, not skipped."""
    if not os.environ.get(PG_ENV):
        return
    dropped = [item for item in items if item.get_closest_marker("sqlite_only")]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        config.stash[DESELECTED] = len(dropped)
        items[:] = [item for item in items if not item.get_closest_marker("sqlite_only")]


def pytest_collectreport(report):
    if report.skipped:
        skipped.append(report.nodeid)


def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    """make test and CI never pass by skipping: there a skip fails the run."""
    if machine.strict() and skipped and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, config):
    deselected = config.stash[DESELECTED]
    if deselected:
        terminalreporter.write_line(
            f"{deselected} deselected: SQLite-only tests (marker sqlite_only) do not apply to "
            "PostgreSQL"
        )
    if skipped and machine.strict():
        terminalreporter.write_line(
            f"{len(skipped)} skipped, and make test and CI never pass by skipping "
            f"(first: {skipped[0]})",
            red=True,
        )


def create_postgres_database(base_url: str) -> str:
    """Create a fresh database next to ``base_url``'s and return its URL."""
    url = make_url(base_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    name = f"tracker_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(test_url: str) -> None:
    url = make_url(test_url)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def fresh_database(directory: Path):
    """A new empty database: a SQLite file in ``directory``, or a PostgreSQL database
    created next to TRACKER_TEST_DATABASE_URL's and dropped afterwards."""
    base = os.environ.get(PG_ENV)
    if not base:
        yield "sqlite:///" + str(directory / "test.sqlite3")
        return
    url = create_postgres_database(base)
    try:
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


def make_config(database_url: str, tmp_path: Path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production-use-000",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "ARGON2_PARAMS": FAST_ARGON2,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def migrated(database_url, tmp_path_factory):
    """Build the schema once, through the migrations."""
    from flask_migrate import upgrade

    app = create_app(make_config(database_url, tmp_path_factory.mktemp("m")))
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()
    return database_url


def empty_all_tables() -> None:
    db.session.remove()
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def app_config():
    """Override in a test module to change the app's config."""
    return {}


@pytest.fixture
def app(migrated, tmp_path, app_config):
    app = create_app(make_config(migrated, tmp_path, **app_config))
    with app.app_context():
        empty_all_tables()
        load_campaign(app.config["DEFAULT_CAMPAIGN_FILE"])
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context for tests that talk to the database directly."""
    with app.app_context():
        yield


@pytest.fixture
def world(app):
    """A small cast: delegates in two delegations, their accounts, staff and an admin."""
    with app.app_context():
        cast = factories.make_world()
        db.session.commit()
        return cast


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username: str, password: str = factories.PASSWORD, follow: bool = False):
        return self._client.post(
            "/auth/login",
            data={"username": username, "password": password},
            follow_redirects=follow,
        )

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


# --- a real browser ------------------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; make test installs it, so there it must be
    present (machine.absent)."""
    from .browser import CHROMIUM_ARGS, chromium_path

    path = chromium_path()
    if path is None:
        machine.absent(*machine.chromium_absent())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def base_url(app, world):
    """The app served on a loopback port, with the small cast loaded."""
    from .browser import serve

    with serve(app) as url:
        yield url


@pytest.fixture
def phone(browser, base_url):
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def desktop(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
