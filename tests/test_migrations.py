"""Migrations: one head, empty → head on a fresh database, the models agree with it, and an
upgrade keeps every row."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from tracker import create_app
from tracker.config import MIGRATIONS_FOLDER
from tracker.extensions import db

from .conftest import FAST_ARGON2, fresh_database


def test_there_is_a_single_head():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_FOLDER))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


@pytest.fixture
def fresh_database_url(tmp_path):
    with fresh_database(tmp_path) as url:
        yield url


def test_empty_to_head_then_models_match(fresh_database_url, tmp_path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": fresh_database_url,
            "SECRET_KEY": "k" * 40,
            "ARGON2_PARAMS": FAST_ARGON2,
        }
    )
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = compare_metadata(context, db.metadata)
            assert diffs == []
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        assert version is not None
        # and back down to nothing, and up again
        downgrade(revision="base")
        with db.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
        assert tables <= {"alembic_version"}
        upgrade()
        db.session.remove()
        db.engine.dispose()


def test_flask_db_check_is_clean(fresh_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url, "SECRET_KEY": "k" * 40})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.engine.dispose()


# --- upgrades keep every row ----------------------------------------------------------------------

ROWS_PER_TABLE = 3


def _revisions_base_to_head() -> list[str]:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_FOLDER))
    return [
        script.revision
        for script in reversed(list(ScriptDirectory.from_config(config).walk_revisions()))
    ]


def _value(column: sa.Column, head_type, i: int, parent_ids: dict[str, list]):
    """A valid value for ``column`` in row ``i``, as the schema at this revision wants it."""
    for fk in column.foreign_keys:
        ids = parent_ids[fk.column.table.name]
        return ids[i % len(ids)]
    enum_type = head_type if isinstance(head_type, sa.Enum) else None
    if enum_type is not None:
        return enum_type.enums[i % len(enum_type.enums)]
    if isinstance(column.type, sa.JSON):
        return [f"value-{i + 1}"]
    python_type = column.type.python_type
    if python_type is bool:
        return i % 2 == 1
    if python_type is int:
        return i + 1
    if python_type is datetime:
        return datetime(2024, i + 1, 2, 9, 30)
    if python_type is date:
        return date(2024, i + 1, 1)
    if python_type is str:
        length = getattr(column.type, "length", None) or 200
        return f"{column.name}-{i + 1}"[-length:]
    raise AssertionError(f"no sample value for {column.table.name}.{column.name} ({column.type})")


def _seed_empty_tables(conn) -> None:
    """Put ROWS_PER_TABLE rows, every column filled, into each table still empty at this revision."""
    metadata = sa.MetaData()
    metadata.reflect(conn)
    parent_ids: dict[str, list] = {}
    for table in metadata.sorted_tables:
        if table.name == "alembic_version":
            continue
        pk = list(table.primary_key.columns)
        if not conn.scalar(sa.select(sa.func.count()).select_from(table)):
            head = db.metadata.tables.get(table.name)
            rows = []
            for i in range(ROWS_PER_TABLE):
                row = {}
                for column in table.columns:
                    if (
                        column.primary_key
                        and column.autoincrement is not False
                        and len(pk) == 1
                        and not column.foreign_keys
                    ):
                        continue  # the database numbers it
                    head_type = (
                        head.c[column.name].type
                        if head is not None and column.name in head.c
                        else None
                    )
                    row[column.name] = _value(column, head_type, i, parent_ids)
                rows.append(row)
            conn.execute(table.insert(), rows)
        if len(pk) == 1:
            parent_ids[table.name] = list(conn.scalars(sa.select(pk[0]).order_by(pk[0])))


def _snapshot(conn) -> dict[str, list[dict]]:
    """Every row of every table, keyed by column name, in primary-key order."""
    metadata = sa.MetaData()
    metadata.reflect(conn)
    return {
        table.name: [
            dict(row._mapping)
            for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns))
        ]
        for table in metadata.sorted_tables
        if table.name != "alembic_version"
    }


def test_upgrading_a_populated_database_keeps_every_row(fresh_database_url):
    """Revision by revision from the first: fill the tables that revision adds, upgrade, and
    find every row written so far still there with the same values. On SQLite the batch table
    rebuilds (copy, drop, rename) must neither cascade deletes to child rows nor null their
    references."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url, "SECRET_KEY": "k" * 40})
    seen: dict[str, list[dict]] = {}
    for revision in _revisions_base_to_head():
        with app.app_context():
            upgrade(revision=revision)
        with app.app_context(), db.engine.begin() as conn:
            now = _snapshot(conn)
            for table, rows in seen.items():
                kept = [
                    {k: row[k] for k in before}
                    for row, before in zip(now[table], rows, strict=False)
                ]
                assert len(now[table]) == len(rows), (
                    f"{table} at {revision}: {len(rows)} → {len(now[table])} rows"
                )
                assert kept == rows, f"{table} changed when upgrading to {revision}"
            _seed_empty_tables(conn)
        with app.app_context(), db.engine.connect() as conn:
            seen = _snapshot(conn)
    counts = {table: len(rows) for table, rows in seen.items()}
    assert counts == dict.fromkeys(db.metadata.tables, ROWS_PER_TABLE)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        db.session.remove()
        db.engine.dispose()


@pytest.mark.sqlite_only
def test_sqlite_migrations_run_without_foreign_keys_and_check_them_before_committing(
    fresh_database_url,
):
    """Alembic's batch rebuilds need foreign keys off; the app gets them back on, and a
    migration transaction that leaves a dangling reference is rolled back."""
    from tracker.database import ForeignKeyCheckFailed

    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url, "SECRET_KEY": "k" * 40})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
        with pytest.raises(ForeignKeyCheckFailed), db.engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO activity_focus_area VALUES (999, 999)")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM activity_focus_area").scalar() == 0
    with app.app_context():  # the app itself, on the same pooled connection
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        db.session.remove()
        db.engine.dispose()
