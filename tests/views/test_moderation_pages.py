"""Moderation pages: the review queue per moderator, acting on posts and threads, the audit log."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from community.actions.posts import flag_post, reply
from community.actions.threads import start_thread
from community.extensions import db
from community.models import Flag, ModerationAction, Post, Thread


def text(response) -> str:
    """The page, with the <bdi> isolation of names dropped (tests read the words through it)."""
    return response.get_data(as_text=True).replace("<bdi>", "").replace("</bdi>", "")


def card(page: str, post_id: int) -> str:
    """The queue card of one post."""
    start = page.index(f'id="queue-post-{post_id}"')
    end = page.find("</article>", start)
    return page[start:end]


@pytest.fixture
def scene(app, world) -> dict:
    """In grievance (moderated by `moderator`): a held reply, a held anonymous reply, a flagged
    visible reply and a plain visible reply. In members-lounge: a held reply."""
    with app.app_context():
        grievance, lounge = world.topic("grievance"), world.topic("members-lounge")
        thread, _ = start_thread(world.user("supplier"), grievance, title="How do we run a hotline?",
                                 body="Opening words about grievance hotlines")
        flagged = reply(world.user("supplier2"), thread, "FLAGGED-BODY buy cheap watches")
        plain = reply(world.user("member"), thread, "PLAIN-BODY a helpful answer")
        flag_post(world.user("member"), flagged, "spam", "Looks like an advert")
        grievance.moderation = "all"
        lounge.moderation = "all"
        db.session.commit()
        held = reply(world.user("supplier2"), thread, "HELD-BODY please review me")
        anon = reply(world.user("supplier"), thread, "ANON-HELD-BODY sensitive question", anonymous=True)
        lounge_thread, _ = start_thread(world.user("admin"), lounge, title="Lounge thread title",
                                        body="Only members here")
        lounge_held = reply(world.user("member2"), lounge_thread, "LOUNGE-HELD-BODY")
        return {"thread": thread.id, "flagged": flagged.id, "plain": plain.id, "held": held.id,
                "anon": anon.id, "lounge_thread": lounge_thread.id, "lounge_held": lounge_held.id}


# --- the queue ------------------------------------------------------------------------------------
def test_queue_shows_held_and_flagged_posts_of_my_topics(login_as, scene):
    page = text(login_as("moderator").get("/moderation"))
    for body in ("HELD-BODY", "ANON-HELD-BODY", "FLAGGED-BODY"):
        assert body in page
    assert "PLAIN-BODY" not in page
    assert "LOUNGE-HELD-BODY" not in page  # another topic's queue
    assert "3 posts to review" in page
    flagged = card(page, scene["flagged"])
    assert "Spam" in flagged and "Looks like an advert" in flagged
    assert "How do we run a hotline?" in flagged and f'href="/threads/{scene["thread"]}#post-{scene["flagged"]}"' in flagged
    assert "Grievance mechanisms" in flagged
    held = card(page, scene["held"])
    assert "Held for review" in held
    for button in ('value="approve"', 'value="reject"', 'value="hide"'):
        assert button in held
    assert 'value="restore"' not in held


def test_moderators_see_an_anonymous_post_as_anonymous_with_a_reveal_form(login_as, scene):
    anon = card(text(login_as("moderator").get("/moderation")), scene["anon"])
    assert "Textiles Ltd" not in anon and ">Supplier<" not in anon
    assert "Anonymous supplier" in anon and "Reveal author" in anon
    assert f'action="/moderation/posts/{scene["anon"]}/reveal"' in anon


def test_queue_topic_filter(login_as, scene):
    moderator = login_as("moderator")
    page = text(moderator.get("/moderation?topic=grievance"))
    assert "HELD-BODY" in page
    refused = moderator.get("/moderation?topic=members-lounge")
    assert refused.status_code == 404  # not theirs: the answer a missing topic gets
    assert "LOUNGE-HELD-BODY" not in text(refused)
    assert moderator.get("/moderation?topic=no-such-topic").status_code == 404


def test_admins_see_every_topics_queue(login_as, scene):
    admin = login_as("admin")
    page = text(admin.get("/moderation"))
    assert "LOUNGE-HELD-BODY" in page and "HELD-BODY" in page
    only_lounge = text(admin.get("/moderation?topic=members-lounge"))
    assert "LOUNGE-HELD-BODY" in only_lounge and "ANON-HELD-BODY" not in only_lounge


@pytest.mark.parametrize("persona", ["supplier", "member", "supplier2"])
def test_non_moderators_get_403_or_404(login_as, scene, persona):
    c = login_as(persona)
    for path in ("/moderation", "/moderation/log"):
        response = c.get(path)
        assert response.status_code == 403, path
        assert "HELD-BODY" not in text(response)
    # A held post's or a thread's moderation page: "not there", like a missing one.
    for path in (f"/moderation/posts/{scene['held']}", f"/moderation/threads/{scene['thread']}"):
        response = c.get(path)
        assert response.status_code == 404, path
        assert "HELD-BODY" not in text(response)
    response = c.post(f"/moderation/posts/{scene['held']}", data={"action": "approve"})
    assert response.status_code == 404


def test_moderator_of_one_topic_cannot_act_on_another(app, login_as, scene):
    moderator = login_as("moderator")
    assert moderator.get(f"/moderation/posts/{scene['lounge_held']}").status_code == 404
    assert moderator.post(f"/moderation/posts/{scene['lounge_held']}",
                          data={"action": "approve"}).status_code == 404
    with app.app_context():
        assert db.session.get(Post, scene["lounge_held"]).state == "held"


def test_queue_needs_sign_in(client, world):
    response = client.get("/moderation")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- acting on posts --------------------------------------------------------------------------------
def test_approve_from_the_queue_returns_to_it(app, login_as, scene):
    moderator = login_as("moderator")
    response = moderator.post(f"/moderation/posts/{scene['held']}",
                              data={"action": "approve", "next": "/moderation?topic=grievance"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation?topic=grievance"
    with app.app_context():
        assert db.session.get(Post, scene["held"]).state == "visible"
    page = text(moderator.get("/moderation?topic=grievance"))
    assert "Approved: the post is visible." in page
    assert f'id="queue-post-{scene["held"]}"' not in page


def test_second_approval_says_already_handled(login_as, scene):
    moderator = login_as("moderator")
    assert moderator.post(f"/moderation/posts/{scene['held']}", data={"action": "approve"}).status_code == 302
    again = moderator.post(f"/moderation/posts/{scene['held']}", data={"action": "approve"})
    assert again.status_code == 409
    page = text(again)
    assert "Already handled." in page and "already visible" in page
    assert "HELD-BODY" in page  # the post is still shown in context


def test_reject_needs_a_reason_and_keeps_the_form(app, login_as, scene):
    moderator = login_as("moderator")
    response = moderator.post(f"/moderation/posts/{scene['held']}", data={"action": "reject", "reason": ""})
    assert response.status_code == 400
    assert "Give the author a reason." in text(response)
    response = moderator.post(f"/moderation/posts/{scene['held']}",
                              data={"action": "reject", "reason": "Off topic for this thread"})
    assert response.status_code == 302
    with app.app_context():
        post = db.session.get(Post, scene["held"])
        assert (post.state, post.state_cause, post.state_reason) == ("hidden", "rejected", "Off topic for this thread")


def test_invalid_action_keeps_the_reason(login_as, scene):
    response = login_as("moderator").post(f"/moderation/posts/{scene['flagged']}",
                                          data={"action": "reject", "reason": "My careful words"})
    assert response.status_code == 400
    assert "Only held posts can be rejected" in text(response)
    assert 'value="My careful words"' in text(response)


def test_hide_then_restore_a_flagged_post(app, login_as, scene):
    moderator = login_as("moderator")
    page = moderator.get(f"/moderation/posts/{scene['flagged']}")
    assert page.status_code == 200
    body = text(page)
    assert "Opening words about grievance hotlines" in body  # the post in context
    assert "Looks like an advert" in body
    response = moderator.post(f"/moderation/posts/{scene['flagged']}", data={"action": "hide", "reason": "Spam"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Post, scene["flagged"]).state == "hidden"
        assert db.session.scalar(select(Flag.status).where(Flag.post_id == scene["flagged"])) == "upheld"
    body = text(moderator.get(f"/moderation/posts/{scene['flagged']}"))
    assert "Hide post" in body  # the post's moderation history
    assert 'value="restore"' in body
    assert moderator.post(f"/moderation/posts/{scene['flagged']}", data={"action": "restore"}).status_code == 302
    with app.app_context():
        assert db.session.get(Post, scene["flagged"]).state == "visible"


def test_approving_a_flagged_visible_post_dismisses_its_flags(app, login_as, scene):
    moderator = login_as("moderator")
    response = moderator.post(f"/moderation/posts/{scene['flagged']}", data={"action": "approve"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Post, scene["flagged"]).state == "visible"
        assert db.session.scalar(select(Flag.status).where(Flag.post_id == scene["flagged"])) == "dismissed"
    assert f'id="queue-post-{scene["flagged"]}"' not in text(moderator.get("/moderation"))
    # Now it has nothing left to approve.
    assert moderator.post(f"/moderation/posts/{scene['flagged']}", data={"action": "approve"}).status_code == 409


# --- acting on threads ---------------------------------------------------------------------------------
def test_lock_and_unlock_a_thread_via_the_page(app, login_as, scene):
    moderator = login_as("moderator")
    page = moderator.get(f"/moderation/threads/{scene['thread']}")
    assert page.status_code == 200
    assert 'value="lock"' in text(page)
    response = moderator.post(f"/moderation/threads/{scene['thread']}",
                              data={"action": "lock", "reason": "Cooling off"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Thread, scene["thread"]).locked is True
    page = text(moderator.get(f"/moderation/threads/{scene['thread']}"))
    assert "Locked: no new replies." in page and 'value="unlock"' in page and "Cooling off" in page
    again = moderator.post(f"/moderation/threads/{scene['thread']}", data={"action": "lock", "reason": "Twice"})
    assert again.status_code == 409
    assert "Already handled." in text(again) and "already locked" in text(again)
    assert 'value="Twice"' in text(again)
    assert moderator.post(f"/moderation/threads/{scene['thread']}", data={"action": "unlock"}).status_code == 302
    with app.app_context():
        assert db.session.get(Thread, scene["thread"]).locked is False


def test_pin_via_the_page(app, login_as, scene):
    response = login_as("moderator").post(f"/moderation/threads/{scene['thread']}", data={"action": "pin"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Thread, scene["thread"]).pinned is True


def test_move_offers_only_topics_i_moderate(app, login_as, scene):
    moderator = login_as("moderator")
    page = text(moderator.get(f"/moderation/threads/{scene['thread']}"))
    assert "You moderate no other topic" in page
    refused = moderator.post(f"/moderation/threads/{scene['thread']}",
                             data={"action": "move", "topic": "members-lounge", "reason": "Better fit"})
    assert refused.status_code == 400 and "Choose a topic you moderate." in text(refused)
    admin = login_as("admin")
    page = text(admin.get(f"/moderation/threads/{scene['thread']}"))
    assert 'value="members-lounge"' in page and 'value="grievance"' not in page
    response = admin.post(f"/moderation/threads/{scene['thread']}",
                          data={"action": "move", "topic": "members-lounge", "reason": "Better fit"})
    assert response.status_code == 302
    assert "Moved to Members lounge." in text(admin.get(response.headers["Location"]))
    with app.app_context():
        assert db.session.get(Thread, scene["thread"]).topic.slug == "members-lounge"
    missing = admin.post(f"/moderation/threads/{scene['thread']}", data={"action": "move", "topic": ""})
    assert missing.status_code == 400
    assert "Choose the topic to move the thread to." in text(missing)


# --- the audit log -------------------------------------------------------------------------------------
def test_audit_log_lists_my_topics_actions_newest_first(app, login_as, scene, world):
    moderator = login_as("moderator")
    moderator.post(f"/moderation/posts/{scene['held']}", data={"action": "approve"})
    moderator.post(f"/moderation/threads/{scene['thread']}", data={"action": "lock", "reason": "Cooling off"})
    admin = login_as("admin")
    admin.post(f"/moderation/posts/{scene['lounge_held']}", data={"action": "hide", "reason": "Lounge reason"})
    admin.post(f"/admin/users/{world.ids['pending']}/approve")

    page = text(moderator.get("/moderation/log"))
    assert "lock thread" in page and "approve post" in page
    assert page.index("lock thread") < page.index("approve post")  # newest first
    assert "Cooling off" in page
    assert "Lounge reason" not in page and "approve user" not in page  # not my topics
    assert "2 entries" in page
    assert 'method="post"' not in page.split('id="main"')[1].split('</main>')[0]  # read-only

    everything = text(admin.get("/moderation/log"))
    assert "Lounge reason" in everything and "approve user" in everything

    by_topic = text(admin.get("/moderation/log?topic=members-lounge"))
    assert "Lounge reason" in by_topic and "Cooling off" not in by_topic
    by_moderator = text(admin.get(f"/moderation/log?moderator={world.ids['moderator']}"))
    assert "Cooling off" in by_moderator and "Lounge reason" not in by_moderator
    by_user = text(admin.get("/moderation/log?user=member2"))
    assert "Lounge reason" in by_user and "Cooling off" not in by_user
    assert moderator.get("/moderation/log?topic=members-lounge").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(db.func.count(ModerationAction.id))) == 4


def test_every_moderation_form_carries_the_csrf_token(login_as, scene):
    moderator = login_as("moderator")
    for path in ("/moderation", f"/moderation/posts/{scene['held']}", f"/moderation/threads/{scene['thread']}",
                 "/moderation/log", "/moderation/topics/grievance/words", f"/moderation/queue/items/{scene['held']}"):
        page = text(moderator.get(path))
        assert page.count('method="post"') <= page.count('name="csrf_token"'), path
        assert "style=" not in page.split('id="main"')[-1], path
