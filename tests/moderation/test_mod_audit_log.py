"""The audit log: topic moderators see their topics' entries only; administrators see every
entry (administrators' own actions included), filterable by topic, moderator and user;
nothing in it can be changed from the application."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.actions.posts import reply
from community.extensions import db
from community.models import ModerationAction
from tests.actions.support import start
from tests.moderation.support import text


@pytest.fixture
def history(app, world, login_as) -> dict:
    """Entries in grievance (by moderator and admin), members-lounge and textiles-circle (by admin),
    and site-wide (watched word, suspension, topic settings)."""
    with app.app_context():
        thread, _ = start(world, "supplier", title="Audited grievance thread")
        post = reply(world.user("member2"), thread, "A reply to hide")
        lounge, _ = start(world, "member", "members-lounge", title="Audited lounge thread")
        ids = {"thread": thread.id, "post": post.id, "lounge": lounge.id}
    moderator, admin = login_as("moderator"), login_as("admin")
    moderator.post(f"/moderation/posts/{ids['post']}", data={"action": "hide", "reason": "GRIEVANCE-HIDE"})
    moderator.post(f"/moderation/threads/{ids['thread']}", data={"action": "lock", "reason": "GRIEVANCE-LOCK"})
    admin.post(f"/moderation/threads/{ids['thread']}", data={"action": "pin", "reason": "ADMIN-PIN"})
    admin.post(f"/moderation/threads/{ids['lounge']}", data={"action": "lock", "reason": "LOUNGE-LOCK"})
    admin.post("/admin/words", data={"word": "bribe", "action": "block"})
    admin.post(f"/admin/users/{world.ids['supplier2']}/suspend", data={"reason": "SITE-SUSPEND"})
    admin.post("/admin/topics/textiles-circle/edit", data={
        "name": "Textiles circle", "kind": "hub", "visibility": "organisations", "organisations": ["Textiles Ltd"],
        "who_can_start": "everyone", "moderation": "post", "hold_first_n": "0", "slow_mode_seconds": "30"})
    with app.app_context():
        assert db.session.scalar(select(func.count(ModerationAction.id))) == 7
    return ids


def test_moderators_see_their_topics_only(login_as, history):
    page = text(login_as("moderator").get("/moderation/log"))
    assert "GRIEVANCE-HIDE" in page and "GRIEVANCE-LOCK" in page and "ADMIN-PIN" in page
    for other in ("LOUNGE-LOCK", "SITE-SUSPEND", "add watched word", "update topic"):
        assert other not in page, other
    assert "3 entries" in page
    # Newest first, with who / what / target / reason / before→after.
    assert page.index("ADMIN-PIN") < page.index("GRIEVANCE-LOCK") < page.index("GRIEVANCE-HIDE")
    assert "state: visible → hidden" in page and "locked: no → yes" in page
    assert "Member2" in page  # the user affected


def test_administrators_see_everything_and_filter(login_as, world, history):
    admin = login_as("admin")
    page = text(admin.get("/moderation/log"))
    for entry in ("GRIEVANCE-HIDE", "LOUNGE-LOCK", "SITE-SUSPEND", "add watched word", "update topic"):
        assert entry in page, entry
    assert "7 entries" in page
    assert "slow_mode_seconds: 0 → 30" in page  # before/after of a settings change
    by_topic = text(admin.get("/moderation/log?topic=members-lounge"))
    assert "LOUNGE-LOCK" in by_topic and "GRIEVANCE-HIDE" not in by_topic and "1 entry" in by_topic
    by_moderator = text(admin.get(f"/moderation/log?moderator={world.ids['moderator']}"))
    assert "GRIEVANCE-HIDE" in by_moderator and "ADMIN-PIN" not in by_moderator and "2 entries" in by_moderator
    by_user = text(admin.get("/moderation/log?user=supplier2"))
    assert "SITE-SUSPEND" in by_user and "GRIEVANCE-HIDE" not in by_user
    combined = text(admin.get(f"/moderation/log?topic=grievance&moderator={world.ids['admin']}"))
    assert "ADMIN-PIN" in combined and "GRIEVANCE-LOCK" not in combined


def test_moderators_cannot_widen_their_view(login_as, history):
    moderator = login_as("moderator")
    assert moderator.get("/moderation/log?topic=members-lounge").status_code == 404  # not theirs: not there
    page = text(moderator.get(f"/moderation/log?moderator={0}&user=supplier2"))
    assert "SITE-SUSPEND" not in page
    for persona in ("member", "supplier"):
        assert login_as(persona).get("/moderation/log").status_code == 403


def test_the_log_cannot_be_changed_from_the_application(app, login_as, history):
    admin = login_as("admin")
    page = text(admin.get("/moderation/log"))
    assert 'method="post"' not in page.split('id="main"')[1].split('</main>')[0]
    for method in ("post", "put", "patch", "delete"):
        assert getattr(admin, method)("/moderation/log").status_code == 405
    rules = [r for r in app.url_map.iter_rules() if "/log" in r.rule.replace("/login", "").replace("/logout", "")
             or "audit" in r.rule]
    assert [(r.rule, sorted(r.methods - {"HEAD", "OPTIONS"})) for r in rules] == [("/moderation/log", ["GET"])]
    with app.app_context():
        assert db.session.scalar(select(func.count(ModerationAction.id))) == 7
