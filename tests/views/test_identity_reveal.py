"""The logged reveal seen from every side (issue #11): the revealing moderator, the
administrators' list of reveals, the author's own history (how many times and when, never
by whom), and a live question revealed from the session page."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from community.actions import live
from community.actions.moderation import reveal_author
from community.actions.posts import reply
from community.actions.threads import start_thread
from community.extensions import db
from community.models import Post

REASON = "Threatens a named worker"


def _anonymous_post(app, world) -> tuple[int, int]:
    with app.app_context():
        thread, opening = start_thread(world.user("member"), world.topic("grievance"), title="Fees at the border",
                                       body="Who pays recruitment fees?")
        post = reply(world.user("supplier"), thread, "We pay them, sadly.", anonymous=True)
        return thread.id, post.id


def test_the_author_sees_how_many_times_and_when_not_by_whom(app, world, login_as):
    thread_id, post_id = _anonymous_post(app, world)
    author = login_as("supplier")
    assert "None of your anonymous posts has been revealed." in author.get("/settings/profile").get_data(as_text=True)
    with app.app_context():
        reveal_author(world.user("moderator"), db.session.get(Post, post_id), REASON)
        reveal_author(world.user("admin"), db.session.get(Post, post_id), "Second look at the same threat")
    page = author.get("/settings/profile").get_data(as_text=True)
    assert "Your anonymous posts were revealed 2 times:" in page
    assert "Fees at the border" in page and f"/threads/{thread_id}#post-{post_id}" in page
    assert page.count('<time datetime="') >= 2
    for secret in ("Moderator", "Admin", REASON, "Second look"):
        assert secret not in page.split('id="reveals"')[1], secret  # never by whom, nor why
    # Somebody else's settings say nothing of it.
    assert "None of your anonymous posts" in login_as("supplier2").get("/settings/profile").get_data(as_text=True)


def test_administrators_list_every_reveal(app, world, login_as):
    _thread_id, post_id = _anonymous_post(app, world)
    admin = login_as("admin")
    assert "No anonymous author has been revealed." in admin.get("/admin/reveals").get_data(as_text=True)
    assert login_as("moderator").post(f"/moderation/posts/{post_id}/reveal", data={"reason": REASON}).status_code == 302
    page = admin.get("/admin/reveals").get_data(as_text=True)
    table = page.split('id="reveals-table"')[1]
    assert "<bdi>Moderator</bdi>" in table and "<bdi>Supplier</bdi>" in table and "Textiles Ltd" in table
    assert REASON in table and f"/moderation/posts/{post_id}" in table
    assert login_as("moderator").get("/admin/reveals").status_code == 403


def test_the_revealing_moderator_sees_the_name_on_the_thread_page_too(app, world, login_as):
    thread_id, post_id = _anonymous_post(app, world)
    moderator = login_as("moderator")
    before = moderator.get(f"/threads/{thread_id}").get_data(as_text=True)
    # (the page's <template> blanks for the moderator's own posts say "(you)": not shown)
    before = re.sub(r"<template\b[\s\S]*?</template>", "", before)
    assert "Textiles Ltd" not in before and "(you)" not in before
    moderator.post(f"/moderation/posts/{post_id}/reveal", data={"reason": REASON})
    after = moderator.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert "(<bdi>Supplier</bdi>, <bdi>Textiles Ltd</bdi> — revealed to you)" in after
    # the cached copy of the post for other readers still names nobody
    assert "Textiles Ltd" not in login_as("admin").get(f"/threads/{thread_id}").get_data(as_text=True)
    assert "Textiles Ltd" not in login_as("member2").get(f"/threads/{thread_id}").get_data(as_text=True)


def test_a_live_question_is_revealed_from_the_session_page(app, world, login_as):
    now = datetime.now(UTC)
    with app.app_context():
        session = live.schedule(world.user("member"), world.topic("grievance"), title="Ask the brands: fees",
                                starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1))
        live.start(world.user("member"), session)
        question = live.ask(world.user("supplier"), session, "Is it safe to name the agent?", anonymous=True)
        sid, qid = session.id, question.id
    moderator = login_as("moderator")
    page = moderator.get(f"/live/{sid}").get_data(as_text=True)
    assert "Reveal author" in page and "Textiles Ltd" not in page
    host = login_as("member")  # hosts the session, does not moderate the topic: no reveal for them
    assert "Reveal author" not in host.get(f"/live/{sid}").get_data(as_text=True)
    assert host.post(f"/live/{sid}/questions/{qid}/reveal", data={"reason": REASON}).status_code == 404
    assert moderator.post(f"/live/{sid}/questions/{qid}/reveal", data={"reason": REASON}).status_code == 302
    page = moderator.get(f"/live/{sid}").get_data(as_text=True)
    assert "(<bdi>Supplier</bdi>, <bdi>Textiles Ltd</bdi> — revealed to you)" in page
    assert "Ask the brands: fees" in login_as("supplier").get("/settings/profile").get_data(as_text=True)


def test_the_queue_moderates_an_anonymous_author_without_a_name(app, world, login_as):
    """The card of an anonymous post shows its author's hidden and rejected posts in the topic,
    counted and dated, and lets a moderator silence them, all without their name; the same
    person's signed posts never list their anonymous ones nor show a silence imposed on them
    anonymously."""
    from community.actions.moderation import moderate_post

    with app.app_context():
        topic = world.topic("grievance")
        topic.moderation = "all"
        db.session.commit()
        thread, _ = start_thread(world.user("moderator"), topic, title="Overtime records", body="How?")
        supplier = world.user("supplier")
        rejected = reply(supplier, thread, "SIGNED-EARLIER words")
        moderate_post(world.user("moderator"), rejected, "reject", "Off topic")
        anonymous = reply(supplier, thread, "ANON-NOW words", anonymous=True).id
        signed = reply(supplier, thread, "SIGNED-NOW words").id
    moderator = login_as("moderator")
    queue = moderator.get("/moderation").get_data(as_text=True)
    anon_card = queue.split(f'id="queue-post-{anonymous}"')[1].split("</article>")[0]
    signed_card = queue.split(f'id="queue-post-{signed}"')[1].split("</article>")[0]
    assert "This author in" in anon_card and "0 earlier posts hidden · 1 rejected" in anon_card
    assert "SIGNED-EARLIER" not in anon_card and ">Supplier<" not in anon_card and "Textiles" not in anon_card
    assert "ANON-NOW" not in signed_card  # their anonymous post is not among their earlier posts
    response = moderator.post(f"/moderation/posts/{anonymous}/silence",
                              data={"minutes": "30", "reason": "Cool down", "next": "/moderation"})
    assert response.status_code == 302
    queue = moderator.get("/moderation").get_data(as_text=True)
    assert "The author of this post is silenced in" in queue
    anon_card = queue.split(f'id="queue-post-{anonymous}"')[1].split("</article>")[0]
    signed_card = queue.split(f'id="queue-post-{signed}"')[1].split("</article>")[0]
    assert "The author of this post is silenced" in anon_card and "Supplier" not in anon_card.replace(
        "Anonymous supplier", "")
    assert "is silenced" not in signed_card
    log = moderator.get("/moderation/log").get_data(as_text=True)
    (silenced,) = [row for row in log.split("<tr>") if "Cool down" in row]
    assert "Anonymous supplier" in silenced and "<bdi>Supplier</bdi>" not in silenced
