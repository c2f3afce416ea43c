"""The issue-15 migration turns what was stored as words into data: notifications' texts (in any
shipped language) become verb + data, and posts' "Rejected: …" / "Hidden by a moderator: …" /
"Hidden after 3 flags…" reasons become a cause and the moderator's own words. On an empty SQLite
file, or on the PostgreSQL test database (emptied first, given back the models' tables after)."""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import create_engine, text

from community import create_app
from community.extensions import db
from config import TestingConfig, normalise_database_url

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = str(ROOT / "migrations")
BEFORE = "i15_live_follow_up"


def _migration():
    spec = importlib.util.spec_from_file_location("i15", ROOT / "migrations" / "versions" / "i15_moderation_flows.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _translated(locale: str, msgid: str) -> str:
    with (ROOT / "community" / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f).get(msgid).string


def test_texts_in_every_language_are_read_back_as_data():
    m = _migration()
    patterns = m.legacy_patterns()
    spanish = _translated("es", "%(name)s replied to your post in “%(title)s”") % {"name": "Ana", "title": "Salarios"}
    assert m.data_of(spanish, "/threads/7#post-9", 7, "es", patterns) == (
        "reply", {"actors": [{"name": "Ana"}], "thread": {"id": 7, "title": "Salarios"}})
    label = _translated("ar", "Anonymous supplier")
    arabic = _translated("ar", "%(name)s answered your question “%(title)s”") % {"name": label, "title": "الأجور"}
    assert m.data_of(arabic, "/threads/3", 3, "ar", patterns) == (
        "answer", {"actors": [{"anonymous": "supplier"}], "thread": {"id": 3, "title": "الأجور"}})
    assert m.data_of("You were silenced in Grievance mechanisms for 30 minutes: Cool down", "/t/grievance", None,
                     "en", patterns) == ("silenced", {"topic": {"slug": "grievance", "name": "Grievance mechanisms"},
                                                      "minutes": 30, "reason": "Cool down"})
    assert m.data_of("Live now in Hub: “Q&A”", "/live/4", None, "en", patterns) == (
        "live_started", {"topic": {"slug": None, "name": "Hub"}, "session": {"id": 4, "title": "Q&A"}})
    assert m.data_of("Something else entirely", "", None, "en", patterns) is None


def test_post_reasons_become_causes():
    m = _migration()
    assert m.cause_of("hidden", "Rejected: Please remove the names", False) == ("rejected", "Please remove the names")
    assert m.cause_of("hidden", "Hidden by a moderator: Off topic", False) == ("moderator", "Off topic")
    assert m.cause_of("hidden", "Hidden after 3 flags, awaiting a moderator.", False) == ("flags", "")
    assert m.cause_of("held", "Held for review after an edit.", False) == ("watched_word", "")
    assert m.cause_of("held", "", False) == (None, "")
    assert m.cause_of("deleted", "Deleted by the author", False) == ("author", "")
    assert m.cause_of("deleted", "Spam", True) == ("moderator", "Spam")


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
        url = "sqlite:///" + str(tmp_path / "i15-migration.db")
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


def test_upgrade_converts_existing_rows_and_downgrade_puts_the_words_back(migrating_app):
    from flask_migrate import downgrade, upgrade

    upgrade(directory=MIGRATIONS, revision=BEFORE)

    def row(sql: str, **values) -> int:
        return conn.execute(text(sql + " RETURNING id"), values).scalar()

    french = _translated("fr", "Your post in “%(title)s” was hidden by a moderator: %(reason)s") % {
        "title": "Salaires", "reason": "Hors sujet"}
    with db.engine.begin() as conn:
        org = row("INSERT INTO organisation (name, kind, country, removed) VALUES ('Org', 'supplier', 'IN', false)")
        user = row("INSERT INTO \"user\" (email, name, handle, password_hash, role, state, locale, timezone, "
                   "organisation_id) VALUES ('u@example.com', 'Ana', 'ana', 'x', 'supplier', 'active', 'fr', 'UTC', "
                   ":org)", org=org)
        topic = row("INSERT INTO topic (slug, name, kind, description, rules, visibility, who_can_start, moderation, "
                    "hold_first_n, allow_anonymous, slow_mode_seconds, allow_live, position) VALUES ('open', 'Open', "
                    "'theme', '', '', 'everyone', 'everyone', 'post', 0, false, 0, true, 0)")
        thread = row("INSERT INTO thread (topic_id, kind, title, author_id, anonymous, state, locked, pinned, tags, "
                     "version, reply_count) VALUES (:topic, 'discussion', 'Salaires', :user, false, 'visible', "
                     "false, false, '', 1, 0)", topic=topic, user=user)
        posts = [row("INSERT INTO post (thread_id, author_id, is_opening, anonymous, body, html, state, state_reason, "
                     "version) VALUES (:thread, :user, false, false, 'x', '<p>x</p>', :state, :reason, 1)",
                     thread=thread, user=user, state=state, reason=reason)
                 for state, reason in [("hidden", "Rejected: Names"), ("hidden", "Hidden by a moderator: Hors sujet"),
                                       ("hidden", "Hidden after 3 flags, awaiting a moderator."), ("visible", "")]]
        notes = [row("INSERT INTO notification (user_id, kind, text, url, thread_id) VALUES (:user, :kind, :text, "
                     ":url, :thread)", user=user, kind=kind, text=said, url=f"/threads/{thread}", thread=thread)
                 for kind, said in [("moderation", french), ("moderation", "Something from before")]]

    upgrade(directory=MIGRATIONS)
    with db.engine.connect() as conn:
        causes = conn.execute(text("SELECT state_cause, state_reason FROM post ORDER BY id")).all()
        assert [tuple(c) for c in causes] == [("rejected", "Names"), ("moderator", "Hors sujet"), ("flags", ""),
                                              (None, "")]
        got = {r.id: r for r in conn.execute(text("SELECT id, verb, data, text FROM notification"))}
    import json

    data = got[notes[0]].data if isinstance(got[notes[0]].data, dict) else json.loads(got[notes[0]].data)
    assert got[notes[0]].verb == "post_hidden"
    assert data == {"thread": {"id": thread, "title": "Salaires"}, "reason": "Hors sujet"}
    assert got[notes[1]].verb is None and got[notes[1]].text == "Something from before"

    downgrade(directory=MIGRATIONS, revision=BEFORE)
    with db.engine.connect() as conn:
        reasons = [r[0] for r in conn.execute(text("SELECT state_reason FROM post ORDER BY id"))]
    assert reasons[:2] == ["Rejected: Names", "Hidden by a moderator: Hors sujet"]
    assert posts
