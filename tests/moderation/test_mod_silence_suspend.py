"""User actions: a moderator silences an author in one topic for some minutes (from the queue
or the post page); an administrator suspends a user site-wide. Both take effect at once,
live sockets included."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.actions.posts import reply
from community.actions.threads import get_thread, start_thread
from community.errors import Forbidden
from community.extensions import db
from community.models import Notification, User, utcnow
from community.models.moderation import TopicSilence
from tests.actions.support import start
from tests.moderation.support import card, last_audit, text
from tests.realtime.support import drain, joined


@pytest.fixture
def scene(app, world) -> dict:
    with app.app_context():
        thread, _ = start(world, "moderator", title="Silence and suspension thread")
        post = reply(world.user("supplier"), thread, "Something a moderator did not like")
        lounge, _ = start(world, "admin", "textiles-circle", title="Textiles circle thread")
        return {"thread": thread.id, "post": post.id, "other_thread": lounge.id}


def silence(client, post_id: int, minutes="30", reason="Cool down, please", next_url=None):
    data = {"minutes": minutes, "reason": reason}
    if next_url:
        data["next"] = next_url
    return client.post(f"/moderation/posts/{post_id}/silence", data=data)


def test_silence_from_the_queue_takes_effect_at_once_everywhere(app, world, login_as, socket_for, token_for, scene):
    live = socket_for("supplier")  # a socket already open before the silence
    joined(live, f"thread:{scene['thread']}")
    moderator = login_as("moderator")
    page = text(moderator.get(f"/moderation/posts/{scene['post']}"))
    assert f'action="/moderation/posts/{scene["post"]}/silence"' in page
    response = silence(moderator, scene["post"], next_url="/moderation")
    assert response.status_code == 302 and response.headers["Location"] == "/moderation"
    assert "Supplier is silenced in Grievance mechanisms for 30 minutes." in text(moderator.get("/moderation"))
    with app.app_context():
        row = last_audit()
        assert (row.action, row.target_type, row.target_id, row.reason) == \
            ("silence_user", "user", world.ids["supplier"], "Cool down, please")
        assert row.after["minutes"] == 30 and row.topic.slug == "grievance"
        note = db.session.scalar(select(Notification).where(Notification.user_id == world.ids["supplier"])
                                 .order_by(Notification.id.desc()))
        assert "silenced in Grievance mechanisms for 30 minutes: Cool down, please" in note.text
    # The open socket: its next post is refused, with the reason.
    ack = live.emit("post", {"thread_id": scene["thread"], "body": "Still here?"}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
    assert "silenced you in Grievance mechanisms" in ack["error"]["message"]
    assert "Cool down, please" in ack["error"]["message"]
    # The page keeps the text and says why; the API refuses too; and starting a thread.
    refused = login_as("supplier").post(f"/threads/{scene['thread']}/reply", data={"body": "MY-KEPT-WORDS"})
    assert refused.status_code == 403
    assert "Cool down, please" in text(refused) and "MY-KEPT-WORDS" in text(refused)
    api = app.test_client().post(f"/api/v1/threads/{scene['thread']}/posts", json={"body": "Via the API"},
                                 headers=token_for("supplier"))
    assert api.status_code == 403 and "silenced" in api.get_json()["error"]["message"]
    with app.app_context():
        with pytest.raises(Forbidden):
            start_thread(world.user("supplier"), world.topic("grievance"), title="A new thread anyway", body="x")
        # Only in that topic: elsewhere the author still writes.
        assert reply(world.user("supplier"), get_thread(scene["other_thread"]), "Fine here").state == "visible"


def test_the_queue_card_offers_silence_and_shows_an_active_one(app, world, login_as, set_topic, scene):
    set_topic("grievance", moderation="all")
    with app.app_context():
        held = reply(world.user("supplier2"), get_thread(scene["thread"]), "Held words for the queue").id
    moderator = login_as("moderator")
    item = card(text(moderator.get("/moderation")), held)
    assert "Silence Supplier2 in Grievance mechanisms" in item
    assert 'name="minutes"' in item and 'name="reason"' in item and 'name="next" value="/moderation"' in item
    assert silence(moderator, held, minutes="90", next_url="/moderation").status_code == 302
    item = card(text(moderator.get("/moderation")), held)
    assert "Supplier2 is silenced in Grievance mechanisms until" in item


def test_a_silence_ends_by_itself(app, world, login_as, scene):
    assert silence(login_as("moderator"), scene["post"], minutes="5").status_code == 302
    with app.app_context():
        row = db.session.scalar(select(TopicSilence))
        row.until = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert reply(world.user("supplier"), get_thread(scene["thread"]), "Back again").state == "visible"


@pytest.mark.parametrize("minutes, message", [
    ("abc", "The duration must be a number of minutes."),
    ("0", "The duration must be between 1 minute and a year."),
    ("", "The duration must be a number of minutes."),
])
def test_bad_durations_keep_the_form(login_as, scene, minutes, message):
    response = silence(login_as("moderator"), scene["post"], minutes=minutes, reason="KEPT-REASON")
    assert response.status_code == 400
    page = text(response)
    assert message in page and 'value="KEPT-REASON"' in page and 'aria-invalid="true"' in page


def test_who_may_silence(app, world, login_as, scene):
    for persona in ("member", "supplier2"):  # not moderators here: the post's moderation pages are not there
        assert silence(login_as(persona), scene["post"]).status_code == 404
    with app.app_context():
        # A moderator of the topic cannot be silenced in it; the moderator of another topic cannot silence.
        mine = reply(world.user("moderator"), get_thread(scene["thread"]), "A moderator's own reply").id
    refused = silence(login_as("admin"), mine)
    assert refused.status_code == 400 and "Moderators cannot be silenced" in text(refused)
    lounge_post = None
    with app.app_context():
        lounge_post = reply(world.user("supplier"), get_thread(scene["other_thread"]), "In textiles").id
    assert silence(login_as("moderator"), lounge_post).status_code == 404  # cannot even see that topic
    assert login_as("moderator").get(f"/moderation/posts/{lounge_post}").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(TopicSilence)) is None


def test_admin_suspension_disconnects_live_sockets_at_once(app, world, login_as, socket_for, scene):
    victim = socket_for("supplier")
    joined(victim, f"thread:{scene['thread']}")
    drain(victim)
    response = login_as("admin").post(f"/admin/users/{world.ids['supplier']}/suspend",
                                      data={"reason": "Harassment reports"})
    assert response.status_code == 302
    assert not victim.is_connected()
    ended = [item for item in victim.queue if item["name"] == "session.ended"]
    assert ended and ended[0]["args"][0]["reason"] == "Your account was suspended."
    with app.app_context():
        assert db.session.get(User, world.ids["supplier"]).state == "suspended"
        row = last_audit()
        assert (row.action, row.target_user_id, row.reason) == ("suspend_user", world.ids["supplier"],
                                                                 "Harassment reports")
    # Their session is over: pages send them to sign in, new sockets are refused.
    from community.extensions import socketio
    from tests.conftest import login

    c = app.test_client()
    assert login(c, "supplier@example.com").status_code in (400, 403)
    assert not socketio.test_client(app, flask_test_client=c).is_connected()
