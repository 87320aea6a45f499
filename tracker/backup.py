"""A consistent copy of the database, and back (``flask backup PATH``, ``flask restore PATH``).

SQLite: the online backup API copies every page in one step inside one read transaction, so
the copy is the database as it stood at one moment even while the app goes on writing (WAL
lets the writer continue). The copy is a single self-contained file (no -wal beside it),
checked with ``PRAGMA integrity_check`` before it is renamed to PATH. Restoring goes through
the same API in the other direction: one write transaction on the configured database, so a
reader never sees half of it and a stale -wal file can't be replayed over it.

PostgreSQL: ``pg_dump --format=custom`` (one snapshot) and ``pg_restore --clean --if-exists``
in a single transaction: a restore that fails changes nothing.

Both commands exit non-zero with a message saying what to do when anything goes wrong.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import URL

from .extensions import db

# How long the PostgreSQL restore waits for a table that someone else (a running app) holds.
PG_RESTORE_LOCK_TIMEOUT = "60s"
VERSION_TABLE = "alembic_version"


class BackupError(click.ClickException):
    """Nothing usable was written; the message says why."""


def write_backup(path: Path, force: bool) -> str:
    """Write a consistent copy of the database to ``path`` (the app may keep running); returns
    what was copied, in words. Raises :class:`BackupError` when nothing usable was written."""
    if path.exists() and not force:
        raise BackupError(
            f"{path} already exists. Choose a new file name, or add --force to replace it."
        )
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    url = _database_url()
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        if url.get_backend_name() == "sqlite":
            summary = _backup_sqlite(_sqlite_path(url), partial)
        else:
            summary = _backup_postgresql(url, partial)
        _fsync(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return summary


def restore_backup(path: Path, yes: bool) -> str:
    """Replace the configured database with the backup at ``path``; returns what was
    restored, in words. A database that already holds data is only replaced when ``yes``."""
    url = _database_url()
    # Our own pooled connections must not hold anything open while the data is replaced.
    db.session.remove()
    if url.get_backend_name() == "sqlite":
        target = _sqlite_path(url)
        _check_sqlite_backup(path)
        rows = _sqlite_rows(target) if target.exists() else 0
        _refuse_to_overwrite(rows, yes, str(target))
        db.engine.dispose()
        summary = _restore_sqlite(path, target)
    else:
        _check_postgresql_backup(path)
        _refuse_to_overwrite(_postgresql_rows(), yes, url.render_as_string(hide_password=True))
        db.engine.dispose()
        _restore_postgresql(path, url)
        summary = _describe(_postgresql_counts())
    db.engine.dispose()
    return summary


# --- SQLite ------------------------------------------------------------------------------------


def _backup_sqlite(source: Path, destination: Path) -> str:
    if not source.is_file():
        raise BackupError(f"There is no database at {source}.")
    with _sqlite(source) as src, _sqlite(destination) as dst:
        # pages=-1: every page in one step, i.e. in one read transaction: one moment's data.
        src.backup(dst, pages=-1)
        # A single file that needs nothing beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        _require_integrity(dst, f"The copy of {source}")
        return _describe(_sqlite_counts(dst))


def _restore_sqlite(backup: Path, target: Path) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    with _sqlite(backup, read_only=True) as src, _sqlite(target) as dst:
        try:
            src.backup(dst, pages=-1)
        except sqlite3.OperationalError as error:
            raise BackupError(
                f"Could not write {target} ({error}). Is the app still running? Stop it and try again."
            ) from error
        dst.execute("PRAGMA journal_mode=WAL")
        _require_integrity(dst, str(target))
        return _describe(_sqlite_counts(dst))


def _check_sqlite_backup(backup: Path) -> None:
    try:
        with _sqlite(backup, read_only=True) as conn:
            _require_integrity(conn, str(backup))
            tables = _sqlite_tables(conn)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{backup} is not a SQLite backup of the tracker ({error}).") from error
    if VERSION_TABLE not in tables:
        raise BackupError(f"{backup} is a SQLite database but not a backup of the tracker.")


def _sqlite_rows(path: Path) -> int:
    with _sqlite(path) as conn:
        return sum(n for table, n in _sqlite_counts(conn).items() if table != VERSION_TABLE)


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    return [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        for table in _sqlite_tables(conn)
    }


def _require_integrity(conn: sqlite3.Connection, what: str) -> None:
    result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        raise BackupError(f"{what} failed the integrity check: {'; '.join(result[:5])}")


@contextmanager
def _sqlite(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    if read_only:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    else:
        conn = sqlite3.connect(path, isolation_level=None)
    with closing(conn):
        conn.execute(f"PRAGMA busy_timeout={int(current_app.config['SQLITE_BUSY_TIMEOUT_MS'])}")
        yield conn


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError(
            "The configured SQLite database is in memory: there is nothing to back up or restore."
        )
    return Path(url.database)


# --- PostgreSQL --------------------------------------------------------------------------------


def _backup_postgresql(url: URL, destination: Path) -> str:
    _run(
        [
            _pg_tool("pg_dump"),
            "--format=custom",
            "--file",
            str(destination),
            "--dbname",
            _libpq(url),
        ],
        url,
        failure="pg_dump could not back up the database",
    )
    listing = _run(
        [_pg_tool("pg_restore"), "--list", str(destination)],
        url,
        failure="The archive pg_dump wrote cannot be read back",
    )
    tables = sum(1 for line in listing.splitlines() if " TABLE DATA " in line)
    return f"{tables} tables, {destination.stat().st_size:,} bytes (pg_dump custom format)"


def _restore_postgresql(backup: Path, url: URL) -> None:
    _run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--dbname",
            _libpq(url),
            str(backup),
        ],
        url,
        failure="pg_restore failed and nothing was changed (one transaction). Is the app still "
        "running? Stop it and try again",
        pgoptions=f"-c lock_timeout={PG_RESTORE_LOCK_TIMEOUT}",
    )


def _check_postgresql_backup(backup: Path) -> None:
    with open(backup, "rb") as file:
        if file.read(16).startswith(b"SQLite format 3"):
            raise BackupError(
                f"{backup} is a SQLite backup, but the configured database is PostgreSQL."
            )
    _run(
        [_pg_tool("pg_restore"), "--list", str(backup)],
        None,
        failure=f"{backup} is not a pg_dump custom-format archive",
    )


def _postgresql_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
        counts = {
            t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables
        }
    db.engine.dispose()
    return counts


def _postgresql_rows() -> int:
    return sum(n for table, n in _postgresql_counts().items() if table != VERSION_TABLE)


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def _libpq(url: URL) -> str:
    """The URL for libpq tools; the password goes through the environment, not the command line."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str], url: URL | None, *, failure: str, pgoptions: str | None = None) -> str:
    env = dict(os.environ)
    if url is not None and url.password:
        env["PGPASSWORD"] = str(url.password)
    if pgoptions:
        env["PGOPTIONS"] = pgoptions
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()
        raise BackupError(
            f"{failure}: {' / '.join(detail[-3:]) or 'exit code ' + str(result.returncode)}"
        )
    return result.stdout


# --- both --------------------------------------------------------------------------------------


def _database_url() -> URL:
    return db.engine.url


def _refuse_to_overwrite(rows: int, yes: bool, where: str) -> None:
    if rows and not yes:
        raise BackupError(
            f"The database {where} already holds data ({rows:,} rows). Restoring replaces all of it: "
            "stop the app, make a backup of it if it may be needed, then run again with --yes."
        )


def _describe(counts: dict[str, int]) -> str:
    rows = sum(n for table, n in counts.items() if table != VERSION_TABLE)
    parts = [f"{len(counts)} tables, {rows:,} rows"]
    for table in ("activity", "concern", "user_account"):
        if table in counts:
            parts.append(f"{table} {counts[table]:,}")
    return ", ".join(parts)


def _fsync(path: Path) -> None:
    with open(path, "rb") as file:
        os.fsync(file.fileno())
