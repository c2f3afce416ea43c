"""The rules turned around: who may read a topic or a thread, as where-conditions on User.

Used where the question is "whom to tell" (notifications, @mention suggestions), so that
nobody is told about what they may not read.
"""
from __future__ import annotations

from sqlalchemy import or_, select

from ..models import Organisation, User


def readers_of_topic(topic) -> list:
    """Where-conditions on User for the people who may read `topic` (why_not_read_topic as a
    query): active, in an organisation still in the consortium, and admitted by the topic's
    visibility or as its moderators or administrators."""
    staff = or_(User.role == "admin", User.id.in_(topic.moderator_ids or {0}))
    if topic.visibility == "everyone":
        admitted = None
    elif topic.visibility == "members":
        admitted = or_(User.role.in_(("member", "admin")), staff)
    elif topic.visibility == "organisations":
        admitted = or_(User.organisation_id.in_([o.id for o in topic.organisations] or [0]), staff)
    else:
        admitted = staff
    conditions = [User.state == "active",
                  User.organisation_id.in_(select(Organisation.id).where(Organisation.removed.is_(False)))]
    if admitted is not None:
        conditions.append(admitted)
    return conditions


def readers_of_thread(thread) -> list:
    """Where-conditions on User for the people who may read `thread` (why_not_read_thread):
    a thread awaiting review is its author's and the moderators' only."""
    conditions = readers_of_topic(thread.topic)
    if thread.state != "visible":
        conditions.append(or_(User.id == thread.author_id, User.role == "admin",
                              User.id.in_(thread.topic.moderator_ids or {0})))
    return conditions
