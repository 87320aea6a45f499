"""Database connection settings per backend, and how SQLite transactions begin.

SQLite allows one writer at a time. A transaction that starts by reading (a plain ``BEGIN``)
and then writes must upgrade its lock; if another connection writes meanwhile, the upgrade
fails at once with "database is locked", whatever the busy timeout. So a transaction that may
write takes the write lock up front (``BEGIN IMMEDIATE``) and waits its turn instead:

- requests with a method that changes things (POST, PUT, PATCH, DELETE), CLI commands and
  any code outside a request begin ``IMMEDIATE``;
- GET, HEAD and OPTIONS requests begin deferred, so readers never queue behind writers
  (WAL lets them read while one writer writes). A GET view that writes calls
  :func:`begin_writing` first.

Migrations (``flask db …``) run with foreign keys off: a batch table rebuild copies the table,
drops the old one and renames the copy, and with foreign keys on, that DROP would delete or
null every row that refers to it (``ON DELETE CASCADE`` / ``SET NULL``). Each migration's
transaction checks ``PRAGMA foreign_key_check`` before it commits.

PostgreSQL is left as it is.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import Flask, g, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from .extensions import db, migrate

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# On the app context of a `flask db …` command (set by Flask-Migrate's configure callback).
_RUNNING_MIGRATIONS = "tracker_running_migrations"
# On the request's app context once a GET view has called begin_writing().
_REQUEST_WRITES = "tracker_request_writes"
# On each pooled SQLite connection: whether PRAGMA foreign_keys is on right now.
_FOREIGN_KEYS_ON = "tracker_foreign_keys_on"


class ForeignKeyCheckFailed(RuntimeError):
    """A migration left rows that refer to rows that don't exist; it was rolled back."""


def init_app(app: Flask) -> None:
    """Tune SQLite connections when the app runs on SQLite."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    busy_timeout = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    with app.app_context():
        engine = db.engine
    _configure_sqlite(engine, busy_timeout)
    if _flag_migrations not in migrate.configure_callbacks:
        migrate.configure(_flag_migrations)


def begin_writing() -> None:
    """Call in a GET view before it writes (an export that leaves an audit row), before any
    change: ends the view's read-only transaction so that on SQLite the next one takes the
    write lock up front, rather than upgrading a read snapshot another writer may have moved
    past (which fails at once with "database is locked"). Harmless on PostgreSQL."""
    db.session.commit()
    if has_request_context():
        g.setdefault(_REQUEST_WRITES, True)


def is_postgresql() -> bool:
    """True when the bound database is PostgreSQL (else SQLite)."""
    return db.engine.dialect.name == "postgresql"


def _flag_migrations(config: Any) -> Any:
    # Flask-Migrate calls this in the app context of every `flask db …` command (and of
    # flask_migrate.upgrade() and friends) before Alembic opens its connection.
    g.setdefault(_RUNNING_MIGRATIONS, True)
    return config


def _running_migrations() -> bool:
    return has_app_context() and bool(g.get(_RUNNING_MIGRATIONS, False))


def _request_only_reads() -> bool:
    if not has_request_context() or request.method not in READ_ONLY_METHODS:
        return False
    return not g.get(_REQUEST_WRITES, False)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def set_sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
        # pysqlite's own transaction handling begins deferred and only before DML; turn it
        # off so that the "begin" listener below decides how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL lets readers go on while one writer writes; foreign keys are off by default in SQLite.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        connection_record.info[_FOREIGN_KEYS_ON] = True

    @event.listens_for(engine, "begin")
    def begin(conn: Connection) -> None:
        migrating = _running_migrations()
        statement = "BEGIN" if not migrating and _request_only_reads() else "BEGIN IMMEDIATE"
        # Straight to the driver, as pysqlite's own BEGIN was: statement hooks and query
        # counters see the queries, not the transaction bookkeeping.
        dbapi_connection = conn.connection.driver_connection
        info = conn.connection.info
        try:
            # PRAGMA foreign_keys is a no-op inside a transaction: set it before BEGIN.
            if info.get(_FOREIGN_KEYS_ON, True) == migrating:
                dbapi_connection.execute(f"PRAGMA foreign_keys={'OFF' if migrating else 'ON'}")
                info[_FOREIGN_KEYS_ON] = not migrating
            dbapi_connection.execute(statement)
        except sqlite3.Error as error:
            raise DBAPIError.instance(statement, None, error, sqlite3.Error) from error

    @event.listens_for(engine, "commit")
    def check_foreign_keys_before_commit(conn: Connection) -> None:
        if conn.connection.info.get(_FOREIGN_KEYS_ON, True):
            return
        problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise ForeignKeyCheckFailed(
                "rows refer to missing rows (table, rowid, parent, constraint): "
                + ", ".join(str(tuple(p)) for p in problems[:10])
            )
