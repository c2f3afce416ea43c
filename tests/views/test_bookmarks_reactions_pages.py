"""Pages without JavaScript: the Bookmarks page, saving and changing a bookmark (text kept when
refused), the reaction form, who reacted, and the reminders email preference."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from community.extensions import db
from community.models import Bookmark, NotificationPreference, Post, Reaction, utcnow
from tests.views.threads_support import answer, moderate_post, start


def text(response) -> str:
    return response.get_data(as_text=True)


def bookmarks_of(app, world, who):
    with app.app_context():
        return [(b.post_id, b.thread_id, b.note, b.remind_at) for b in db.session.scalars(
            select(Bookmark).where(Bookmark.user_id == world.ids[who]).order_by(Bookmark.id))]


# --- bookmarks ------------------------------------------------------------------------------------
def test_save_a_post_from_its_form_and_find_it_on_the_bookmarks_page(app, world, login_as):
    thread_id, post_id = start(app, world, "member", "grievance", title="Fair recruitment checklist",
                               body="Step one: **no fees** for workers.")
    c = login_as("supplier")
    form = c.get(f"/bookmarks/new?post_id={post_id}&next=/threads/{thread_id}")
    assert form.status_code == 200
    page = text(form)
    assert "Fair recruitment checklist" in page and "Step one: no fees for workers." in page
    assert 'name="remind_at"' in page and 'type="datetime-local"' in page

    saved = c.post("/bookmarks/new", data={"post_id": post_id, "note": "for our HR team", "remind_at": "",
                                           "next": f"/threads/{thread_id}"})
    assert saved.status_code == 302 and saved.headers["Location"] == f"/threads/{thread_id}"
    assert bookmarks_of(app, world, "supplier") == [(post_id, None, "for our HR team", None)]

    listing = text(c.get("/bookmarks"))
    assert "Fair recruitment checklist" in listing and "for our HR team" in listing
    assert 'dir="auto"' in listing and "A post by <bdi>Member</bdi>" in listing


def test_a_refused_reminder_keeps_the_note(app, world, login_as):
    thread_id, _ = start(app, world, "member", "grievance")
    c = login_as("supplier")
    refused = c.post("/bookmarks/new", data={"thread_id": thread_id, "note": "my careful note",
                                             "remind_at": "2001-01-01T09:00"})
    assert refused.status_code == 400
    page = text(refused)
    assert "Choose a reminder time in the future." in page and "my careful note" in page
    assert 'aria-invalid="true"' in page
    assert bookmarks_of(app, world, "supplier") == []


def test_a_reminder_is_read_in_the_readers_time_zone(app, world, login_as):
    thread_id, _ = start(app, world, "member", "grievance")
    with app.app_context():
        world.user("supplier").timezone = "America/New_York"
        db.session.commit()
    c = login_as("supplier")
    day = (utcnow() + timedelta(days=30)).strftime("%Y-%m-%d")
    c.post("/bookmarks/new", data={"thread_id": thread_id, "remind_at": f"{day}T09:00"})
    [(_p, _t, _n, when)] = bookmarks_of(app, world, "supplier")
    assert when.hour in (13, 14) and when.minute == 0  # 09:00 in New York, EST or EDT
    again = text(c.get(f"/bookmarks/new?thread_id={thread_id}"))
    assert f'value="{day}T09:00"' in again and "Change your bookmark" in again


def test_change_and_remove_from_the_bookmarks_page(app, world, login_as):
    thread_id, _ = start(app, world, "member", "grievance")
    c = login_as("supplier")
    c.post("/bookmarks/new", data={"thread_id": thread_id, "note": "first"})
    with app.app_context():
        mark_id = db.session.scalar(select(Bookmark.id))
    refused = c.post(f"/bookmarks/{mark_id}", data={"note": "kept words", "remind_at": "soon"})
    assert refused.status_code == 400 and "kept words" in text(refused)
    ok = c.post(f"/bookmarks/{mark_id}", data={"note": "second", "remind_at": ""})
    assert ok.status_code == 302
    assert bookmarks_of(app, world, "supplier")[0][2] == "second"
    assert c.post(f"/bookmarks/{mark_id}/delete").status_code == 302
    assert bookmarks_of(app, world, "supplier") == []


def test_nobody_else_can_touch_or_see_a_bookmark(app, world, login_as):
    thread_id, _ = start(app, world, "member", "grievance", title="Private reading list item")
    c = login_as("supplier")
    c.post("/bookmarks/new", data={"thread_id": thread_id, "note": "secret note"})
    with app.app_context():
        mark_id = db.session.scalar(select(Bookmark.id))
    other = login_as("admin")
    assert "secret note" not in text(other.get("/bookmarks"))
    assert other.post(f"/bookmarks/{mark_id}", data={"note": "x"}).status_code == 404
    assert other.post(f"/bookmarks/{mark_id}/delete").status_code == 404
    assert bookmarks_of(app, world, "supplier")[0][2] == "secret note"


def test_out_of_sight_things_cannot_be_saved_nor_listed(app, world, login_as):
    lounge_id, _ = start(app, world, "member", "members-lounge")
    thread_id, _ = start(app, world, "member", "grievance", title="A reply will be hidden")
    reply_id = answer(app, world, "member2", thread_id, "Soon hidden reply")
    c = login_as("supplier")
    assert c.get(f"/bookmarks/new?thread_id={lounge_id}").status_code == 404
    assert c.post("/bookmarks/new", data={"thread_id": lounge_id}).status_code == 404
    c.post("/bookmarks/new", data={"post_id": reply_id})
    moderate_post(app, world, "moderator", reply_id, "hide", "spam")
    assert "A reply will be hidden" not in text(c.get("/bookmarks"))


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    for path in ("/bookmarks", "/bookmarks/new?thread_id=1"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- reactions ------------------------------------------------------------------------------------
def test_react_and_take_back_with_the_form(app, world, login_as):
    thread_id, post_id = start(app, world, "member", "grievance")
    c = login_as("supplier")
    added = c.post(f"/posts/{post_id}/reactions", data={"kind": "helpful", "on": "1"})
    assert added.status_code == 302 and added.headers["Location"] == f"/posts/{post_id}"
    with app.app_context():
        assert db.session.get(Post, post_id).reactions_helpful == 1
    c.post(f"/posts/{post_id}/reactions", data={"kind": "helpful", "on": "0", "next": f"/threads/{thread_id}"})
    with app.app_context():
        assert db.session.get(Post, post_id).reactions_helpful == 0


def test_a_refused_reaction_says_why(app, world, login_as):
    _thread_id, post_id = start(app, world, "member", "grievance")
    c = login_as("member")
    response = c.post(f"/posts/{post_id}/reactions", data={"kind": "helpful", "on": "1"}, follow_redirects=True)
    assert "You cannot react to your own post." in text(response)
    with app.app_context():
        assert db.session.scalar(select(Reaction.kind)) is None


def test_who_reacted_page_never_names_an_anonymous_asker(app, world, login_as):
    thread_id, _ = start(app, world, "supplier", "grievance", title="Anonymous question", anonymous=True,
                         kind="question")
    answer_id = answer(app, world, "member", thread_id, "An answer")
    login_as("supplier").post(f"/posts/{answer_id}/reactions", data={"kind": "thanks", "on": "1"})
    login_as("member2").post(f"/posts/{answer_id}/reactions", data={"kind": "thanks", "on": "1"})
    page = text(login_as("moderator").get(f"/posts/{answer_id}/reactions"))
    assert "Member2" in page and "and 1 other" in page
    assert "Supplier" not in page.replace("Anonymous supplier", "") and "Textiles" not in page


# --- the email preference -------------------------------------------------------------------------
def test_the_reminders_email_preference(app, world, login_as):
    c = login_as("supplier")
    page = text(c.get("/settings/notifications"))
    assert 'name="reminders"' in page and 'id="pref-reminders" name="reminders" value="on" checked' in page
    c.post("/settings/notifications", data={"mentions": "on", "replies": "on", "digest": "weekly"})
    with app.app_context():
        assert db.session.get(NotificationPreference, world.ids["supplier"]).email_reminders is False
