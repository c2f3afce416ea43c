"""The post partial's reactions and bookmark (issue #17, phase 2): buttons with counts and the
reader's pressed state, the author's counts without buttons, the bookmark's state, answers
ordered accepted first then by "helpful"; comfort: the colour mode and the shortcuts page."""
from __future__ import annotations

import re

from community.actions.reactions import react
from community.extensions import db
from community.models import Post
from tests.views.threads_support import answer, article, assert_csp_clean, html_of, start


def _react(app, world, who, post_id, kind):
    with app.app_context():
        react(world.user(who), db.session.get(Post, post_id), kind)
        db.session.commit()


def _pressed(html: str, kind: str) -> str | None:
    match = re.search(rf'data-kind="{kind}"\s+aria-pressed="(true|false)"', html)
    return match.group(1) if match else None


def _count(html: str, kind: str) -> int:
    match = re.search(rf'data-kind="{kind}"[^>]*>\s*<i[^>]*></i>[^<]*<span class="reaction-count">(\d+)</span>', html)
    assert match, kind
    return int(match.group(1))


def test_reaction_buttons_show_counts_and_the_readers_own(app, world, login_as):
    thread_id, opening = start(app, world, "member", "grievance", kind="question", title="Fees at the border?")
    reply = answer(app, world, "member2", thread_id, body="Ask the agency for receipts.")
    _react(app, world, "supplier", reply, "helpful")
    _react(app, world, "moderator", reply, "helpful")
    _react(app, world, "moderator", reply, "thanks")

    page = html_of(login_as("supplier").get(f"/threads/{thread_id}"))
    assert_csp_clean(page)
    post = article(page, reply)
    assert _count(post, "helpful") == 2 and _count(post, "thanks") == 1 and _count(post, "agree") == 0
    assert _pressed(post, "helpful") == "true" and _pressed(post, "thanks") == "false"
    assert f'action="/posts/{reply}/reactions"' in post and 'name="on" value="0"' in post
    assert f'href="/posts/{reply}/reactions"' in post  # who reacted, without JavaScript

    other = article(html_of(login_as("member").get(f"/threads/{thread_id}")), reply)
    assert _pressed(other, "helpful") == "false"  # another reader's page: not theirs

    own = article(html_of(login_as("member2").get(f"/threads/{thread_id}")), reply)
    assert "js-reaction-form" not in own and "reaction--readonly" in own  # the author sees counts only
    assert _count(own, "helpful") == 2
    assert opening


def test_the_bookmark_control_says_whether_the_post_is_saved(app, world, login_as):
    thread_id, opening = start(app, world, "member", "grievance")
    c = login_as("supplier")
    before = article(html_of(c.get(f"/threads/{thread_id}")), opening)
    assert 'class="btn btn-sm btn-link js-bookmark" role="button"' in before and 'aria-pressed="false"' in before
    c.post("/bookmarks/new", data={"post_id": opening, "note": "", "remind_at": ""})
    after = article(html_of(c.get(f"/threads/{thread_id}")), opening)
    assert re.search(r'data-bookmark-id="\d+" aria-pressed="true"', after) and "Bookmarked" in after


def test_answers_are_ordered_accepted_first_then_by_helpful(app, world, login_as):
    thread_id, _ = start(app, world, "member", "grievance", kind="question", title="Which audit scheme?")
    first = answer(app, world, "member2", thread_id, body="The first answer.")
    second = answer(app, world, "supplier", thread_id, body="The second answer.")
    third = answer(app, world, "moderator", thread_id, body="The third answer.")
    _react(app, world, "member2", third, "helpful")
    _react(app, world, "supplier", third, "helpful")
    _react(app, world, "member2", second, "helpful")
    page = html_of(login_as("member").get(f"/threads/{thread_id}"))
    order = [int(i) for i in re.findall(r'<li class="post-node[^"]*" id="node-(\d+)"', page)]
    assert order[:3] == [third, second, first], order


def test_the_colour_mode_follows_the_cookie_and_the_system_by_default(client, login_as):
    page = client.get("/accounts/login").get_data(as_text=True)
    assert 'data-theme-choice="auto"' in page and "js/theme.js" in page
    chose = client.post("/theme", data={"theme": "dark", "next": "/accounts/login"})
    assert chose.status_code == 302 and "theme=dark" in chose.headers["Set-Cookie"]
    page = client.get("/accounts/login").get_data(as_text=True)
    assert 'data-theme-choice="dark" data-bs-theme="dark"' in page
    client.post("/theme", data={"theme": "purple"})  # not a choice: nothing changes
    assert 'data-bs-theme="dark"' in client.get("/accounts/login").get_data(as_text=True)


def test_the_shortcuts_page_lists_them(client):
    page = client.get("/help/shortcuts").get_data(as_text=True)
    for key in ("j", "k", "r", "/", "?"):
        assert f'<kbd class="rt-key">{key}</kbd>' in page
    assert "js/shortcuts.js" in page
