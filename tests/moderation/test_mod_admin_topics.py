"""Administrators create topics, edit every setting (with the organisations picker for
"listed organisations" visibility) and remove organisations — through the pages, via
actions.topics, with audit rows; access changes reach live sockets at once."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import Organisation, Topic, User
from tests.actions.support import start
from tests.moderation.support import last_audit, text
from tests.realtime.support import joined

NEW_TOPIC = {"slug": "land-rights", "name": "Land rights", "kind": "theme", "description": "Land use and FPIC",
             "rules": "Be kind.", "visibility": "everyone", "who_can_start": "members", "moderation": "first_n",
             "hold_first_n": "2", "slow_mode_seconds": "45", "allow_anonymous": "on", "allow_live": "on"}


def settings_form(topic: Topic, **changes) -> dict:
    form = {"name": topic.name, "kind": topic.kind, "description": topic.description, "rules": topic.rules,
            "visibility": topic.visibility, "who_can_start": topic.who_can_start, "moderation": topic.moderation,
            "hold_first_n": str(topic.hold_first_n), "slow_mode_seconds": str(topic.slow_mode_seconds),
            "organisations": [o.name for o in topic.organisations]}
    if topic.allow_anonymous:
        form["allow_anonymous"] = "on"
    if topic.allow_live:
        form["allow_live"] = "on"
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


@pytest.mark.parametrize("persona", ["moderator", "member", "supplier"])
def test_topic_and_organisation_pages_are_for_administrators(login_as, world, persona):
    c = login_as(persona)
    for path in ("/admin/topics/new", "/admin/topics/grievance/edit", "/admin/organisations"):
        assert c.get(path).status_code == 403, path
    assert c.post("/admin/topics/new", data=NEW_TOPIC).status_code == 403
    assert c.post("/admin/topics/grievance/edit", data={"name": "Hijacked"}).status_code == 403
    assert c.post(f"/admin/organisations/{1}/remove", data={"reason": "x"}).status_code == 403


def test_create_a_topic_with_all_its_settings(app, login_as):
    admin = login_as("admin")
    form = text(admin.get("/admin/topics/new"))
    for name in ("slug", "name", "kind", "description", "rules", "visibility", "who_can_start", "moderation",
                 "hold_first_n", "slow_mode_seconds", "allow_anonymous", "allow_live", "organisations"):
        assert f'name="{name}"' in form, name
    response = admin.post("/admin/topics/new", data=NEW_TOPIC)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/topics#topic-land-rights")
    assert "Land rights is created." in text(admin.get("/admin/topics"))
    with app.app_context():
        topic = db.session.scalar(select(Topic).where(Topic.slug == "land-rights"))
        assert topic.settings() == {"visibility": "everyone", "organisations": [], "who_can_start": "members",
                                    "moderation": "first_n", "hold_first_n": 2, "allow_anonymous": True,
                                    "slow_mode_seconds": 45, "rules": "Be kind.", "allow_live": True}
        assert topic.description == "Land use and FPIC"
        row = last_audit()
        assert (row.action, row.target_id, row.after["moderation"]) == ("create_topic", topic.id, "first_n")
    assert login_as("member").get("/t/land-rights").status_code == 200


@pytest.mark.parametrize("changes, status, message, field", [
    ({"slug": "grievance"}, 409, "already exists", None),
    ({"slug": "Bad Slug!"}, 400, "lowercase letters, digits and dashes", "slug"),
    ({"name": ""}, 400, "The name must be at least 2 characters.", "name"),
    ({"hold_first_n": "many"}, 400, "must be a whole number", "hold_first_n"),
    ({"slow_mode_seconds": "999999"}, 400, "between 0 and 86400", "slow_mode_seconds"),
    ({"visibility": "organisations"}, 400, "List at least one organisation", "organisations"),
])
def test_refused_topic_keeps_the_form(app, login_as, changes, status, message, field):
    data = {**NEW_TOPIC, "rules": "KEPT-RULES text", **changes}
    response = login_as("admin").post("/admin/topics/new", data=data)
    assert response.status_code == status
    page = text(response)
    assert message in page and "KEPT-RULES text" in page
    if field and field != "organisations":
        assert f'id="f-{field}"' in page and 'aria-invalid="true"' in page
    with app.app_context():
        assert db.session.scalar(select(Topic).where(Topic.slug == "land-rights")) is None


def test_edit_settings_with_the_organisations_picker(app, world, login_as, socket_for):
    with app.app_context():
        thread, _ = start(world, "member", "grievance", title="A thread that will close")
        thread_id = thread.id
        topic = world.topic("grievance")
        form = settings_form(topic, visibility="organisations", organisations=["Textiles Ltd", "Brand Co"],
                             who_can_start="moderators", moderation="all", slow_mode_seconds="10",
                             rules="New rules here", allow_anonymous=None, allow_live=None)
    outsider = socket_for("supplier2")  # Rubber Works: about to lose access
    joined(outsider, "topic:grievance")
    joined(outsider, f"thread:{thread_id}")
    insider = socket_for("supplier")  # Textiles Ltd: listed
    joined(insider, f"thread:{thread_id}")
    admin = login_as("admin")
    page = text(admin.get("/admin/topics/grievance/edit"))
    assert 'value="Textiles Ltd"' in page and 'value="Rubber Works"' in page
    assert 'name="slug"' not in page  # the address never changes
    response = admin.post("/admin/topics/grievance/edit", data=form)
    assert response.status_code == 302
    assert "The settings of Grievance mechanisms are saved." in text(admin.get("/admin/topics"))
    with app.app_context():
        topic = world.topic("grievance")
        assert sorted(o.name for o in topic.organisations) == ["Brand Co", "Textiles Ltd"]
        assert (topic.visibility, topic.who_can_start, topic.moderation, topic.slow_mode_seconds,
                topic.allow_anonymous, topic.rules) == ("organisations", "moderators", "all", 10, False, "New rules here")
        row = last_audit()
        assert row.action == "update_topic"
        assert row.before["visibility"] == "everyone" and row.after["visibility"] == "organisations"
        assert row.before["allow_anonymous"] is True and row.after["allow_anonymous"] is False
        assert row.before["allow_live"] is True and row.after["allow_live"] is False
    # Live sockets were re-checked at once: the outsider left both rooms, the listed supplier stays.
    left = [item["args"][0]["room"] for item in outsider.get_received() if item["name"] == "room.left"]
    assert sorted(left) == sorted(["topic:grievance", f"thread:{thread_id}"])
    assert not [item for item in insider.get_received() if item["name"] == "room.left"]
    assert login_as("supplier2").get(f"/threads/{thread_id}").status_code == 404
    # The edit page shows the choices back, checked.
    page = text(admin.get("/admin/topics/grievance/edit"))
    assert 'value="Textiles Ltd" id="f-org-' in page and "checked" in page.split('value="Textiles Ltd"')[1][:40]


def test_a_refused_edit_changes_nothing_and_keeps_the_form(app, world, login_as):
    with app.app_context():
        form = settings_form(world.topic("grievance"), visibility="organisations", organisations=[],
                             rules="UNSAVED-RULES")
    response = login_as("admin").post("/admin/topics/grievance/edit", data=form)
    assert response.status_code == 400
    assert "List at least one organisation" in text(response) and "UNSAVED-RULES" in text(response)
    with app.app_context():
        topic = world.topic("grievance")
        assert topic.visibility == "everyone" and topic.rules == ""


def test_remove_an_organisation(app, world, login_as, socket_for):
    live = socket_for("supplier2")  # Rubber Works
    admin = login_as("admin")
    page = text(admin.get("/admin/organisations"))
    assert "Rubber Works" in page and "Textiles Ltd" in page
    assert "Your organisation" in page  # the admin's own cannot be removed from here
    with app.app_context():
        rubber = db.session.scalar(select(Organisation).where(Organisation.name == "Rubber Works")).id
        own = world.user("admin").organisation_id
    missing = admin.post(f"/admin/organisations/{rubber}/remove", data={"reason": ""})
    assert missing.status_code == 400 and "Give a reason" in text(missing)
    response = admin.post(f"/admin/organisations/{rubber}/remove", data={"reason": "Left the consortium"})
    assert response.status_code == 302
    assert "Rubber Works is removed" in text(admin.get("/admin/organisations"))
    assert not live.is_connected()
    with app.app_context():
        assert db.session.get(Organisation, rubber).removed is True
        row = last_audit()
        assert (row.action, row.target_type, row.target_id, row.reason) == \
            ("remove_organisation", "organisation", rubber, "Left the consortium")
        assert db.session.get(User, world.ids["supplier2"]).state == "active"  # nothing deleted
    again = admin.post(f"/admin/organisations/{rubber}/remove", data={"reason": "Twice"})
    assert again.status_code == 409 and "already removed" in text(again)
    assert admin.post(f"/admin/organisations/{own}/remove", data={"reason": "Oops"}).status_code == 400
    assert admin.post("/admin/organisations/99999/remove", data={"reason": "x"}).status_code == 404


def test_admin_navigation_reaches_the_new_pages(login_as):
    page = text(login_as("admin").get("/admin/topics"))
    for href in ('href="/admin/topics/new"', 'href="/admin/topics/grievance/edit"',
                 'href="/moderation/topics/grievance/words"', 'href="/admin/organisations"', 'href="/admin/words"'):
        assert href in page, href
