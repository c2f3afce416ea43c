"""One way to show a post live: the thread page's <template> blanks (views/posts.py, live_posts).

Room events carry the post object and no markup (tests/test_room_payloads.py). The page
renders an arriving post with the same partial as the first render: thread.html holds the
partial rendered for stand-in posts, one blank per kind of post the page may be handed, in
the reader's language and with the controls the Guardian gives this reader. These tests
read the blanks; tests/e2e/test_live_posts_browser.py fills them in real browsers.
"""
from __future__ import annotations

import html as html_module
import json
import re

from community.views.main import MAX_DEPTH
from community.views.posts import BLANK_ID
from tests.views.threads_support import (
    answer,
    assert_csp_clean,
    html_of,
    moderate_thread,
    start,
    text_of,
)


def blanks(page: str) -> dict[str, str]:
    """data-kind -> the blank's markup."""
    return dict(re.findall(r'<template class="post-blank" data-kind="([^"]+)">([\s\S]*?)</template>', page))


def thread_data(page: str) -> dict[str, str]:
    tag = re.search(r'<div id="thread"[^>]*>', page).group(0)
    return {k: html_module.unescape(v) for k, v in re.findall(r'data-([\w-]+)="([^"]*)"', tag)}


def controls(blank: str) -> set[str]:
    """What the reader could do with such a post: the controls' names."""
    found = set()
    for name, pattern in {"reply": "js-reply", "quote": "js-quote", "accept": "js-accept-form",
                          "flag": f"/posts/{BLANK_ID}/flag", "edit": f"/posts/{BLANK_ID}/edit",
                          "delete": f"/posts/{BLANK_ID}/delete", "history": f"/posts/{BLANK_ID}/revisions\">",
                          "moderate": f"/moderation/posts/{BLANK_ID}"}.items():
        if pattern in blank:
            found.add(name)
    return found


def test_the_page_has_a_blank_for_each_kind_of_post_it_may_be_handed(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance", kind="question")  # anonymous posts allowed
    answer(app, world, "member2", thread_id, "A first answer")
    page = html_of(login_as("member").get(f"/threads/{thread_id}"))
    assert set(blanks(page)) == {
        "other-named-visible", "other-anonymous-visible",
        "mine-named-visible", "mine-named-held", "mine-anonymous-visible", "mine-anonymous-held"}
    data = thread_data(page)
    assert data["blank-id"] == str(BLANK_ID) and data["max-depth"] == str(MAX_DEPTH)
    assert data["may-reply-open"] == "true" and data["may-reply-locked"] == "false"
    assert json.loads(data["language-names"])["es"] == "Español" and data["page-language"] == "en"
    assert_csp_clean(page)
    # the blanks are not part of what the reader sees
    assert "Awaiting review" not in text_of(page)


def test_the_guardian_decides_each_blanks_controls(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance", kind="question")
    member = blanks(html_of(login_as("member").get(f"/threads/{thread_id}")))
    assert controls(member["other-named-visible"]) == {"reply", "quote", "flag"}
    assert controls(member["mine-named-visible"]) == {"reply", "quote", "edit", "delete", "history"}
    assert controls(member["mine-named-held"]) == {"edit", "delete", "history"}  # not yet visible
    assert "Awaiting review" in member["mine-named-held"]
    asker = blanks(html_of(login_as("supplier").get(f"/threads/{thread_id}")))
    assert controls(asker["other-named-visible"]) == {"reply", "quote", "flag", "accept"}
    moderator = blanks(html_of(login_as("moderator").get(f"/threads/{thread_id}")))
    assert controls(moderator["other-named-visible"]) == {
        "reply", "quote", "flag", "accept", "edit", "delete", "history", "moderate"}
    assert controls(moderator["other-anonymous-visible"]) == controls(moderator["other-named-visible"])
    # every form in a blank carries the reader's CSRF token already
    for blank in (*member.values(), *moderator.values()):
        assert 'name="csrf_token" value=""' not in blank


def test_a_locked_thread_gives_blanks_to_those_who_may_still_reply(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance")
    moderate_thread(app, world, "moderator", thread_id, "lock")
    member_page = html_of(login_as("member").get(f"/threads/{thread_id}"))
    assert set(blanks(member_page)) == {"other-named-visible", "other-anonymous-visible"}
    assert "js-reply" not in blanks(member_page)["other-named-visible"]
    moderator_page = html_of(login_as("moderator").get(f"/threads/{thread_id}"))
    assert "mine-named-visible" in blanks(moderator_page)
    data = thread_data(moderator_page)
    assert data["may-reply-open"] == data["may-reply-locked"] == "true"


def test_a_topic_without_anonymous_posts_has_no_anonymous_blanks(app, world, login_as):
    thread_id, _ = start(app, world, "member", "members-lounge")
    kinds = set(blanks(html_of(login_as("member2").get(f"/threads/{thread_id}"))))
    assert kinds == {"other-named-visible", "mine-named-visible", "mine-named-held"}


def test_blanks_name_nobody_but_the_reader(app, world, login_as):
    thread_id, _ = start(app, world, "supplier2", "grievance", title="A sensitive question",
                         body="Asked without my name", anonymous=True)
    answer(app, world, "supplier2", thread_id, "Anonymous follow-up", anonymous=True)
    with app.app_context():
        author = world.user("supplier2")
        secrets = (author.name, author.organisation.name, author.email, f'data-author-id="{author.id}"')
    page = html_of(login_as("member").get(f"/threads/{thread_id}"))
    for kind, blank in blanks(page).items():
        for secret in secrets:
            assert secret not in blank, (kind, secret)
    other = blanks(page)["other-anonymous-visible"]
    assert "post-author-anon" in other and "data-author-id" not in other and "(you)" not in other
    assert "(you)" in blanks(page)["mine-anonymous-visible"]


def test_blanks_speak_the_readers_language(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance")
    member = login_as("member")
    member.set_cookie("lang", "es")
    page = html_of(member.get(f"/threads/{thread_id}"))
    blank = blanks(page)["other-named-visible"]
    assert "Responder" in blank and "Reply<" not in blank
    assert thread_data(page)["page-language"] == "es"


def test_the_opening_post_has_a_blank_only_where_the_page_shows_it_missing(app, world, login_as):
    from tests.views.threads_support import moderate_post

    thread_id, opening = start(app, world, "supplier", "grievance")
    member = login_as("member")
    assert not any(kind.endswith("-opening") for kind in blanks(html_of(member.get(f"/threads/{thread_id}"))))
    moderate_post(app, world, "moderator", opening, "hide", "Off topic")
    page = html_of(member.get(f"/threads/{thread_id}"))
    assert "other-named-visible-opening" in blanks(page) and "post-missing" in page
    assert 'data-opening="true"' in blanks(page)["other-named-visible-opening"]


def test_the_per_reader_fragment_url_is_gone(app, world, login_as):
    thread_id, opening = start(app, world, "supplier", "grievance")
    reply_id = answer(app, world, "member", thread_id)
    client = login_as("member")
    for post_id in (opening, reply_id):
        assert client.get(f"/posts/{post_id}/fragment").status_code == 404
    assert client.get(f"/posts/{reply_id}").status_code == 302  # the permalink stays
