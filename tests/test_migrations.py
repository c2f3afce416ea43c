"""The migrations build exactly the schema the models describe, and go down and up again.

Runs on a temporary SQLite file, or on PostgreSQL when TEST_DATABASE_URL points there
(the database is emptied first, and afterwards given back the models' tables for the other tests).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from community import create_app
from community.extensions import db
from community.search import is_index_table
from config import TestingConfig, normalise_database_url

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = str(ROOT / "migrations")


def _head() -> str:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig(os.path.join(MIGRATIONS, "alembic.ini"))
    config.set_main_option("script_location", MIGRATIONS)
    return ScriptDirectory.from_config(config).get_current_head()


def _model_tables() -> set[str]:
    return {table.name for table in db.metadata.sorted_tables}


@pytest.fixture
def empty_database(tmp_path):
    """A URL of an empty database: a fresh SQLite file, or the PostgreSQL test database wiped."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield "sqlite:///" + str(tmp_path / "migrations.db")
        return
    engine = create_engine(normalise_database_url(url))

    def wipe():
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))

    wipe()
    yield url
    wipe()
    db.metadata.create_all(engine)  # the other tests share one schema, created once per run
    engine.dispose()


@pytest.fixture
def migrating_app(empty_database, monkeypatch):
    # env.py calls logging.config.fileConfig(), which would silence every logger other
    # tests rely on; the CLI keeps it, the in-process test does not need it.
    monkeypatch.setattr("logging.config.fileConfig", lambda *args, **kwargs: None)

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = empty_database

    app = create_app(Config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _schema_diff() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "compare_server_default": False,
                                                         "include_name": _not_the_search_index})
        return compare_metadata(context, db.metadata)


def _not_the_search_index(name, type_, _parents) -> bool:
    # community.search's full-text index (FTS5 / tsvector tables) is made by its own migration.
    return not (type_ == "table" and is_index_table(name))


def _tables() -> set[str]:
    return {t for t in inspect(db.engine).get_table_names() if not is_index_table(t)} - {"alembic_version"}


def _revision() -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_upgrade_matches_the_models_then_downgrade_and_upgrade_again(migrating_app):
    from flask_migrate import downgrade, upgrade

    upgrade(directory=MIGRATIONS)
    assert _revision() == _head()
    assert _tables() == _model_tables()
    diff = _schema_diff()
    assert diff == [], "The models and the migrations differ; run `flask db migrate`:\n" + \
        "\n".join(map(str, diff))

    downgrade(directory=MIGRATIONS, revision="base")
    assert _revision() is None
    assert _tables() == set()

    upgrade(directory=MIGRATIONS)
    assert _revision() == _head()
    assert _schema_diff() == []


def test_one_head_only():
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig(os.path.join(MIGRATIONS, "alembic.ini"))
    config.set_main_option("script_location", MIGRATIONS)
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"Several migration heads, merge them: {heads}"


def test_flask_db_upgrade_command_on_an_empty_database(empty_database):
    """The command `make run` uses, in a subprocess, exactly as a person would run it."""
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "FLASK_APP")}
    env.update(DATABASE_URL=empty_database, SOCKETIO_ASYNC_MODE="threading",
               PYTHONWARNINGS="ignore::DeprecationWarning")
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    engine = create_engine(normalise_database_url(empty_database))
    try:
        tables = set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            revision = MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
    assert revision == _head()
    assert "post_fts" in tables
    tables = {t for t in tables if not is_index_table(t)}
    assert tables - {"alembic_version"} == {t.name for t in db.metadata.sorted_tables}


def test_search_scale_indexes_the_unspaced_posts_by_id_on_postgresql(migrating_app):
    """i17_search_scale: PostgreSQL's index of the unspaced posts newest first (what
    community/search/index.py's DDL makes for a fresh database too); nothing on SQLite."""
    from flask_migrate import downgrade, upgrade

    def indexes() -> set[str]:
        return {i["name"] for i in inspect(db.engine).get_indexes("post_fts")}

    upgrade(directory=MIGRATIONS, revision="i17_search_scale")
    if db.engine.dialect.name != "postgresql":
        assert _revision() == "i17_search_scale"
        return
    assert "ix_post_fts_unspaced_id" in indexes()
    downgrade(directory=MIGRATIONS, revision="i18_files")
    assert "ix_post_fts_unspaced_id" not in indexes()
    upgrade(directory=MIGRATIONS)
    assert "ix_post_fts_unspaced_id" in indexes()
