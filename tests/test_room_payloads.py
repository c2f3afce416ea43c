"""Room events carry data, never page markup.

A reader's page renders what arrives with its own templates (static/js/posts.js fills the
thread page's <template> blanks; live_session.js the session page's), in the reader's
language. So no payload emitted to a room holds HTML, apart from the sanitised text of a
post, question, answer or chat message (the `html` of the API's objects, made by
community/markup.py: the sanitiser leaves it as it is, where it would strip a page's
articles, forms and data attributes), and the write path renders no template.
"""
from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest

from community import markup
from community.extensions import db, socketio
from community.models import RoomEvent, utcnow

ROOT = Path(__file__).resolve().parent.parent
MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!]")
SANITISED_KEYS = {"html", "answer_html"}  # the API objects' sanitised text


def _strings(value, path=()):
    """(path, string) of every string in a JSON-like value."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, str(key)))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, str(i)))


@pytest.fixture
def sent(monkeypatch):
    """Every socketio.emit: (event name, payload, room)."""
    calls = []
    monkeypatch.setattr(socketio, "emit", lambda name, payload=None, **kw: calls.append((name, payload, kw.get("to"))))
    return calls


def _everything_that_announces(world):
    """Drive the actions that announce something to rooms: posts, moderation, threads, live sessions."""
    from community.actions import live
    from community.actions.moderation import moderate_post, moderate_thread
    from community.actions.posts import delete_post, edit_post, flag_post, reply, restore_post
    from community.actions.threads import accept_answer, start_thread

    member, supplier, moderator = world.user("member"), world.user("supplier"), world.user("moderator")
    topic = world.topic("grievance")
    thread, _ = start_thread(supplier, topic, title="Wages paid late again", body="Is **anyone** else seeing this?",
                             kind="question")
    named = reply(member, thread, "Yes: see [the policy](https://example.org) and *this* <b>bold</b> claim")
    anonymous = reply(world.user("supplier2"), thread, "Same here, with a `code` sample", anonymous=True,
                      reply_to=named.id)
    edit_post(member, named, "Edited: > a quote\n\n- a list item")
    flag_post(supplier, anonymous, "other", "please check")
    moderate_post(moderator, anonymous, "hide", "Off topic")
    moderate_post(moderator, anonymous, "restore", "Back on topic")
    accept_answer(supplier, thread, named.id)
    moderate_thread(moderator, thread, "pin")
    moderate_thread(moderator, thread, "lock")
    moderate_thread(moderator, thread, "unlock")
    gone = reply(member, thread, "A reply to take back")
    delete_post(member, gone)
    restore_post(member, gone)

    session = live.schedule(member, topic, title="Ask the brands: wages", starts_at=(utcnow() - timedelta(minutes=5)),
                            ends_at=(utcnow() + timedelta(hours=1)))
    live.start(member, session)
    question = live.ask(supplier, session, "When are **wages** due?", anonymous=True)
    live.vote(world.user("member2"), session, question)
    live.moderate_question(member, session, question, "answered", answer="On the *7th*, see <i>the code</i>")
    message = live.chat(supplier, session, "Hello <em>everyone</em>")
    live.hide_chat(member, session, message.id)
    live.end(member, session)


def test_no_room_event_carries_markup(app, world, sent):
    with app.app_context():
        _everything_that_announces(world)
        stored = [(row.name, row.payload, row.room) for row in db.session.scalars(db.select(RoomEvent))]
    names = {name for name, _payload, _room in stored + sent}
    # the run covered the kinds of room events that carry objects
    assert {"post.created", "post.updated", "post.hidden", "post.restored", "post.deleted", "thread.updated",
            "moderation.queue", "live.question", "live.question.updated", "live.chat", "live.state"} <= names
    checked = 0
    for name, payload, room in stored + sent:
        assert "fragment" not in (payload or {}), (name, room)
        for path, text in _strings(payload or {}):
            if not MARKUP.search(text):
                continue
            where = f"{name} to {room}: {'.'.join(path)}"
            assert path[-1] in SANITISED_KEYS, f"markup in {where}: {text[:120]!r}"
            assert markup.sanitize(text) == text.strip(), f"{where} is more than sanitised text: {text[:120]!r}"
            assert not re.search(r"<(article|form|template|button|input)\b|\sdata-", text), where
            checked += 1
    assert checked >= 5  # the sanitised texts were there, and looked at


def test_the_write_path_renders_no_template():
    """Actions, payloads, events and the socket layer build data; pages render it."""
    files = [ROOT / "community" / "payloads.py", ROOT / "community" / "events.py",
             *sorted((ROOT / "community" / "actions").rglob("*.py")),
             *sorted((ROOT / "community" / "realtime").rglob("*.py"))]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                imported = {alias.name for alias in node.names}
                assert "render_template" not in imported, f"{path.name} imports render_template"
                if path.parent.name != "actions":  # actions/names.py words reserved names in every language
                    assert "force_locale" not in imported, f"{path.name} imports force_locale"
            elif isinstance(node, ast.Attribute) and node.attr in ("render_template", "render_template_string"):
                pytest.fail(f"{path.name} calls {node.attr}")
