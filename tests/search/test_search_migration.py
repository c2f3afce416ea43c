"""The search index migration: creates the engine's index, indexes the posts already there
(visible ones; the title on opening posts), and goes away on downgrade. On an empty SQLite file,
or on the PostgreSQL test database (emptied first, given back the models' tables afterwards)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from community import create_app, search
from community.extensions import db
from community.models import User
from community.permissions import Guardian
from config import TestingConfig, normalise_database_url

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")
BEFORE = "96e997c92ff3"  # the revision before the search index
SEARCH_INDEX = "c8a124795cf4"


@pytest.fixture
def migrating_app(tmp_path, monkeypatch):
    url = os.environ.get("TEST_DATABASE_URL", "")
    engine = None
    if url.startswith("postgresql"):
        engine = create_engine(normalise_database_url(url))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        url = "sqlite:///" + str(tmp_path / "search-migration.db")
    monkeypatch.setattr("logging.config.fileConfig", lambda *args, **kwargs: None)

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if engine is not None:  # the other tests share one schema, created once per run
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        db.metadata.create_all(engine)
        engine.dispose()


def _index_tables() -> set[str]:
    return {name for name in inspect(db.engine).get_table_names() if search.is_index_table(name)}


def test_upgrade_indexes_existing_posts_and_downgrade_removes_the_index(migrating_app):
    from flask_migrate import downgrade, upgrade

    upgrade(directory=MIGRATIONS, revision=BEFORE)
    assert _index_tables() == set()
    # Rows written in plain SQL, with the columns of that revision (no ORM, so no session hook:
    # there is no index yet at this revision).
    def row(sql: str, **values) -> int:
        return conn.execute(text(sql + " RETURNING id"), values).scalar()

    with db.engine.begin() as conn:
        org = row("INSERT INTO organisation (name, kind, country, removed) VALUES ('Org', 'supplier', 'IN', false)")
        user = row("INSERT INTO \"user\" (email, name, handle, password_hash, role, state, locale, timezone, "
                   "organisation_id, session_version) VALUES ('u@example.com', 'Quetzal Writer', 'quetzal', 'x', "
                   "'supplier', 'active', 'en', 'UTC', :org, 1)", org=org)
        topic = row("INSERT INTO topic (slug, name, kind, description, rules, visibility, who_can_start, moderation, "
                    "hold_first_n, allow_anonymous, slow_mode_seconds, allow_live, position) VALUES ('open', 'Open', "
                    "'theme', '', '', 'everyone', 'everyone', 'post', 0, false, 0, true, 0)")
        thread = row("INSERT INTO thread (topic_id, kind, title, author_id, anonymous, state, locked, pinned, tags, "
                     "version, reply_count) VALUES (:topic, 'question', 'Loquat contracts', :user, false, 'visible', "
                     "false, false, 'piece-rates', 1, 0)", topic=topic, user=user)
        ids = [row("INSERT INTO post (thread_id, author_id, is_opening, anonymous, body, html, state, state_reason, "
                   "version) VALUES (:thread, :user, :opening, false, 'x', :html, :state, '', 1)",
                   thread=thread, user=user, opening=opening, html=html, state=state)
               for opening, html, state in [
                   (True, "<p><strong>Loquat</strong> workers &amp; agents.</p>", "visible"),
                   (False, "<p>A visible reply about wages.</p>", "visible"),
                   (False, "<p>A hidden loquat reply.</p>", "hidden")]]

    upgrade(directory=MIGRATIONS)
    assert "post_fts" in _index_tables()
    assert search.indexed(ids[0]) == {"thread_id": thread, "title": "Loquat contracts piece rates",
                                      "body": "Loquat workers & agents."}
    assert search.indexed(ids[1]) == {"thread_id": thread, "title": "", "body": "A visible reply about wages."}
    assert search.indexed(ids[2]) is None
    user_row = db.session.get(User, user)
    page = search.search(Guardian(user_row), "loquat")
    assert [(hit.type, hit.post.id) for hit in page.hits] == [("thread", ids[0])]
    assert search.search(Guardian(user_row), "Quetzal").hits == []  # names are not indexed
    db.session.rollback()

    downgrade(directory=MIGRATIONS, revision=BEFORE)
    assert _index_tables() == set()
    upgrade(directory=MIGRATIONS, revision=SEARCH_INDEX)
    assert search.indexed(ids[1])["body"] == "A visible reply about wages."
    db.session.rollback()
    downgrade(directory=MIGRATIONS, revision="base")
    assert inspect(db.engine).get_table_names() == ["alembic_version"]
