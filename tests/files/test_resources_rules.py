"""The resources library's Guardian matrix: who reads, curates and moderates, for every persona,
in an open topic and a members-only one, for active, hidden and deleted resources; and the
scope (readable_resources) agrees with the rule."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from community.extensions import db
from community.models import Resource
from community.permissions import Guardian

PEOPLE = ("admin", "member", "member2", "moderator", "supplier", "supplier2", "pending", "suspended")


@pytest.fixture
def resources(app, world):
    with app.app_context():
        made = {}
        for topic in ("grievance", "members-lounge"):
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
    if state == "hidden":
        return who in ("admin", "member") or (who == "moderator" and topic == "grievance")
    return True


@pytest.mark.parametrize("who", PEOPLE)
def test_the_matrix(app, world, resources, who):
    with app.app_context():
        g = Guardian(world.user(who))
        for (topic, state), rid in resources.items():
            resource = db.session.get(Resource, rid)
            assert g.can_read_resource(resource) == expected_read(who, topic, state), (who, topic, state)
            may_moderate = expected_read(who, topic, state) and (who == "admin" or
                                                                 (who == "moderator" and topic == "grievance"))
            assert g.can_moderate_resource(resource) == may_moderate, (who, topic, state)
        for topic in ("grievance", "members-lounge"):
            may_curate = who in ("admin", "member", "member2", "moderator")  # the moderator is a member brand too
            if who in ("pending", "suspended"):
                may_curate = False
            assert g.can_curate_resources(world.topic(topic)) == may_curate, (who, topic)
        in_scope = set(db.session.scalars(g.readable_resources(select(Resource.id))))
        by_rule = {rid for (topic, state), rid in resources.items() if expected_read(who, topic, state)}
        assert in_scope == by_rule
