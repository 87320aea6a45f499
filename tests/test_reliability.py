"""Reliability: concurrent writers, a worker killed in the middle of a write, and an audit log
that the ORM cannot rewrite. Each test runs on SQLite, or on PostgreSQL when
TRACKER_TEST_DATABASE_URL is set (the tests of SQLite's locking, marked sqlite_only, are left out there)."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import selectinload

from tracker import create_app
from tracker.activities.forms import MAX_CONCERNS
from tracker.audit import AuditLogIsAppendOnly, record
from tracker.auth import public
from tracker.campaign.loader import load_campaign
from tracker.config import PROJECT_ROOT
from tracker.database import begin_writing
from tracker.extensions import db
from tracker.models import Activity, AuditEntry, Concern, Delegate

from . import factories
from .browser import serve
from .conftest import FAST_ARGON2, fresh_database, make_config
from .reliability_app import WebClient, make_delegate_accounts, visit_form


def on_sqlite(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def sqlite_file(url: str) -> Path:
    return Path(make_url(url).database)


# --- how SQLite transactions begin ---------------------------------------------------------------


@pytest.fixture
def begins(app):
    """The BEGIN statements SQLite receives from the app, in order."""
    seen: list[str] = []

    def trace(dbapi_connection, _record):
        dbapi_connection.set_trace_callback(
            lambda sql: seen.append(sql) if sql.startswith("BEGIN") else None
        )

    with app.app_context():
        engine = db.engine
    engine.dispose()  # from now on every connection is traced
    event.listen(engine, "connect", trace)
    yield seen
    event.remove(engine, "connect", trace)
    engine.dispose()


@pytest.mark.sqlite_only
def test_sqlite_reads_begin_deferred_and_writes_take_the_write_lock_up_front(
    app, client, auth, world, begins
):
    auth.login("dele_a")
    begins.clear()
    assert client.get("/activities/mine").status_code == 200
    assert client.head("/activities/mine").status_code == 200
    assert begins and set(begins) == {"BEGIN"}

    begins.clear()
    response = client.post("/activities/new", data=visit_form("", "走访", concerns=2))
    assert response.status_code == 302
    assert begins and set(begins) == {"BEGIN IMMEDIATE"}

    begins.clear()
    with app.app_context():
        db.session.scalar(sa.select(sa.func.count(Activity.id)))
        db.session.remove()
    assert begins == ["BEGIN IMMEDIATE"]  # scripts, CLI commands, anything outside a request


@pytest.mark.sqlite_only
def test_a_get_view_that_goes_on_to_write_takes_the_write_lock_for_the_rest(app, begins):
    def export_with_audit_row():
        db.session.scalar(sa.select(sa.func.count(Activity.id)))  # the long read
        begin_writing()
        record(None, None, "export", object_type="summary")
        db.session.commit()
        return "done"

    app.add_url_rule("/probe/export", view_func=public(export_with_audit_row))
    client = app.test_client()
    assert client.get("/probe/export").status_code == 200
    assert begins == ["BEGIN", "BEGIN IMMEDIATE"]
    begins.clear()
    assert client.get("/probe/export").status_code == 200
    assert begins == ["BEGIN", "BEGIN IMMEDIATE"]  # the next request reads deferred again


@pytest.mark.sqlite_only
@pytest.mark.parametrize("app_config", [{"SQLITE_BUSY_TIMEOUT_MS": 500}])
def test_sqlite_pages_load_while_another_connection_holds_the_write_lock(app, client, auth, world):
    auth.login("dele_a")
    other = sqlite3.connect(
        sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"]), isolation_level=None
    )
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE delegate SET job_title = job_title")
        assert client.get("/activities/mine").status_code == 200
        assert client.get("/activities/new").status_code == 200
    finally:
        other.execute("ROLLBACK")
        other.close()


# --- many delegates submitting at once --------------------------------------------------------------

THREADS = 8
SUBMISSIONS_PER_THREAD = 50
CONCERNS_PER_VISIT = 2


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_eight_delegates_submitting_fifty_visits_each_at_once_lose_nothing(app, caplog):
    """400 visits with 2 concern rows each through the served app from 8 threads, some pages
    read in between: every answer is the expected redirect and every row lands, whole."""
    caplog.set_level(logging.WARNING)
    with app.app_context():
        usernames = make_delegate_accounts(THREADS)
        db.session.commit()

    problems: list[str] = []
    created: dict[str, list[int]] = {name: [] for name in usernames}
    ready = threading.Barrier(THREADS)

    def delegate_at_work(username: str, base_url: str) -> None:
        try:
            browser = WebClient(base_url)
            browser.log_in(username)
            token = browser.csrf_token("/activities/new")
            ready.wait(timeout=120)
            for n in range(SUBMISSIONS_PER_THREAD):
                response = browser.post(
                    "/activities/new",
                    visit_form(token, f"{username} 第{n + 1}次走访", CONCERNS_PER_VISIT),
                )
                found = re.fullmatch(r"(?:http://[^/]+)?/activities/(\d+)", response.location)
                if response.status != 302 or not found:
                    problems.append(f"{username} #{n + 1}: {response.status} {response.text[:300]}")
                    continue
                created[username].append(int(found.group(1)))
                if n % 10 == 9:
                    page = browser.get("/activities/mine")
                    if page.status != 200:
                        problems.append(f"{username} list: {page.status}")
        except Exception as error:  # noqa: BLE001 - every failure is reported below
            problems.append(f"{username}: {error!r}")

    with serve(app) as base_url:
        threads = [
            threading.Thread(target=delegate_at_work, args=(name, base_url)) for name in usernames
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=240)
        assert not any(thread.is_alive() for thread in threads), "a delegate's thread hung"

    assert problems == []
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR or "locked" in r.getMessage()]
    assert logged == []
    assert "database is locked" not in caplog.text

    total = THREADS * SUBMISSIONS_PER_THREAD
    with app.app_context():
        activities = db.session.scalars(
            sa.select(Activity).options(
                selectinload(Activity.concerns), selectinload(Activity.delegate)
            )
        ).all()
        assert len(activities) == total
        assert db.session.scalar(sa.select(sa.func.count(Concern.id))) == total * CONCERNS_PER_VISIT
        assert all([c.position for c in a.concerns] == [1, 2] for a in activities)
        assert all(a.concerns[1].content.startswith(a.title) for a in activities)
        ids = sorted(i for ids in created.values() for i in ids)
        assert ids == sorted(a.id for a in activities)
        per_delegate = Counter(a.delegate.user.username for a in activities)
        assert per_delegate == dict.fromkeys(usernames, SUBMISSIONS_PER_THREAD)
        if on_sqlite(app):
            assert db.session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
            assert db.session.execute(sa.text("PRAGMA foreign_key_check")).all() == []
        db.session.remove()


# --- a worker killed in the middle of a write ------------------------------------------------------

GUNICORN = Path(sys.executable).with_name("gunicorn")
SECRET = "crash-test-secret-key-not-for-production-0000"


class Gunicorn:
    """`gunicorn -w 2 "tracker:create_app()"` on a free loopback port, logging to a file."""

    def __init__(self, database_url: str, log: Path):
        self.log = log
        self.env = {
            **os.environ,
            "TRACKER_DATABASE_URL": database_url,
            "TRACKER_SECRET_KEY": SECRET,
            "TRACKER_ARGON2_PARAMS": json.dumps(FAST_ARGON2),
        }
        self.process: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> None:
        assert GUNICORN.exists(), f"{GUNICORN} is missing: gunicorn is pinned in requirements.txt"
        self.log.write_text("")
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [
                    str(GUNICORN),
                    "-w",
                    "2",
                    "-b",
                    "127.0.0.1:0",
                    "--timeout",
                    "120",
                    "--graceful-timeout",
                    "10",
                    "tracker:create_app()",
                ],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
            )
        self.port = int(self._wait_for(r"Listening at: http://127\.0\.0\.1:(\d+)"))
        self._wait_for(r"Booting worker with pid")

    def _wait_for(self, pattern: str, deadline: float = 60) -> str:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            found = re.search(pattern, self.log.read_text())
            if found:
                return found.group(1) if found.groups() else found.group(0)
            assert self.process.poll() is None, f"gunicorn exited:\n{self.log.read_text()}"
            time.sleep(0.05)
        raise AssertionError(f"gunicorn never logged {pattern!r}:\n{self.log.read_text()}")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def worker_holding(self, client: socket.socket, deadline: float = 30) -> int:
        """The worker that accepted the connection ``client`` made (Linux /proc)."""
        client_port = client.getsockname()[1]
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            inodes = {
                fields[9]
                for fields in (
                    line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                )
                if int(fields[1].split(":")[1], 16) == self.port
                and int(fields[2].split(":")[1], 16) == client_port
            }
            for worker in self.workers():
                try:
                    links = {
                        os.readlink(f"/proc/{worker}/fd/{fd}")
                        for fd in os.listdir(f"/proc/{worker}/fd")
                    }
                except FileNotFoundError:
                    continue
                if any(f"socket:[{inode}]" in links for inode in inodes):
                    return worker
            time.sleep(0.01)
        raise AssertionError("no worker picked up the request")

    def wait_for_workers(self, count: int, without: int, deadline: float = 60) -> None:
        end = time.monotonic() + deadline
        while True:
            workers = self.workers()
            if without not in workers and len(workers) == count:
                return
            assert time.monotonic() < end, f"gunicorn did not replace worker {without}: {workers}"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@contextmanager
def running(server: Gunicorn):
    server.start()
    try:
        yield server
    finally:
        server.stop()


class SQLiteMiddle:
    """Makes the middle of the write visible and long on SQLite, from the test side only.

    Test-only triggers on the throwaway database: inserting the activity row also writes a
    32 MB blob, more than SQLite's page cache holds, so the uncommitted transaction spills to
    the -wal file (which the test watches grow); each concern row then costs a few million
    row visits, so the rest of the write lasts seconds. The kill lands after the activity row
    was written and before the concern rows were all written: in the middle, every time.
    """

    BLOB = 32 * 1024 * 1024

    def __init__(self, url: str):
        self.path = sqlite_file(url)
        self.wal = Path(f"{self.path}-wal")

    def arm(self) -> None:
        with closing_sqlite(self.path) as conn:
            conn.executescript(f"""
                CREATE TABLE crash_ballast (payload BLOB);
                CREATE TABLE crash_counter (n INTEGER);
                INSERT INTO crash_counter
                    WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1500)
                    SELECT n FROM c;
                CREATE TRIGGER crash_spill AFTER INSERT ON activity BEGIN
                    INSERT INTO crash_ballast VALUES (zeroblob({self.BLOB}));
                END;
                CREATE TRIGGER crash_slow AFTER INSERT ON concern BEGIN
                    SELECT count(*) FROM crash_counter a, crash_counter b;
                END;
            """)
        self.baseline = self.wal.stat().st_size if self.wal.exists() else 0

    def reached(self) -> bool:
        return self.wal.exists() and self.wal.stat().st_size > self.baseline + self.BLOB // 2

    def release(self) -> None:
        pass

    def disarm(self) -> None:
        with closing_sqlite(self.path) as conn:
            assert conn.execute("SELECT count(*) FROM crash_ballast").fetchone()[0] == 0
            conn.executescript("""
                DROP TRIGGER crash_spill; DROP TRIGGER crash_slow;
                DROP TABLE crash_ballast; DROP TABLE crash_counter;
            """)


class PostgreSQLMiddle:
    """Holds the write in the middle on PostgreSQL: the test locks the concern category row
    FOR UPDATE, so the request's first concern INSERT (its foreign-key check wants a KEY SHARE
    lock on that row) waits, after the activity row was inserted in the same transaction."""

    def __init__(self, url: str):
        self.engine = sa.create_engine(url)

    def arm(self) -> None:
        self.lock = self.engine.connect()
        self.lock.execute(
            sa.text("SELECT id FROM concern_category WHERE code = 'transport' FOR UPDATE")
        )
        self.waiting_pid: int | None = None

    def reached(self) -> bool:
        with self.engine.connect() as conn:
            self.waiting_pid = conn.scalar(
                sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO concern%'"
                )
            )
            if self.waiting_pid is None:
                return False
            # and the activity row is already written in that transaction
            return bool(
                conn.scalar(
                    sa.text(
                        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                        "WHERE l.pid = :pid AND c.relname = 'activity' AND l.mode = 'RowExclusiveLock'"
                    ),
                    {"pid": self.waiting_pid},
                )
            )

    def release(self) -> None:
        self.lock.rollback()
        self.lock.close()
        # The orphaned backend finds its client gone and rolls back; wait until it has. (A new
        # transaction per look: pg_stat_activity is read once per transaction.)
        end = time.monotonic() + 60
        with self.engine.connect() as conn:
            while conn.scalar(
                sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": self.waiting_pid},
            ):
                conn.rollback()
                assert time.monotonic() < end, "the killed worker's backend never went away"
                time.sleep(0.05)

    def disarm(self) -> None:
        self.engine.dispose()


@contextmanager
def closing_sqlite(path: Path):
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout=10000")
        yield conn
    finally:
        conn.close()


def table_counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                "activity": conn.scalar(sa.text("SELECT count(*) FROM activity")),
                "concern": conn.scalar(sa.text("SELECT count(*) FROM concern")),
                "activity_without_concerns": conn.scalar(
                    sa.text(
                        "SELECT count(*) FROM activity a WHERE NOT EXISTS "
                        "(SELECT 1 FROM concern c WHERE c.activity_id = a.id)"
                    )
                ),
                "orphan_concerns": conn.scalar(
                    sa.text(
                        "SELECT count(*) FROM concern c WHERE NOT EXISTS "
                        "(SELECT 1 FROM activity a WHERE a.id = c.activity_id)"
                    )
                ),
                "audit_without_activity": conn.scalar(
                    sa.text(
                        "SELECT count(*) FROM audit_entry e WHERE e.object_type = 'activity' AND NOT EXISTS "
                        "(SELECT 1 FROM activity a WHERE a.id = e.object_id)"
                    )
                ),
            }
    finally:
        engine.dispose()


def prepare_database(url: str, tmp_path: Path) -> str:
    app = create_app(make_config(url, tmp_path))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    with app.app_context():
        load_campaign(app.config["DEFAULT_CAMPAIGN_FILE"])
        (username,) = make_delegate_accounts(1, prefix="crash")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return username


def submit(server: Gunicorn, username: str, concerns: int, title: str) -> None:
    browser = WebClient(server.base_url)
    browser.log_in(username)
    token = browser.csrf_token("/activities/new")
    response = browser.post("/activities/new", visit_form(token, title, concerns))
    assert response.status == 302, (response.status, response.text[:500])


def test_a_worker_killed_in_the_middle_of_a_write_leaves_no_partial_rows(tmp_path):
    """gunicorn -w 2; a visit with the most concern rows the form takes; SIGKILL the worker
    serving it after the activity row is written and before the commit. Nothing of it stays,
    the database is sound, and the app serves (and writes) again, after a restart too."""
    with fresh_database(tmp_path) as url:
        username = prepare_database(url, tmp_path)
        middle = SQLiteMiddle(url) if url.startswith("sqlite") else PostgreSQLMiddle(url)
        server = Gunicorn(url, tmp_path / "gunicorn.log")
        with running(server):
            submit(server, username, CONCERNS_PER_VISIT, "崩溃前的走访")
            before = table_counts(url)
            assert before["activity"] == 1 and before["concern"] == CONCERNS_PER_VISIT

            browser = WebClient(server.base_url)
            browser.log_in(username)
            token = browser.csrf_token("/activities/new")
            middle.arm()
            conn = browser.connect()
            browser.send(
                conn, "POST", "/activities/new", visit_form(token, "写到一半的走访", MAX_CONCERNS)
            )
            worker = server.worker_holding(conn.sock)
            end = time.monotonic() + 120
            while not middle.reached():
                assert time.monotonic() < end, (
                    f"the write never reached its middle:\n{server.log.read_text()}"
                )
                assert conn.sock is not None
                time.sleep(0.005)
            os.kill(worker, signal.SIGKILL)
            with pytest.raises((ConnectionError, OSError)):
                browser.receive(conn)  # no answer: the connection dropped mid-request
            middle.release()

            assert table_counts(url) == before
            if url.startswith("sqlite"):
                with closing_sqlite(sqlite_file(url)) as check:
                    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                    assert check.execute("PRAGMA foreign_key_check").fetchall() == []
            # gunicorn has replaced the worker; the app answers
            assert WebClient(server.base_url).get("/auth/login").status == 200
            server.wait_for_workers(2, without=worker)
        middle.disarm()

        with running(server):
            submit(server, username, MAX_CONCERNS, "重启后的走访")
        after = table_counts(url)
        assert after == {**before, "activity": 2, "concern": CONCERNS_PER_VISIT + MAX_CONCERNS}


# --- the audit log is append-only, bulk statements included -------------------------------------


def bulk_changes():
    return {
        "update()": lambda: db.session.execute(sa.update(AuditEntry).values(note="tampered")),
        "delete()": lambda: db.session.execute(sa.delete(AuditEntry)),
        "query.update": lambda: db.session.query(AuditEntry).update({"note": "tampered"}),
        "query.delete": lambda: db.session.query(AuditEntry).delete(),
    }


@pytest.mark.parametrize("statement", list(bulk_changes()))
def test_bulk_orm_statements_cannot_change_or_delete_audit_rows(ctx, world, statement):
    delegate = db.session.get(Delegate, world.delegate_a)
    entry = record(None, factories.make_activity(delegate), "approve")
    db.session.commit()
    entry_id = entry.id
    with pytest.raises(AuditLogIsAppendOnly):
        bulk_changes()[statement]()
        db.session.flush()
    db.session.rollback()
    assert db.session.scalars(sa.select(AuditEntry.note)).all() == [""]
    assert db.session.get(AuditEntry, entry_id) is not None
