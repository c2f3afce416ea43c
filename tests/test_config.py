"""Configuration: production refuses an insecure key; SQLite is set up for one eventlet process."""
from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.exc import TimeoutError as PoolTimeout

from community import _configure_database, create_app
from community.extensions import db
from config import INSECURE_KEY, ProductionConfig, TestingConfig


@pytest.mark.parametrize("key", [None, "", INSECURE_KEY, "too-short"])
def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, key):
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_accepts_a_real_secret_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "4f9c1e0b7a2d8e6f3b5c9a1d7e2f4b6c")
    ProductionConfig.validate()  # does not raise
    assert ProductionConfig.SESSION_COOKIE_SECURE is True


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite:///" + str(tmp_path / "wal.db")

    app = create_app(Config)  # SQLite whatever database the rest of the suite runs on
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar().lower() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        db.session.remove()
        db.engine.dispose()


def _options_for(async_mode: str, uri: str) -> dict:
    app = Flask(__name__)
    app.config.update(SQLALCHEMY_DATABASE_URI=uri, SOCKETIO_ASYNC_MODE=async_mode, SQLALCHEMY_ENGINE_OPTIONS={})
    _configure_database(app)
    return app.config["SQLALCHEMY_ENGINE_OPTIONS"]


def test_eventlet_mode_uses_one_sqlite_connection(tmp_path):
    uri = f"sqlite:///{tmp_path / 'one.db'}"
    options = _options_for("eventlet", uri)
    assert (options["pool_size"], options["max_overflow"]) == (1, 0)
    engine = create_engine(uri, **{**options, "pool_timeout": 0.2})
    try:
        assert engine.pool.size() == 1
        held = engine.connect()
        with pytest.raises(PoolTimeout):  # a second user waits for the one connection
            engine.connect()
        held.close()
        with engine.connect() as again:
            assert again.execute(text("select 1")).scalar() == 1
    finally:
        engine.dispose()


def test_threading_mode_and_postgresql_keep_a_normal_pool(tmp_path):
    options = _options_for("threading", f"sqlite:///{tmp_path / 'x.db'}")
    assert "pool_size" not in options and options["connect_args"] == {"timeout": 5}
    pg = _options_for("eventlet", "postgresql://u:p@localhost/db")
    assert pg.get("pool_pre_ping") is True and "pool_size" not in pg


def test_testing_config_is_safe_for_tests():
    assert TestingConfig.SOCKETIO_ASYNC_MODE == "threading"
    assert TestingConfig.SOCKETIO_MESSAGE_QUEUE is None
    assert TestingConfig.RATELIMIT_ENABLED is False
