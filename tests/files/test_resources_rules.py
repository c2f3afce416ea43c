"""The resources library's Guardian matrix: who reads, curates and moderates, for every persona,
in an open topic, a members-only one and an organisations-only hub, for active, hidden and deleted resources; and the
scope (readable_resources) agrees with the rule. Topics: an open one (grievance, which the
moderator moderates), a members-only one and a hub of the supplier's organisation."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import Resource
from community.permissions import Guardian

PEOPLE = ("admin", "member", "member2", "moderator", "supplier", "supplier2", "pending", "suspended")
TOPICS = ("grievance", "members-lounge", "textiles-circle")


@pytest.fixture
def resources(app, world):
    with app.app_context():
        made = {}
        for topic in TOPICS:
            for state in ("active", "hidden", "deleted"):
                r = Resource(topic_id=world.topic(topic).id, kind="guidance", title=f"{topic} {state}",
                             state=state, created_by_id=world.user("member").id)
                db.session.add(r)
                db.session.flush()
                made[(topic, state)] = r.id
        db.session.commit()
        return made


# (who, topic, state) -> may read; curate is per topic; moderate per topic (its moderators, admins).
def expected_read(who: str, topic: str, state: str) -> bool:
    if who in ("pending", "suspended") or state == "deleted":
        return False
    if topic == "members-lounge" and who in ("supplier", "supplier2"):
        return False
    if topic == "textiles-circle" and who not in ("admin", "supplier"):  # the hub's organisation only
        return False
    if state == "hidden":
        return who in ("admin", "member") or (who == "moderator" and topic == "grievance")
    return True


def expected_moderate(who: str, topic: str) -> bool:
    return who == "admin" or (who == "moderator" and topic == "grievance")


def expected_curate(who: str, topic: str) -> bool:
    """Member brands (the moderator is one too) and the topic's moderators, among its readers."""
    if who in ("pending", "suspended") or not expected_read(who, topic, "active"):
        return False
    return who in ("admin", "member", "member2", "moderator")


def expected_edit(who: str, topic: str, state: str) -> bool:
    """A curator who reads it; a hidden resource only by the topic's moderators (hiding it was
    their decision: its creator still reads it, but may not change it)."""
    if not (expected_read(who, topic, state) and expected_curate(who, topic)):
        return False
    return state != "hidden" or expected_moderate(who, topic)


@pytest.mark.parametrize("who", PEOPLE)
def test_the_matrix(app, world, resources, who):
    with app.app_context():
        g = Guardian(world.user(who))
        for (topic, state), rid in resources.items():
            resource = db.session.get(Resource, rid)
            assert g.can_read_resource(resource) == expected_read(who, topic, state), (who, topic, state)
            may_moderate = expected_read(who, topic, state) and expected_moderate(who, topic)
            assert g.can_moderate_resource(resource) == may_moderate, (who, topic, state)
            assert g.can_edit_resource(resource) == expected_edit(who, topic, state), (who, topic, state)
        for topic in TOPICS:
            assert g.can_curate_resources(world.topic(topic)) == expected_curate(who, topic), (who, topic)
        in_scope = set(db.session.scalars(g.readable_resources(select(Resource.id))))
        by_rule = {rid for (topic, state), rid in resources.items() if expected_read(who, topic, state)}
        assert in_scope == by_rule


def test_the_matrix_covers_every_cell():
    """A hub where only the supplier and the administrator read; a hidden resource its creator
    reads but does not edit."""
    assert expected_read("supplier", "textiles-circle", "active") and not expected_read("member", "textiles-circle",
                                                                                         "active")
    assert expected_read("member", "grievance", "hidden") and not expected_edit("member", "grievance", "hidden")
    assert expected_edit("moderator", "grievance", "hidden") and expected_edit("admin", "textiles-circle", "hidden")


def test_the_creator_of_a_hidden_resource_is_told_why_it_cannot_change_it(app, world, resources):
    from community.actions.resources import update_resource
    from community.errors import DomainError

    with app.app_context():
        resource = db.session.get(Resource, resources[("grievance", "hidden")])
        with pytest.raises(DomainError) as refused:
            update_resource(world.user("member"), resource, {"title": "Back again"})
        assert refused.value.status == 403 and "moderator hid" in str(refused.value)
        assert update_resource(world.user("moderator"), resource, {"title": "Corrected"}).title == "Corrected"
