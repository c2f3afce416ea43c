"""The writing pages: the reply form, edit with revisions, delete/restore, flag, accept.

Every refusal re-renders with the text kept, the message shown and the
error's status; successes redirect to where the post is.
"""
from __future__ import annotations

import re

from community.extensions import db
from community.models import Flag, Post, PostRevision, Thread
from tests.views.threads_support import (
    answer,
    article,
    html_of,
    moderate_thread,
    post_state,
    set_topic,
    start,
    text_of,
)


def _composer_text(html: str) -> str:
    match = re.search(r'<textarea id="(?:composer-body|kept-text)"[^>]*>([\s\S]*?)</textarea>', html)
    return match.group(1) if match else ""


# --- the reply form (the no-JavaScript path) --------------------------------------------------
def test_reply_success_redirects_to_the_new_post(app, world, login_as):
    thread_id, opening = start(app, world, "supplier", "grievance")
    c = login_as("member")
    response = c.post(f"/threads/{thread_id}/reply", data={"body": "Plain form **reply**",
                                                           "reply_to": str(opening)})
    assert response.status_code == 302
    with app.app_context():
        post = db.session.query(Post).filter_by(body="Plain form **reply**").one()
        assert post.reply_to_id == opening and post.author_id == world.user("member").id
        post_id = post.id
    assert response.headers["Location"].endswith(f"/threads/{thread_id}?page=1#post-{post_id}")
    html = html_of(c.get(f"/threads/{thread_id}"))
    assert "Plain form <strong>reply</strong>" in article(html, post_id)


def test_reply_redirects_to_the_last_page(app, world, login_as):
    app.config["POSTS_PER_PAGE"] = 2
    thread_id, _ = start(app, world, "supplier", "grievance")
    for n in range(4):
        answer(app, world, "member", thread_id, f"filler {n}")
    response = login_as("member2").post(f"/threads/{thread_id}/reply", data={"body": "fifth reply"})
    assert re.search(rf"/threads/{thread_id}\?page=3#post-\d+$", response.headers["Location"])


def test_reply_with_empty_body_keeps_the_form(app, world, login_as):
    thread_id, opening = start(app, world, "supplier", "grievance")
    response = login_as("member").post(f"/threads/{thread_id}/reply",
                                       data={"body": "   ", "reply_to": str(opening), "client_id": "abc-1"})
    assert response.status_code == 400
    html = html_of(response)
    assert "Your post cannot be empty." in html
    assert re.search(r'id="composer-error" class="alert alert-danger" role="alert">Your post cannot be empty', html)
    assert f'id="composer-reply-to" value="{opening}"' in html
    assert 'id="composer-client-id" value="abc-1"' in html
    assert 'aria-invalid="true"' in html


