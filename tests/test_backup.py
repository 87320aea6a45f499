"""`flask backup` and `flask restore`: a backup taken while delegates write is one moment's
data, and it restores, whole, into a new instance that then works. On SQLite, or on
PostgreSQL (pg_dump / pg_restore) when TRACKER_TEST_DATABASE_URL is set."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker import create_app
from tracker.extensions import db
from tracker.models import Activity, Delegate

from . import factories
from .conftest import AuthActions, fresh_database, make_config

VISITS_BEFORE = 20  # written before the backup starts
VISITS_AFTER = 20  # and after it ends, so the backup ran while the writer was busy


def on_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def counts_in_backup(path: Path, url: str) -> dict[str, int]:
    """Rows per table as stored in the backup file itself."""
    if on_sqlite(url):
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = [
                n
                for (n,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        finally:
            conn.close()
    script = subprocess.run(  # noqa: S603
        ["pg_restore", "--data-only", "--file", "-", str(path)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    counts: dict[str, int] = {}
    table = None
    for line in script.splitlines():
        if table is None:
            copy = re.match(r'COPY public\."?(\w+)"? \(.*\) FROM stdin;$', line)
            if copy:
                table = copy.group(1)
                counts[table] = 0
        elif line == "\\.":
            table = None
        else:
            counts[table] += 1  # COPY text format: one line per row
    return counts


def live_counts(app) -> dict[str, int]:
    with app.app_context(), db.engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
        return {
            t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables
        }


def wait_until(condition, what: str, deadline: float = 60) -> None:
    end = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < end, f"timed out waiting until {what}"
        time.sleep(0.01)


class VisitWriter(threading.Thread):
    """A delegate logging visits with two concern rows each, one transaction per visit."""

    def __init__(self, app, delegate_id: int):
        super().__init__(daemon=True)
        self.app, self.delegate_id = app, delegate_id
        self.written = 0
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            try:
                delegate = db.session.get(Delegate, self.delegate_id)
                while not self.stop.is_set():
                    factories.make_activity(delegate, concerns=2)
                    db.session.commit()
                    self.written += 1
            except Exception as error:  # noqa: BLE001 - reported by the test
                self.errors.append(repr(error))
            finally:
                db.session.remove()


def test_a_backup_taken_while_delegates_write_restores_whole_into_a_new_instance(
    app, world, tmp_path
):
    backup = tmp_path / "tracker.backup"
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    writer = VisitWriter(app, world.delegate_a)
    writer.start()
    try:
        wait_until(
            lambda: writer.written >= VISITS_BEFORE or writer.errors, "visits are being written"
        )
        result = app.test_cli_runner().invoke(args=["backup", str(backup)])
        after_backup = writer.written
        wait_until(
            lambda: writer.written >= after_backup + VISITS_AFTER or writer.errors,
            "more visits are written",
        )
    finally:
        writer.stop.set()
        writer.join(timeout=60)
    assert writer.errors == []
    assert result.exit_code == 0, result.output
    assert f"Backup written to {backup}" in result.output

    saved = counts_in_backup(backup, url)
    assert VISITS_BEFORE <= saved["activity"] < writer.written
    # one moment: every visit in the backup has both its concern rows, and no row is extra
    assert saved["concern"] == 2 * saved["activity"]
    assert set(saved) == set(db.metadata.tables) | {"alembic_version"}

    with fresh_database(tmp_path) as new_url:
        restored = create_app(make_config(new_url, tmp_path))
        runner = restored.test_cli_runner()
        try:
            result = runner.invoke(args=["restore", str(backup)])
            assert result.exit_code == 0, result.output
            assert live_counts(restored) == saved
            if on_sqlite(new_url):
                with restored.app_context():
                    assert db.session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
                    assert db.session.execute(sa.text("PRAGMA foreign_key_check")).all() == []
                    db.session.remove()

            # the restored instance works: the delegate logs in and finds every visit
            client = restored.test_client()
            assert AuthActions(client).login("dele_a").status_code == 302
            page = client.get("/activities/mine")
            assert page.status_code == 200
            assert f"共 {saved['activity']} 条" in page.get_data(as_text=True)
            with restored.app_context():
                assert db.session.scalar(sa.select(sa.func.count(Activity.id))) == saved["activity"]
                db.session.remove()

            # now it holds data: restoring over it again needs --yes
            result = runner.invoke(args=["restore", str(backup)])
            assert result.exit_code == 1
            assert "--yes" in result.output
            result = runner.invoke(args=["restore", str(backup), "--yes"])
            assert result.exit_code == 0, result.output
            assert live_counts(restored) == saved
        finally:
            with restored.app_context():
                db.session.remove()
                db.engine.dispose()


def test_restore_refuses_to_replace_a_database_that_holds_data(app, world, runner, tmp_path):
    backup = tmp_path / "tracker.backup"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    with app.app_context():
        factories.make_activity(db.session.get(Delegate, world.delegate_a), concerns=1)
        db.session.commit()
    before = live_counts(app)

    result = runner.invoke(args=["restore", str(backup)])

    assert result.exit_code == 1
    assert "already holds data" in result.output and "--yes" in result.output
    assert live_counts(app) == before


def test_backup_does_not_replace_an_existing_file_unless_forced(app, runner, tmp_path):
    backup = tmp_path / "tracker.backup"
    backup.write_bytes(b"yesterday's backup")

    result = runner.invoke(args=["backup", str(backup)])
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert backup.read_bytes() == b"yesterday's backup"

    result = runner.invoke(args=["backup", "--force", str(backup)])
    assert result.exit_code == 0, result.output
    assert counts_in_backup(backup, app.config["SQLALCHEMY_DATABASE_URI"])["campaign"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["tracker.backup"]  # no partial file left


@pytest.mark.parametrize("content", [b"", b"not a backup at all\n" * 100])
def test_restore_refuses_a_file_that_is_not_a_backup(app, runner, tmp_path, content):
    before = live_counts(app)
    wrong = tmp_path / "wrong.backup"
    wrong.write_bytes(content)

    result = runner.invoke(args=["restore", "--yes", str(wrong)])

    assert result.exit_code == 1
    assert "not a" in result.output and str(wrong) in result.output
    assert live_counts(app) == before


def test_backup_to_a_missing_folder_fails_clearly(runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "no-such-folder" / "tracker.backup")])
    assert result.exit_code != 0
    assert "does not exist" in result.output
