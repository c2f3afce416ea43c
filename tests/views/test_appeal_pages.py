"""The pages of a second look, without JavaScript: the author of a hidden post reads why, edits and
sends it back, or appeals from /posts/<id>/appeal; moderators decide at /moderation/appeals; a
refused form keeps what was typed."""
from __future__ import annotations

import re

from community.extensions import db
from community.models import Appeal, Post
from tests.views.threads_support import answer, html_of, moderate_post, start


def _hidden(app, world) -> tuple[int, int]:
    thread_id, _ = start(app, world, "member", "grievance")
    post_id = answer(app, world, "supplier", thread_id, "They charge fees")
    moderate_post(app, world, "moderator", post_id, "hide", "Give the facts, not names")
    return thread_id, post_id


def test_the_author_appeals_from_a_form(app, world, login_as):
    thread_id, post_id = _hidden(app, world)
    author = login_as("supplier")
    page = html_of(author.get(f"/posts/{post_id}/appeal"))
    assert "A moderator hid this post: Give the facts, not names." in page
    assert 'name="note"' in page
    refused = author.post(f"/posts/{post_id}/appeal", data={"note": "  "})
    assert refused.status_code == 400 and 'id="form-error"' in refused.get_data(as_text=True)
    sent = author.post(f"/posts/{post_id}/appeal", data={"note": "These are facts: see the invoice"})
    assert sent.status_code == 302
    own = html_of(author.get(f"/threads/{thread_id}"))
    assert "You appealed this decision." in own and f'href="/posts/{post_id}/appeal"' not in own
    again = author.get(f"/posts/{post_id}/appeal")
    assert again.status_code == 409 and "already appealed" in again.get_data(as_text=True)
    assert login_as("member2").get(f"/posts/{post_id}/appeal").status_code == 404


def test_moderators_decide_on_the_appeals_page(app, world, login_as):
    thread_id, post_id = _hidden(app, world)
    login_as("supplier").post(f"/posts/{post_id}/appeal", data={"note": "These are facts"})
    with app.app_context():
        appeal_id = db.session.scalar(db.select(Appeal.id))
    own_decision = html_of(login_as("moderator").get("/moderation/appeals"))
    assert f'id="appeal-{appeal_id}"' in own_decision and "Another moderator decides this appeal" in own_decision
    admin = login_as("admin")
    page = html_of(admin.get("/moderation/appeals"))
    assert "These are facts" in page and "Give the facts, not names" in page and 'name="decision"' in page
    # No decision chosen: the page says so and keeps the reason typed.
    refused = admin.post(f"/moderation/appeals/{appeal_id}", data={"reason": "Kept reason text"})
    body = html_of(refused)
    assert refused.status_code == 400 and f'id="appeal-{appeal_id}-error"' in body
    assert 'value="Kept reason text"' in body
    done = admin.post(f"/moderation/appeals/{appeal_id}", data={"decision": "overturn", "reason": "Facts, fine"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Post, post_id).state == "visible"
    assert "They charge fees" in html_of(login_as("member2").get(f"/threads/{thread_id}"))
    settled = html_of(admin.get("/moderation/appeals"))
    assert "overturned: the post is visible again" in settled
    assert login_as("member").get("/moderation/appeals").status_code == 403


def test_editing_a_hidden_post_says_it_goes_back(app, world, login_as):
    _thread, post_id = _hidden(app, world)
    author = login_as("supplier")
    form = html_of(author.get(f"/posts/{post_id}/edit"))
    assert 'id="edit-resubmit"' in form and "Save and send back to the moderators" in form
    saved = author.post(f"/posts/{post_id}/edit", data={"body": "Our agent charged 300 USD (receipt kept)"},
                        follow_redirects=True)
    page = html_of(saved)
    assert "back with the moderators" in page
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert (post.state, post.state_cause) == ("held", "resubmitted")
    assert "It was edited and sent back after a moderator’s decision." in page


def test_the_appeals_page_follows_every_moderated_topic_live(app, world, login_as):
    """Live from the first appeal on: the page follows the moderators' room of each topic the
    moderator moderates, with or without open appeals (static/js/appeals.js)."""
    page = html_of(login_as("moderator").get("/moderation/appeals"))
    assert "mods:grievance" in page and 'id="open-appeals"' in page and "js/appeals.js" in page
    assert 'id="no-open-appeals"' in page


def test_the_authors_own_posts_are_marked_for_their_page(app, world, login_as):
    """The author's copy of their post says it is theirs (data-mine), so their open page keeps it
    when it is hidden and re-reads it (static/js/own_posts.js); nobody else's copy does."""
    thread_id, post_id = _hidden(app, world)
    def opening_tag(who: str, of: int) -> str:
        page = login_as(who).get(f"/threads/{thread_id}").get_data(as_text=True)
        return re.search(rf'<article id="post-{of}"[^>]*>', page).group(0)

    assert 'data-mine="true"' in opening_tag("supplier", post_id)
    assert 'data-mine="true"' not in opening_tag("moderator", post_id)
    visible = answer(app, world, "member", thread_id, "Visible words")
    assert 'data-mine="true"' not in opening_tag("member2", visible)
    assert 'data-mine="true"' in opening_tag("member", visible)


def _author_note(page: str, post_id: int) -> str:
    """The hidden post's article on the author's page: its note and its links."""
    start_at = page.index(f'id="post-{post_id}"')
    return page[start_at:page.index("</article>", start_at)]


def test_the_authors_note_offers_only_what_they_can_still_do(app, world, login_as):
    thread_id, post_id = _hidden(app, world)
    author = login_as("supplier")
    before = _author_note(html_of(author.get(f"/threads/{thread_id}")), post_id)
    assert "or appeal the decision" in before and f'href="/posts/{post_id}/appeal"' in before
    # One way to edit: "Edit and send back", not a second plain "Edit" link.
    assert before.count(f'href="/posts/{post_id}/edit"') == 1 and "Edit and send back" in before

    author.post(f"/posts/{post_id}/appeal", data={"note": "These are facts"})
    waiting = _author_note(html_of(author.get(f"/threads/{thread_id}")), post_id)
    assert "or appeal the decision" not in waiting and "your appeal is then withdrawn" in waiting
    with app.app_context():
        appeal_id = db.session.scalar(db.select(Appeal.id))
    upheld = login_as("admin").post(f"/moderation/appeals/{appeal_id}",
                                    data={"decision": "uphold", "reason": "Names stay out"})
    assert upheld.status_code == 302
    after = _author_note(html_of(author.get(f"/threads/{thread_id}")), post_id)
    assert "Your appeal was decided: the post stays hidden. The moderator's reason: Names stay out." in after
    assert "or appeal the decision" not in after and f'href="/posts/{post_id}/appeal"' not in after
    assert "you can still edit the post and send it back to the moderators." in after
    assert after.count(f'href="/posts/{post_id}/edit"') == 1 and "Edit and send back" in after
