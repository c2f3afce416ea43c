"""Topics and organisations: creating topics, changing their settings, removing an organisation.

Changing who may read a topic takes effect on live sockets at once: every
socket in the topic's rooms is re-checked and made to leave if it lost access.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import events
from ..errors import Conflict, Invalid
from ..events import action
from ..extensions import db
from ..i18n import recipient_locale
from ..models import Organisation, Topic, User
from ..models.topic import MODERATION_POLICIES, STARTERS, TOPIC_KINDS, VISIBILITIES
from ..permissions import Guardian
from . import validate
from .accounts import end_access
from .audit import audit


def _slug(value) -> str:
    slug = validate.text(value, "slug", label=_l("The slug"), max_chars=80, min_chars=2).lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise Invalid(_("The slug may contain lowercase letters, digits and dashes only."), field="slug")
    return slug


def _int(value, field: str, label: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(float("inf"))
        raise Invalid(_("%(label)s must be a whole number.", label=label), field=field) from None
    if not low <= number <= high:
        raise Invalid(_("%(label)s must be between %(low)s and %(high)s.", label=label, low=low, high=high),
                      field=field)
    return number


def apply_settings(topic: Topic, settings: dict) -> None:
    """Validate and apply topic settings (any subset of the keys of Topic.settings())."""
    if "name" in settings:
        topic.name = validate.text(settings["name"], "name", label=_l("The name"), max_chars=120, min_chars=2)
    if "description" in settings:
        topic.description = validate.text(settings["description"], "description", label=_l("The description"),
                                          max_chars=2000, min_chars=0)
    if "rules" in settings:
        topic.rules = validate.text(settings["rules"], "rules", label=_l("The rules"), max_chars=5000, min_chars=0)
    if "kind" in settings:
        topic.kind = validate.choice(settings["kind"], "kind", TOPIC_KINDS, _l("The kind"))
    if "visibility" in settings:
        topic.visibility = validate.choice(settings["visibility"], "visibility", VISIBILITIES, _l("Visibility"))
    if "who_can_start" in settings:
        topic.who_can_start = validate.choice(settings["who_can_start"], "who_can_start", STARTERS,
                                              _l("Who may start threads"))
    if "moderation" in settings:
        topic.moderation = validate.choice(settings["moderation"], "moderation", MODERATION_POLICIES,
                                           _l("The moderation policy"))
    if "hold_first_n" in settings:
        topic.hold_first_n = _int(settings["hold_first_n"], "hold_first_n", _l("Posts held for new users"), 0, 100)
    if "slow_mode_seconds" in settings:
        topic.slow_mode_seconds = _int(settings["slow_mode_seconds"], "slow_mode_seconds",
                                       _l("Slow mode"), 0, 86_400)
    if "allow_anonymous" in settings:
        topic.allow_anonymous = validate.flag(settings["allow_anonymous"], "allow_anonymous")
    if "allow_live" in settings:  # part of Topic.settings(), so it must be settable too
        topic.allow_live = validate.flag(settings["allow_live"], "allow_live")
    if "organisations" in settings:
        names = settings["organisations"] or []
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise Invalid(_("organisations must be a list of organisation names."), field="organisations")
        orgs = list(db.session.scalars(select(Organisation).where(Organisation.name.in_(names))))
        missing = set(names) - {o.name for o in orgs}
        if missing:
            raise Invalid(_("Unknown organisations: %(names)s.", names=", ".join(sorted(missing))),
                          field="organisations")
        topic.organisations = orgs
    if topic.visibility == "organisations" and not topic.organisations:
        raise Invalid(_("List at least one organisation for a topic open to listed organisations."),
                      field="organisations")


@action
def create_topic(actor: User | None, *, slug, name, **settings) -> Topic:
    """Create a topic (actor None: the command line or the demo seed)."""
    if actor is not None:
        Guardian(actor).ensure_admin()
    slug = _slug(slug)
    if db.session.scalar(select(Topic.id).where(Topic.slug == slug)) is not None:
        raise Conflict(_("A topic with the slug “%(slug)s” already exists.", slug=slug))
    topic = Topic(slug=slug, name="")
    apply_settings(topic, {"name": name, **settings})
    db.session.add(topic)
    if actor is not None:

        db.session.flush()
        audit(actor, "create_topic", "topic", topic.id, topic=topic, after=topic.settings())
    return topic


@action
def update_topic(actor: User, topic: Topic, **settings) -> Topic:
    Guardian(actor).ensure_admin()
    before = topic.settings()
    apply_settings(topic, settings)
    after = topic.settings()

    audit(actor, "update_topic", "topic", topic.id, topic=topic, before=before, after=after)
    room = f"topic:{topic.slug}"
    events.queue_event(room, "topic.updated", {"room": room, "settings": after})
    if (before["visibility"], before["organisations"]) != (after["visibility"], after["organisations"]):
        # Those shut out must not hear the new settings (the organisations admitted):
        # the sockets in the topic's rooms are re-checked before the update goes out.
        events.queue_control("recheck_topic", topic_id=topic.id)
    return topic


@action
def remove_organisation(actor: User, organisation: Organisation, reason: str = "") -> Organisation:
    """An organisation leaves the consortium: its people lose access at once, nothing is deleted."""
    Guardian(actor).ensure_admin()
    if organisation.removed:
        raise Conflict(_("%(name)s is already removed.", name=organisation.name))
    if actor.organisation_id == organisation.id:
        raise Invalid(_("You cannot remove your own organisation."))
    organisation.removed = True

    audit(actor, "remove_organisation", "organisation", organisation.id, reason=reason)
    for user in organisation.users:
        with recipient_locale(user):  # said to each of them, in their own language
            end_access(user, _("Your organisation is no longer part of Roundtable."))
    return organisation
