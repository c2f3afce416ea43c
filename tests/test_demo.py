"""The demo (issue #15): its content is data (community/demo_data.toml), `flask seed-demo` tells
its story only when it created the demo, and `flask seed-demo --reset` restores it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community import demo
from community.actions.accounts import approve_user
from community.actions.live import start
from community.actions.posts import delete_post
from community.extensions import db
from community.models import Post, Thread, User, utcnow
from community.models.live import LiveSession

STORIES = [p.story for p in demo.PEOPLE.values() if p.story] + [demo.PENDING.story]


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args: str, ok: bool = True, input: str | None = None):
        with app.app_context():
            result = runner.invoke(args=list(args), input=input)
        if ok:
            assert result.exit_code == 0, result.output + repr(result.exception)
        return result

    return invoke


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (User, Thread, Post))


def test_the_data_file_holds_the_demo():
    assert len(demo.THREADS) >= 20 and len(demo.PEOPLE) >= 10 and demo.LIVE_SESSIONS
    people = set(demo.PEOPLE)
    for spec in demo.THREADS:
        assert spec.topic in demo.TOPICS and spec.who in people
        assert all(r.who in people for r in spec.replies)
    # Every theme starts with the shared rules; the anonymous theme says truly who sees what.
    rules = demo.TOPICS["grievance-mechanisms"]["rules"]
    assert rules.startswith("- Be specific and kind")
    assert "can see who wrote" not in rules
    assert "Nobody sees who wrote them, moderators included" in rules and "audit log" in rules


def test_the_story_is_told_only_when_the_demo_is_created(app, cli):
    first = cli("seed-demo")
    assert "Demo data created" in first.output
    for story in STORIES:
        assert story in first.output
    second = cli("seed-demo")
    assert "already there" in second.output and "make demo-reset" in second.output
    for story in STORIES:
        assert story not in second.output
    # Labels follow the state: once approved, the applicant is no longer "pending".
    with app.app_context():
        approve_user(_user("admin@roundtable.example"), _user(demo.PENDING.email))
    third = cli("seed-demo")
    assert "  pending " not in third.output
    assert f"  supplier   {demo.PENDING.email}" in third.output


def test_reset_restores_the_demo(app, cli):
    cli("seed-demo")
    with app.app_context():
        fresh = _counts()
        admin = _user("admin@roundtable.example")
        approve_user(admin, _user(demo.PENDING.email))
        delete_post(admin, db.session.scalar(select(Post).where(Post.state == "visible").limit(1)), "gone")
        session = db.session.scalar(select(LiveSession))
        start(_user("hannah@atlasfoods.example"), session)
    refused = cli("seed-demo", "--reset", ok=False, input="n\n")
    assert refused.exit_code != 0 and "Delete everything" in refused.output
    result = cli("seed-demo", "--reset", "--yes")
    assert "Demo data created" in result.output
    for story in STORIES:
        assert story in result.output
    with app.app_context():
        assert _counts() == fresh
        assert _user(demo.PENDING.email).state == "pending"
        assert db.session.scalar(select(func.count()).select_from(Post).where(Post.state == "deleted")) == 0
        session = db.session.scalar(select(LiveSession))
        # The scheduled session is ahead again, within days.
        assert session.state == "scheduled"
        assert utcnow() < session.starts_at < utcnow() + timedelta(days=demo.LIVE_SESSIONS[0].starts_in_days + 1)
        assert db.session.scalar(select(func.min(User.id))) == 1  # ids start again


def test_reset_refuses_production(app, cli, monkeypatch):
    monkeypatch.setenv("ROUNDTABLE_ENV", "production")
    result = cli("seed-demo", "--reset", "--yes", ok=False)
    assert result.exit_code != 0 and "production" in result.output
