"""Notification pages: the user's own list, newest first, and marking read."""
from __future__ import annotations

from sqlalchemy import select

from community.actions.notifications import notify
from community.extensions import db
from community.models import Notification


def text(response) -> str:
    return response.get_data(as_text=True)


def _notes(app, world, persona: str, count: int, url: str = "/threads/1#post-1",
           label: str = "Note number") -> list[int]:
    with app.app_context():
        user = world.user(persona)
        ids = [notify(user, verb="reminder", data={"thread": {"id": 1, "title": f"{label} {n}"}}, url=url).id
               for n in range(count)]
        db.session.commit()
    return ids


def test_list_newest_first_with_unread_highlighted(app, world, login_as):
    ids = _notes(app, world, "supplier", 3)
    _notes(app, world, "member", 1, label="Member only note")
    c = login_as("supplier")
    page = text(c.get("/notifications"))
    assert page.index("Note number 2") < page.index("Note number 1") < page.index("Note number 0")
    assert page.count("notification-unread") == 3
    assert "3 unread" in page
    assert 'id="notification-count"' in page
    assert f'id="notification-{ids[0]}"' in page
    assert "Member only note" not in page


def test_mark_one_read_redirects_to_its_url(app, world, login_as):
    ids = _notes(app, world, "supplier", 2, url="/threads/7#post-9")
    c = login_as("supplier")
    response = c.post(f"/notifications/{ids[0]}/read")
    assert response.status_code == 302
    assert response.headers["Location"] == "/threads/7#post-9"
    with app.app_context():
        assert db.session.get(Notification, ids[0]).read_at is not None
        assert db.session.get(Notification, ids[1]).read_at is None
    page = text(c.get("/notifications"))
    assert page.count("notification-unread") == 1


def test_a_foreign_url_is_never_followed(app, world, login_as):
    ids = _notes(app, world, "supplier", 1, url="https://evil.example/")
    response = login_as("supplier").post(f"/notifications/{ids[0]}/read")
    assert response.headers["Location"] == "/notifications"


def test_cannot_mark_someone_elses_notification(app, world, login_as):
    ids = _notes(app, world, "member", 1)
    response = login_as("supplier").post(f"/notifications/{ids[0]}/read")
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Notification, ids[0]).read_at is None


def test_mark_all_read(app, world, login_as):
    _notes(app, world, "supplier", 3)
    mine_other = _notes(app, world, "member", 1)
    c = login_as("supplier")
    response = c.post("/notifications/read-all")
    assert response.status_code == 302
    page = text(c.get("/notifications"))
    assert "Marked 3 notifications as read." in page
    assert "notification-unread" not in page
    with app.app_context():
        assert db.session.get(Notification, mine_other[0]).read_at is None
        assert db.session.scalar(select(db.func.count(Notification.id)).where(
            Notification.user_id == world.ids["supplier"], Notification.read_at.is_(None))) == 0


def test_pagination(app, world, login_as):
    _notes(app, world, "supplier", 35)
    c = login_as("supplier")
    first = text(c.get("/notifications"))
    assert "Note number 34" in first and "Page 1 of 2" in first
    assert "Note number 0<" not in first
    second = text(c.get("/notifications?page=2"))
    assert "Note number 0" in second and "Note number 34" not in second


def test_notifications_need_sign_in(client, world):
    assert client.get("/notifications").status_code == 302
    assert client.post("/notifications/read-all").status_code == 302


def _thread_and_replies(app, world, anonymous: bool) -> None:
    """The supplier asks in Grievance mechanisms; member2 replies, by name or anonymously."""
    from community.actions.posts import reply
    from community.actions.threads import start_thread

    with app.app_context():
        thread, _opening = start_thread(world.user("supplier"), world.topic("grievance"), title="Wage deductions",
                              body="How do we stop them?", kind="question")
        reply(world.user("member2"), thread, "Here is how we did it.", anonymous=anonymous)


def test_a_named_actor_links_to_their_profile(app, world, login_as):
    _thread_and_replies(app, world, anonymous=False)
    page = text(login_as("supplier").get("/notifications"))
    assert f'href="/users/{world.ids["member2"]}"' in page
    assert "notification-people" in page


def test_an_anonymous_actor_is_never_linked_nor_drawn(app, world, login_as):
    _thread_and_replies(app, world, anonymous=True)
    page = text(login_as("supplier").get("/notifications"))
    assert "Anonymous member" in page
    assert f'/users/{world.ids["member2"]}' not in page
    assert "notification-people" not in page
    assert "Member2" not in page
