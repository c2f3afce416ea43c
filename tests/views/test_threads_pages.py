"""The reading pages: home, a topic's threads, starting a thread, and the thread page.

Who sees what (outsiders never, not even in listings), filters, pagination,
the reply tree with "in reply to", anonymity in the HTML, post states.
"""
from __future__ import annotations

import re

import pytest

from community import events
from community.extensions import db
from community.models import RoomEvent, Thread
from tests.views.threads_support import (
    answer,
    article,
    assert_csp_clean,
    html_of,
    moderate_post,
    moderate_thread,
    set_topic,
    start,
    text_of,
)


# --- signing in ------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/t/grievance", "/t/grievance/new", "/threads/1",
                                  "/threads/1/last", "/posts/1", "/posts/1/edit"])
def test_pages_need_sign_in(client, world, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_reply_form_needs_sign_in(client, world):
    response = client.post("/threads/1/reply", data={"body": "hello"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- home ------------------------------------------------------------------------------
def test_home_lists_readable_topics_in_two_sections(app, world, login_as):
    start(app, world, "supplier", "grievance", title="Grievance thread one")
    start(app, world, "supplier", "textiles-circle", title="Secret textiles matter")
    html = html_of(login_as("supplier").get("/"))
    assert "Themes" in html and "Regional hubs" in html
    assert "Grievance mechanisms" in html
    assert "Textiles circle" in html           # the supplier's organisation is listed
    assert "Members lounge" not in html        # members only
    themes, hubs = html.split("Regional hubs", 1)
    assert "Textiles circle" in hubs and "Grievance mechanisms" in themes
    # thread count and last activity: a <relative-time> the browser words ("3 minutes ago", in the
    # page's language and the reader's time zone), the full date inside for readers without scripts
    assert "1 thread" in html and '<html lang="en" dir="ltr" time-zone="UTC"' in html
    assert re.search(r'<relative-time datetime="[^"]+Z" precision="minute" prefix="">\d+ \w+ \d{4}, \d\d:\d\d UTC'
                     r'</relative-time>', html)
    assert_csp_clean(html)


def test_home_hides_topics_from_outsiders(app, world, login_as):
    start(app, world, "supplier", "textiles-circle", title="Secret textiles matter")
    for outsider in ("supplier2", "member"):
        html = html_of(login_as(outsider).get("/"))
        assert "Textiles circle" not in html
        assert "Secret textiles matter" not in html
    assert "Members lounge" in html_of(login_as("member").get("/"))


# --- the outsider of textiles-circle ---------------------------------------------------------
def test_outsider_never_sees_textiles_circle(app, world, login_as):
    thread_id, opening_id = start(app, world, "supplier", "textiles-circle", title="Secret textiles matter")
    reply_id = answer(app, world, "supplier", thread_id, "inner circle reply")
    outsider = login_as("supplier2")
    for path in ("/t/textiles-circle", "/t/textiles-circle/new", f"/threads/{thread_id}",
                 f"/threads/{thread_id}/last", f"/posts/{reply_id}", f"/posts/{reply_id}/edit",
                 f"/posts/{reply_id}/revisions", f"/posts/{reply_id}/delete", f"/posts/{reply_id}/flag"):
        response = outsider.get(path)
        assert response.status_code == 404, path
        assert "Secret textiles matter" not in html_of(response)
    for path, data in ((f"/threads/{thread_id}/reply", {"body": "let me in"}),
                       (f"/threads/{thread_id}/accept", {"post_id": str(reply_id)}),
                       (f"/posts/{reply_id}/restore", {}),
                       (f"/posts/{reply_id}/flag", {"reason": "spam"})):
        assert outsider.post(path, data=data).status_code == 404, path
    # and the insider reads it all
    insider = login_as("supplier")
    assert insider.get("/t/textiles-circle").status_code == 200
    page = insider.get(f"/threads/{thread_id}")
    assert page.status_code == 200 and "inner circle reply" in html_of(page)


def test_unknown_topic_and_thread_are_404(world, login_as):
    c = login_as("member")
    assert c.get("/t/nope").status_code == 404
    assert c.get("/threads/999").status_code == 404


# --- a topic's threads -----------------------------------------------------------------------
def test_topic_lists_pinned_first_then_by_activity(app, world, login_as):
    old_id, _ = start(app, world, "supplier", "grievance", title="Oldest thread here")
    mid_id, _ = start(app, world, "member", "grievance", title="Middle thread here")
    new_id, _ = start(app, world, "member2", "grievance", title="Newest thread here")
    answer(app, world, "member", old_id, "bump the oldest")       # now the most recent activity
    moderate_thread(app, world, "moderator", mid_id, "pin")
    html = html_of(login_as("supplier2").get("/t/grievance"))
    order = [html.index(t) for t in ("Middle thread here", "Oldest thread here", "Newest thread here")]
    assert order == sorted(order)
    row = re.search(r'<li class="thread-row thread-row--pinned"[\s\S]*?</li>', html).group(0)
    assert "Middle thread here" in row and "Pinned" in row
    assert "1 reply" in html


def test_topic_row_shows_badges_and_counts(app, world, login_as):
    q_id, _ = start(app, world, "supplier", "grievance", title="How do we audit fees?", kind="question")
    start(app, world, "member", "grievance", title="Consortium news today", kind="announcement")
    r_id = answer(app, world, "member", q_id, "Like this")
    answer(app, world, "member2", q_id, "Or like that")
    c = login_as("supplier")
    assert c.post(f"/threads/{q_id}/accept", data={"post_id": str(r_id)}).status_code == 302
    moderate_thread(app, world, "moderator", q_id, "lock")
    html = html_of(c.get("/t/grievance"))
    row = re.search(r'<li class="thread-row[^"]*" data-thread-id="%d"[\s\S]*?</li>' % q_id, html).group(0)
    assert "Question" in row and "Answered" in row and "Locked" in row and "2 replies" in row
    assert "Supplier" in row and "Textiles Ltd" in row
    assert "Announcement" in html


def test_topic_filters_questions_and_unanswered(app, world, login_as):
    start(app, world, "supplier", "grievance", title="Just a discussion")
    open_q, _ = start(app, world, "supplier", "grievance", title="Open question here", kind="question")
    done_q, _ = start(app, world, "supplier", "grievance", title="Answered question here", kind="question")
    r_id = answer(app, world, "member", done_q, "The answer")
    c = login_as("supplier")
    c.post(f"/threads/{done_q}/accept", data={"post_id": str(r_id)})
    everything = html_of(c.get("/t/grievance"))
    assert all(t in everything for t in ("Just a discussion", "Open question here", "Answered question here"))
    questions = html_of(c.get("/t/grievance?filter=questions"))
    assert "Just a discussion" not in questions
    assert "Open question here" in questions and "Answered question here" in questions
    assert 'aria-current="page">Questions' in questions
    unanswered = html_of(c.get("/t/grievance?filter=unanswered"))
    assert "Open question here" in unanswered
    assert "Answered question here" not in unanswered and "Just a discussion" not in unanswered
    # an unknown filter is "all"
    assert "Just a discussion" in html_of(c.get("/t/grievance?filter=bogus"))


def test_topic_pagination(app, world, login_as):
    app.config["THREADS_PER_PAGE"] = 2
    for n in range(5):
        start(app, world, "supplier", "grievance", title=f"Paged thread number {n}")
    c = login_as("supplier")
    first = html_of(c.get("/t/grievance"))
    assert "Paged thread number 4" in first and "Paged thread number 3" in first
    assert "Paged thread number 2" not in first
    assert 'href="/t/grievance?page=2"' in first
    third = html_of(c.get("/t/grievance?page=3"))
    assert "Paged thread number 0" in third and "Paged thread number 1" not in third
    assert "Paged thread number 0" in html_of(c.get("/t/grievance?page=99"))


def test_new_thread_button_rules_and_empty_state(app, world, login_as):
    set_topic(app, world, "announcements", rules="Be kind.\nNo sales pitches.")
    supplier = html_of(login_as("supplier").get("/t/announcements"))
    assert "New thread" not in supplier           # only members start threads there
    assert "Be kind." in supplier and "No sales pitches." in supplier
    assert "No threads here yet." in supplier
    member = html_of(login_as("member").get("/t/announcements"))
    assert 'href="/t/announcements/new"' in member
    assert 'href="/t/grievance/new"' in html_of(login_as("supplier").get("/t/grievance"))


def test_held_threads_only_for_their_author_and_moderators(app, world, login_as):
    set_topic(app, world, "grievance", moderation="all")
    thread_id, _ = start(app, world, "supplier", "grievance", title="Held for review thread")
    assert "Held for review thread" not in html_of(login_as("supplier2").get("/t/grievance"))
    assert login_as("supplier2").get(f"/threads/{thread_id}").status_code == 404
    mod = html_of(login_as("moderator").get("/t/grievance"))
    assert "Held for review thread" in mod and "Held for review</span>" in mod
    author = html_of(login_as("supplier").get("/t/grievance"))
    assert "Held for review thread" in author and "Awaiting review" in author


def test_topic_page_carries_its_room_cursor(app, world, login_as):
    start(app, world, "supplier", "grievance", title="Something to announce")
    with app.app_context():
        cursor = events.latest_cursor("topic:grievance")
    assert cursor > 0
    html = html_of(login_as("member").get("/t/grievance"))
    assert f'data-topic-slug="grievance" data-cursor="{cursor}"' in html
    assert_csp_clean(html)


# --- starting a thread ---------------------------------------------------------------------
def test_new_thread_form_offers_what_is_allowed(world, login_as):
    supplier = html_of(login_as("supplier").get("/t/grievance/new"))
    assert 'value="discussion"' in supplier and 'value="question"' in supplier
    assert 'value="announcement"' not in supplier
    assert 'name="anonymous"' in supplier          # grievance allows anonymous posts
    assert "20,000 characters" in supplier and "Markdown" in supplier
    assert 'name="csrf_token"' in supplier
    member = html_of(login_as("member").get("/t/members-lounge/new"))
    assert 'value="announcement"' in member
    assert 'name="anonymous"' not in member       # the lounge does not
    assert login_as("supplier").get("/t/announcements/new").status_code == 403
    assert_csp_clean(supplier)


def test_new_thread_success_redirects_to_it(app, world, login_as):
    c = login_as("supplier")
    response = c.post("/t/grievance/new", data={
        "title": "Fees charged by recruiters", "kind": "question", "body": "How do you **check**?",
        "tags": "Recruitment fees, audits",
    })
    assert response.status_code == 302
    thread_id = int(re.search(r"/threads/(\d+)$", response.headers["Location"]).group(1))
    with app.app_context():
        thread = db.session.get(Thread, thread_id)
        assert (thread.title, thread.kind, thread.tags) == ("Fees charged by recruiters", "question",
                                                            "recruitment-fees,audits")
    html = html_of(c.get(f"/threads/{thread_id}"))
    assert "<strong>check</strong>" in html and "#recruitment-fees" in html


def test_new_thread_error_keeps_everything(world, login_as):
    c = login_as("supplier")
    long_body = "Body text that must survive " * 10
    response = c.post("/t/grievance/new", data={
        "title": "Hi", "kind": "question", "body": long_body, "tags": "wages", "anonymous": "on",
    })
    assert response.status_code == 400
    html = html_of(response)
    assert "at least 5 characters" in html
    assert 'value="Hi"' in html and long_body.strip() in html and 'value="wages"' in html
    assert re.search(r'value="question" selected', html)
    assert re.search(r'name="anonymous" value="on" checked', html)
    assert 'aria-invalid="true"' in html


def test_new_thread_refusals_keep_text(world, login_as):
    c = login_as("supplier")
    response = c.post("/t/grievance/new", data={"title": "Announcing things", "kind": "announcement",
                                                "body": "my careful words"})
    assert response.status_code == 403
    assert "my careful words" in html_of(response)
    response = c.post("/t/grievance/new", data={"title": "Empty body thread", "body": "   "})
    assert response.status_code == 400 and "cannot be empty" in html_of(response)


def test_new_held_thread_says_awaiting_review(app, world, login_as):
    set_topic(app, world, "grievance", moderation="all")
    c = login_as("supplier")
    response = c.post("/t/grievance/new", data={"title": "Please look at this", "body": "words"},
                      follow_redirects=True)
    html = html_of(response)
    assert response.status_code == 200
    assert "awaiting review" in html and "Please look at this" in html


def test_new_thread_client_id_makes_double_submits_harmless(app, world, login_as):
    c = login_as("supplier")
    data = {"title": "Only once please", "body": "words", "client_id": "form-abc"}
    first = c.post("/t/grievance/new", data=data)
    second = c.post("/t/grievance/new", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.query(Thread).filter_by(title="Only once please").count() == 1


# --- the thread page -------------------------------------------------------------------------
def test_thread_page_cursor_is_the_rooms_latest(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance")
    answer(app, world, "member", thread_id, "one")
    answer(app, world, "member2", thread_id, "two")
    with app.app_context():
        cursor = db.session.query(db.func.max(RoomEvent.id)).filter(
            RoomEvent.room == f"thread:{thread_id}").scalar()
    html = html_of(login_as("supplier").get(f"/threads/{thread_id}"))
    assert f'data-thread-id="{thread_id}" data-cursor="{cursor}"' in html
    assert 'id="composer"' in html
    assert_csp_clean(html)


def test_thread_tree_nests_three_levels_then_flattens(app, world, login_as):
    thread_id, opening = start(app, world, "supplier", "grievance")
    a = answer(app, world, "member", thread_id, "level one", reply_to=opening)
    b = answer(app, world, "member2", thread_id, "level two", reply_to=a)
    c = answer(app, world, "supplier2", thread_id, "level three", reply_to=b)
    d = answer(app, world, "member", thread_id, "level four", reply_to=c)
    top = answer(app, world, "member2", thread_id, "another top reply")
    html = html_of(login_as("supplier").get(f"/threads/{thread_id}"))
    # nested lists: a > b > c, and d beside c (flattened at level 3) saying whom it answers
    assert re.search(rf'id="replies-{a}" data-depth="2">\s*<li class="post-node" id="node-{b}"', html)
    assert re.search(rf'id="replies-{b}" data-depth="3">\s*<li class="post-node" id="node-{c}"', html)
    assert f'id="replies-{c}"' not in html              # nothing nests below level 3
    assert re.search(rf'id="node-{d}" data-post-id="{d}" data-depth="3"', html)
    assert "in reply to" in article(html, d) and f'href="#post-{c}"' in article(html, d)
    assert "Supplier2" in article(html, d)             # the name of the post it answers
    for nested in (a, b, c, top):
        assert "in reply to" not in article(html, nested)
    # chronological: the later top-level reply comes after the whole first branch
    assert html.index(f'id="post-{d}"') < html.index(f'id="post-{top}"')


def test_thread_pagination_builds_the_tree_within_the_page(app, world, login_as):
    app.config["POSTS_PER_PAGE"] = 3
    thread_id, _ = start(app, world, "supplier", "grievance")
    ids = [answer(app, world, "member", thread_id, f"reply number {n}") for n in range(4)]
    child = answer(app, world, "member2", thread_id, "answering the first", reply_to=ids[0])
    c = login_as("supplier")
    first = html_of(c.get(f"/threads/{thread_id}"))
    assert "reply number 2" in first and "reply number 3" not in first
    assert "Opening words" in first
    assert f'href="/threads/{thread_id}?page=2"' in first
    second = html_of(c.get(f"/threads/{thread_id}?page=2"))
    assert "reply number 3" in second and "reply number 0" not in second
    assert "Opening post (page 1)" in second and "Opening words" not in second
    # the child's parent is on page 1: it says whom it answers, linking to it there
    assert "in reply to" in article(second, child)
    assert f'href="/posts/{ids[0]}"' in article(second, child)
    assert c.get(f"/posts/{ids[0]}").headers["Location"].endswith(f"/threads/{thread_id}?page=1#post-{ids[0]}")
    assert c.get(f"/posts/{child}").headers["Location"].endswith(f"?page=2#post-{child}")
    assert c.get(f"/threads/{thread_id}/last").headers["Location"].endswith("?page=2")


def test_question_shows_accepted_answer_first(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance", kind="question")
    first = answer(app, world, "member", thread_id, "an early answer")
    best = answer(app, world, "member2", thread_id, "the best answer")
    child = answer(app, world, "supplier2", thread_id, "thanks, that helps", reply_to=best)
    c = login_as("supplier")
    c.post(f"/threads/{thread_id}/accept", data={"post_id": str(best)})
    html = html_of(c.get(f"/threads/{thread_id}"))
    accepted_section = html.index('id="accepted-answer"')
    assert accepted_section < html.index('id="replies-root"')
    assert html.index(f'id="post-{best}"') > accepted_section
    assert html.index(f'id="post-{best}"') < html.index(f'id="post-{first}"')
    assert html.count(f'id="post-{best}"') == 1                      # once, not twice
    assert f'id="stub-{best}"' in html                              # its place in the tree
    assert re.search(rf'id="replies-{best}" data-depth="2">\s*<li class="post-node" id="node-{child}"', html)
    assert "post--accepted" in article(html, best)
    assert 'id="thread-answered"' in html and 'id="thread-answered" hidden' not in html


def test_reply_to_and_quote_prefill_the_composer(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance")
    target = answer(app, world, "member", thread_id, "Quote **me** please\n\nsecond paragraph")
    c = login_as("supplier2")
    html = html_of(c.get(f"/threads/{thread_id}?reply_to={target}"))
    assert f'name="reply_to" id="composer-reply-to" value="{target}"' in html
    assert re.search(r'Replying to\s*<a id="reply-target-link"[^>]*>Member</a>', html)
    html = html_of(c.get(f"/threads/{thread_id}?quote={target}"))
    assert f'value="{target}"' in html
    textarea = re.search(r'<textarea id="composer-body"[^>]*>([\s\S]*?)</textarea>', html).group(1)
    assert textarea.startswith("&gt; **Member** wrote:\n&gt; Quote me please second paragraph")
    # a target from elsewhere is ignored
    other_thread, other_post = start(app, world, "member", "grievance", title="Another thread")
    html = html_of(c.get(f"/threads/{thread_id}?reply_to={other_post}"))
    assert 'id="composer-reply-to" value=""' in html


def test_locked_thread_has_no_composer_but_moderators_do(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance")
    moderate_thread(app, world, "moderator", thread_id, "lock")
    html = html_of(login_as("supplier2").get(f"/threads/{thread_id}"))
    assert "This thread is locked" in html and 'id="composer-form"' not in html
    assert f'/threads/{thread_id}?reply_to=' not in html       # no Reply links either
    mod = html_of(login_as("moderator").get(f"/threads/{thread_id}"))
    assert 'id="composer-form"' in mod and "you can still reply" in mod


# --- anonymity in the HTML ----------------------------------------------------------------------
def _anonymous_thread(app, world):
    thread_id, opening = start(app, world, "supplier2", "grievance", title="A sensitive question",
                               body="Asked without my name", anonymous=True)
    reply_id = answer(app, world, "supplier2", thread_id, "Anonymous follow-up", anonymous=True)
    named = answer(app, world, "member", thread_id, "A named answer", reply_to=reply_id)
    with app.app_context():
        author = world.user("supplier2")
        secrets = {"name": author.name, "org": author.organisation.name, "email": author.email,
                   "id": author.id, "handle": author.handle}
    return thread_id, opening, reply_id, named, secrets


def _assert_no_identity(html: str, secrets: dict, where: str) -> None:
    for key in ("name", "org", "email"):
        assert secrets[key] not in html, f"{key} of the anonymous author leaks in {where}"
    assert f'data-author-id="{secrets["id"]}"' not in html, where
    assert f'@{secrets["handle"]}' not in html, where


def test_anonymous_author_is_never_revealed_to_others(app, world, login_as):
    thread_id, opening, reply_id, named, secrets = _anonymous_thread(app, world)
    for persona in ("member", "supplier", "member2"):
        c = login_as(persona)
        for path in (f"/threads/{thread_id}", "/t/grievance", f"/threads/{thread_id}?quote={reply_id}",
                     f"/threads/{thread_id}?reply_to={reply_id}", f"/posts/{reply_id}/flag",
                     f"/posts/{reply_id}/revisions"):
            response = c.get(path)
            assert response.status_code == 200, path
            _assert_no_identity(html_of(response), secrets, f"{path} for {persona}")
    html = html_of(login_as("member").get(f"/threads/{thread_id}"))
    assert "Anonymous supplier" in article(html, opening) and "Anonymous supplier" in article(html, reply_id)
    assert "in reply to" not in article(html, named)     # nested right under it
    assert 'data-author-id' not in article(html, reply_id)


def test_the_topics_moderator_sees_who_it_is_only_after_a_reveal(app, world, login_as):
    thread_id, opening, reply_id, _named, secrets = _anonymous_thread(app, world)
    revealed = "Anonymous supplier (Supplier2, Rubber Works — revealed to you)"
    moderator = login_as("moderator")
    _assert_no_identity(html_of(moderator.get(f"/threads/{thread_id}")), secrets, "the moderator's page")
    assert moderator.post(f"/moderation/posts/{reply_id}/reveal", data={"reason": "Names a worker"}).status_code == 302
    html = html_of(moderator.get(f"/threads/{thread_id}"))
    assert revealed in text_of(article(html, reply_id))
    assert "Rubber Works" not in text_of(article(html, opening))  # that one was not revealed
    assert "Rubber Works" not in text_of(html_of(moderator.get("/t/grievance")))
    # the author is told it is them
    own = html_of(login_as("supplier2").get(f"/threads/{thread_id}"))
    assert "Anonymous supplier (you)" in text_of(article(own, reply_id))
    assert "(you)" not in text_of(html_of(login_as("member").get(f"/threads/{thread_id}")))


# --- post states ----------------------------------------------------------------------------
def test_held_post_shown_to_author_and_moderators_only(app, world, login_as):
    thread_id, _ = start(app, world, "member", "grievance")
    set_topic(app, world, "grievance", moderation="all")
    held = answer(app, world, "supplier", thread_id, "please approve me")
    assert "please approve me" not in html_of(login_as("supplier2").get(f"/threads/{thread_id}"))
    own = article(html_of(login_as("supplier").get(f"/threads/{thread_id}")), held)
    assert "please approve me" in own and "Awaiting review" in own
    mod = article(html_of(login_as("moderator").get(f"/threads/{thread_id}")), held)
    assert "please approve me" in mod and "Held for review" in mod and "/moderation/posts/" in mod
    assert login_as("supplier2").get(f"/posts/{held}").status_code == 404


def test_hidden_post_shows_the_reason_to_its_author(app, world, login_as):
    thread_id, _ = start(app, world, "member", "grievance")
    post_id = answer(app, world, "supplier", thread_id, "something off topic")
    moderate_post(app, world, "moderator", post_id, "hide", "Please keep to the topic")
    assert "something off topic" not in html_of(login_as("member2").get(f"/threads/{thread_id}"))
    own = article(html_of(login_as("supplier").get(f"/threads/{thread_id}")), post_id)
    # In plain words, said once (it read "Hidden: Hidden by a moderator: …"), with what the author can do.
    assert "A moderator hid this post: Please keep to the topic." in own
    assert "Hidden: Hidden" not in own and "Hidden by a moderator:" not in own
    assert f'href="/posts/{post_id}/edit"' in own and f'href="/posts/{post_id}/appeal"' in own
    mod = article(html_of(login_as("moderator").get(f"/threads/{thread_id}")), post_id)
    assert "something off topic" in mod and "Hidden" in mod


def test_pages_pass_the_csp_rules(app, world, login_as):
    thread_id, opening = start(app, world, "supplier", "grievance", kind="question")
    reply_id = answer(app, world, "member", thread_id, "reply")
    c = login_as("supplier")
    for path in ("/", "/t/grievance", "/t/grievance/new", f"/threads/{thread_id}",
                 f"/posts/{opening}/edit", f"/posts/{opening}/delete", f"/posts/{opening}/revisions",
                 f"/posts/{reply_id}/flag"):
        response = c.get(path)
        assert response.status_code == 200, path
        assert_csp_clean(html_of(response))
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
