"""Migrations: one head, empty → head on a fresh database, and the models agree with it."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from tracker import PROJECT_ROOT, create_app
from tracker.extensions import db

from .conftest import FAST_ARGON2, fresh_database


def test_there_is_a_single_head():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


@pytest.fixture
def fresh_database_url(tmp_path):
    with fresh_database(tmp_path) as url:
        yield url


def test_empty_to_head_then_models_match(fresh_database_url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url, "SECRET_KEY": "k" * 40,
                      "ARGON2_PARAMS": FAST_ARGON2})
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