def test_reply_too_long_keeps_every_character(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance")
    text = "Long careful text. " * 1100  # over 20,000 characters
    response = login_as("supplier2").post(f"/threads/{thread_id}/reply",
                                          data={"body": text, "anonymous": "on"})
    assert response.status_code == 400
    html = html_of(response)
    assert "too long" in html and "20,000" in html
    assert _composer_text(html) == text
    assert re.search(r'id="composer-anonymous" name="anonymous" value="on" checked', html)
    with app.app_context():
        assert db.session.query(Post).filter_by(thread_id=thread_id).count() == 1


def test_reply_to_locked_thread_is_423_and_keeps_text(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance")
    moderate_thread(app, world, "moderator", thread_id, "lock")
    response = login_as("member").post(f"/threads/{thread_id}/reply", data={"body": "my last word"})
    assert response.status_code == 423
    html = html_of(response)
    assert "This thread is locked" in html
    assert _composer_text(html) == "my last word"
    assert 'id="kept-text"' in html and "readonly" in html
    assert 'id="composer-form"' not in html


def test_reply_refusals_use_the_errors_status(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance")
    set_topic(app, world, "grievance", slow_mode_seconds=600)
    c = login_as("member")
    assert c.post(f"/threads/{thread_id}/reply", data={"body": "first"}).status_code == 302
    slow = c.post(f"/threads/{thread_id}/reply", data={"body": "second too soon"})
    assert slow.status_code == 429
    assert "Slow mode" in html_of(slow) and _composer_text(html_of(slow)) == "second too soon"
    bad_target = c.post(f"/threads/{thread_id}/reply", data={"body": "kept", "reply_to": "999"})
    assert bad_target.status_code == 400
    assert "not in this thread" in html_of(bad_target) and _composer_text(html_of(bad_target)) == "kept"


def test_reply_anonymous_where_not_allowed_is_refused(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "textiles-circle")
    response = login_as("supplier").post(f"/threads/{thread_id}/reply",
                                         data={"body": "hide me", "anonymous": "on"})
    assert response.status_code == 403
    assert "does not allow anonymous posts" in html_of(response)
    assert _composer_text(html_of(response)) == "hide me"


def test_reply_same_client_id_twice_makes_one_post(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance")
    c = login_as("member")
    first = c.post(f"/threads/{thread_id}/reply", data={"body": "only once", "client_id": "draft-1"})
    second = c.post(f"/threads/{thread_id}/reply", data={"body": "only once", "client_id": "draft-1"})
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.query(Post).filter_by(body="only once").count() == 1


def test_held_reply_says_awaiting_review(app, world, login_as):
    thread_id, _ = start(app, world, "member", "grievance")
    set_topic(app, world, "grievance", moderation="all")
    response = login_as("supplier").post(f"/threads/{thread_id}/reply", data={"body": "hold me"},
                                         follow_redirects=True)
    html = html_of(response)
    assert "awaiting review by a moderator" in html
    assert "hold me" in html and "Awaiting review" in html


# --- edit and revisions ----------------------------------------------------------------------
def test_edit_keeps_a_revision_and_shows_edited(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance")
    post_id = answer(app, world, "supplier", thread_id, "Original wording with a secret")
    c = login_as("supplier")
    form = html_of(c.get(f"/posts/{post_id}/edit"))
    assert "Original wording with a secret" in form and 'name="reason"' in form
    response = c.post(f"/posts/{post_id}/edit", data={"body": "Better wording", "reason": "typo"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#post-{post_id}")
    with app.app_context():
        revisions = db.session.query(PostRevision).filter_by(post_id=post_id).all()
        assert [(r.body, r.reason) for r in revisions] == [("Original wording with a secret", "typo")]
    html = article(html_of(c.get(f"/threads/{thread_id}")), post_id)
    assert "Better wording" in html
    assert f'<a class="post-edited" href="/posts/{post_id}/revisions"' in html
    # the author sees earlier texts; another reader sees that it was edited, and why, not the text
    own = html_of(c.get(f"/posts/{post_id}/revisions"))
    assert "Original wording with a secret" in own and "Reason: typo" in own
    other = html_of(login_as("member").get(f"/posts/{post_id}/revisions"))
    assert "Edited 1 time" in other and "Reason: typo" in other
    assert "Original wording with a secret" not in other
    assert "Original wording with a secret" in html_of(login_as("moderator").get(f"/posts/{post_id}/revisions"))


def test_edit_error_keeps_the_text(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance")
    post_id = answer(app, world, "supplier", thread_id, "Original")
    c = login_as("supplier")
    response = c.post(f"/posts/{post_id}/edit", data={"body": "", "reason": "cleaning up"})
    assert response.status_code == 400
    html = html_of(response)
    assert "cannot be empty" in html and 'value="cleaning up"' in html
    text = "x" * 20001
    response = c.post(f"/posts/{post_id}/edit", data={"body": text})
    assert response.status_code == 400 and text in html_of(response)
    assert post_state(app, post_id) == "visible"


def test_the_edit_page_is_a_composer_like_the_reply_form(app, world, login_as):
    """The counter, the Preview (with its notes) and the too-long words before sending come
    from the same data on the field as the reply composer's, and the page's own module."""
    thread_id, _ = start(app, world, "supplier", "grievance")
    post_id = answer(app, world, "supplier", thread_id, "Original")
    html = html_of(login_as("supplier").get(f"/posts/{post_id}/edit"))
    field = re.search(r'<textarea id="edit-body"[^>]*>', html).group(0)
    for attribute in ('dir="auto"', f'data-max-chars="{app.config["POST_MAX_CHARS"]}"',
                      'data-limit-label="Your post"', 'data-preview-kind="post"'):
        assert attribute in field, attribute
    assert 'id="edit-form"' in html and 'src="/static/js/edit_post.js' in html


def test_only_author_and_moderators_edit(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance")
    post_id = answer(app, world, "supplier", thread_id, "Mine")
    other = login_as("member")
    assert other.get(f"/posts/{post_id}/edit").status_code == 403
    assert other.post(f"/posts/{post_id}/edit", data={"body": "hijack"}).status_code == 403
    assert "hijack" in html_of(other.post(f"/posts/{post_id}/edit", data={"body": "hijack"}))
    mod = login_as("moderator")
    assert "as a moderator" in html_of(mod.get(f"/posts/{post_id}/edit"))
    assert mod.post(f"/posts/{post_id}/edit", data={"body": "Moderated text", "reason": "rule 2"}).status_code == 302
    history = text_of(html_of(login_as("supplier").get(f"/posts/{post_id}/revisions")))
    assert "Edit by Moderator (moderator)" in history


def test_revisions_of_an_anonymous_post_name_nobody(app, world, login_as):
    thread_id, _ = start(app, world, "supplier2", "grievance")
    post_id = answer(app, world, "supplier2", thread_id, "first", anonymous=True)
    login_as("supplier2").post(f"/posts/{post_id}/edit", data={"body": "second"})
    html = html_of(login_as("member").get(f"/posts/{post_id}/revisions"))
    assert "Anonymous supplier" in html
    assert "Supplier2" not in html and "Rubber Works" not in html


# --- delete and restore ------------------------------------------------------------------------
def test_delete_confirm_then_soft_delete_and_restore(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance")
    post_id = answer(app, world, "member", thread_id, "Regrettable words")
    c = login_as("member")
    confirm = html_of(c.get(f"/posts/{post_id}/delete"))
    assert "Delete this post?" in confirm and "Regrettable words" in confirm
    assert re.search(r'<button type="submit" class="btn btn-danger">Delete post</button>', confirm)
    response = c.post(f"/posts/{post_id}/delete")
    assert response.status_code == 302
    assert post_state(app, post_id) == "deleted"
    # readers no longer see it; the author sees it marked, with a restore button
    assert "Regrettable words" not in html_of(login_as("supplier2").get(f"/threads/{thread_id}"))
    own = article(html_of(c.get(f"/threads/{thread_id}")), post_id)
    assert "Deleted" in own and f'action="/posts/{post_id}/restore"' in own
    assert c.get(f"/posts/{post_id}/delete").status_code == 403      # already deleted
    response = c.post(f"/posts/{post_id}/restore")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#post-{post_id}")
    assert post_state(app, post_id) == "visible"
    assert "Regrettable words" in html_of(login_as("supplier2").get(f"/threads/{thread_id}"))


def test_delete_and_restore_refusals(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance")
    post_id = answer(app, world, "member", thread_id, "Not yours")
    other = login_as("member2")
    assert other.get(f"/posts/{post_id}/delete").status_code == 403
    assert other.post(f"/posts/{post_id}/delete").status_code == 403
    assert post_state(app, post_id) == "visible"
    response = login_as("member").post(f"/posts/{post_id}/restore")      # not deleted
    assert response.status_code == 403
    assert "Only deleted posts can be restored." in html_of(response)
    # a moderator deletes with a reason the author then reads
    mod = login_as("moderator")
    assert 'name="reason"' in html_of(mod.get(f"/posts/{post_id}/delete"))
    mod.post(f"/posts/{post_id}/delete", data={"reason": "Off topic"})
    assert "Deleted: Off topic" in text_of(article(html_of(login_as("member").get(f"/threads/{thread_id}")), post_id))
    assert other.get(f"/posts/{post_id}").status_code == 404


# --- flag ---------------------------------------------------------------------------------
def test_flag_page_and_flagging(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance")
    post_id = answer(app, world, "member", thread_id, "Buy my product")
    c = login_as("supplier2")
    page = html_of(c.get(f"/posts/{post_id}/flag"))
    for reason in ("spam", "off_topic", "abusive", "confidential", "other"):
        assert f'type="radio" name="reason" id="reason-{reason}" value="{reason}"' in page
    assert 'name="note"' in page and "<legend" in page
    # "other" needs a note: the choice and the note are kept
    response = c.post(f"/posts/{post_id}/flag", data={"reason": "other", "note": ""})
    assert response.status_code == 400
    assert re.search(r'value="other" checked', html_of(response))
    response = c.post(f"/posts/{post_id}/flag", data={"reason": "spam", "note": "an advert"})
    assert response.status_code == 302
    with app.app_context():
        flag = db.session.query(Flag).filter_by(post_id=post_id).one()
        assert (flag.reason, flag.note) == ("spam", "an advert")
    again = c.post(f"/posts/{post_id}/flag", data={"reason": "spam", "note": "again"})
    assert again.status_code == 409 and "already flagged" in html_of(again)
    assert ">again</textarea>" in html_of(again)          # the note is kept


def test_flag_refusals(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance")
    post_id = answer(app, world, "member", thread_id, "My own words")
    own = login_as("member").get(f"/posts/{post_id}/flag")
    assert own.status_code == 403 and "cannot flag your own post" in html_of(own)
    assert "<form method=\"post\" action=\"/posts/%d/flag\"" % post_id not in html_of(own)
    bad = login_as("member2").post(f"/posts/{post_id}/flag", data={"reason": "bogus"})
    assert bad.status_code == 400 and "The reason must be one of" in html_of(bad)


# --- accept an answer ------------------------------------------------------------------------
def test_asker_accepts_and_unaccepts(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance", kind="question")
    best = answer(app, world, "member", thread_id, "Here is how")
    c = login_as("supplier")
    before = article(html_of(c.get(f"/threads/{thread_id}")), best)
    assert f'action="/threads/{thread_id}/accept"' in before and "Accept answer" in before
    response = c.post(f"/threads/{thread_id}/accept", data={"post_id": str(best)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#post-{best}")
    with app.app_context():
        assert db.session.get(Thread, thread_id).accepted_post_id == best
    html = html_of(c.get(f"/threads/{thread_id}"))
    assert "Unaccept answer" in article(html, best)
    assert "accepted-badge" in article(html, best) and 'accepted-badge" hidden' not in article(html, best)
    response = c.post(f"/threads/{thread_id}/accept", data={"post_id": ""})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Thread, thread_id).accepted_post_id is None


def test_accept_refusals_show_on_the_thread_page(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance", kind="question")
    best = answer(app, world, "member", thread_id, "Here is how")
    other = login_as("member2")
    assert "Accept answer" not in article(html_of(other.get(f"/threads/{thread_id}")), best)
    response = other.post(f"/threads/{thread_id}/accept", data={"post_id": str(best)})
    assert response.status_code == 403
    assert 'id="page-error"' in html_of(response) and "Only the person who asked" in html_of(response)
    mod = login_as("moderator")
    assert mod.post(f"/threads/{thread_id}/accept", data={"post_id": str(best)}).status_code == 302
    discussion_id, _ = start(app, world, "supplier", "grievance", title="Just talking")
    reply_id = answer(app, world, "member", discussion_id, "a reply")
    response = login_as("supplier").post(f"/threads/{discussion_id}/accept", data={"post_id": str(reply_id)})
    assert response.status_code == 403 and "Only questions" in html_of(response)
    response = login_as("supplier").post(f"/threads/{thread_id}/accept", data={"post_id": "abc"})
    assert response.status_code == 400
