"""Configuration order: defaults, instance/config.py, TRACKER_* environment variables."""

import pytest

from tracker import create_app
from tracker.config import ConfigError


def test_env_variables_override_instance_config(tmp_path, monkeypatch):
    import tracker

    (tmp_path / "config.py").write_text('PAGE_SIZE = 7\nSECRET_KEY = "from-instance-file"\n')
    monkeypatch.setenv("TRACKER_PAGE_SIZE", "9")
    monkeypatch.setenv("TRACKER_DATABASE_URL", "sqlite:///" + str(tmp_path / "env.sqlite3"))
    monkeypatch.setattr(tracker.Flask, "__init__", _with_instance(tracker.Flask.__init__, tmp_path))
    app = create_app()
    assert app.config["PAGE_SIZE"] == 9
    assert app.config["SECRET_KEY"] == "from-instance-file"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "env.sqlite3")


def _with_instance(original, instance):
    def init(self, *args, **kwargs):
        kwargs["instance_path"] = str(instance)
        original(self, *args, **kwargs)

    return init


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    import tracker

    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.setattr(tracker.Flask, "__init__", _with_instance(tracker.Flask.__init__, tmp_path))
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/tracker.sqlite3"
    # a development secret key is generated once and kept
    key = app.config["SECRET_KEY"]
    assert len(key) >= 32
    assert create_app().config["SECRET_KEY"] == key


def test_plain_postgresql_url_uses_psycopg3():
    app = create_app({"DATABASE_URL": "postgresql://u@127.0.0.1/x", "SECRET_KEY": "k" * 40})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@127.0.0.1/x"


@pytest.mark.parametrize("key", [None, "", "dev", "short-key"])
def test_production_refuses_to_start_without_a_real_secret_key(key):
    config = {"PRODUCTION": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    if key is not None:
        config["SECRET_KEY"] = key
    with pytest.raises(ConfigError, match="TRACKER_SECRET_KEY"):
        create_app(config)


def test_production_config_sets_secure_cookies():
    app = create_app(
        {"PRODUCTION": True, "SECRET_KEY": "x" * 48, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.sqlite_only
def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(app):
    from tracker.extensions import db

    with app.app_context():
        conn = db.session.connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
