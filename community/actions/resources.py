"""The resources library of a topic: adding a resource, new versions and languages, editing its
details, moderating it (hide, delete, restore), and telling the topic's watchers.

A resource holds versions per language (models/resource.py): each is a file (an Upload of
the curator, in no post) or a link. The Guardian decides who curates
(permissions/resources.py); the same rules hold for pages and the API.
"""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import events, notices, ratelimit
from ..errors import Invalid, NotFound
from ..events import action
from ..extensions import db
from ..language import POST_LANGUAGES
from ..models import Resource, ResourceVersion, Topic, TopicWatch, Upload, User, utcnow
from ..models.resource import RESOURCE_KINDS
from ..permissions import Guardian, not_found_message
from . import validate
from .audit import audit
from .notifications import notify
from .threads import _tags

MODERATION_ACTIONS = {"hide": "hidden", "delete": "deleted", "restore": "active"}


def get_resource(resource_id) -> Resource:
    found = validate.as_id(resource_id)
    resource = db.session.get(Resource, found) if found is not None else None
    if resource is None:
        raise NotFound(not_found_message("Resource"))
    return resource


def _language(value) -> str:
    if isinstance(value, str) and value.strip().lower() in POST_LANGUAGES:
        return value.strip().lower()
    raise Invalid(_("Choose the language of this version from the list."), field="language")


def _link(value) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 2000:
        raise Invalid(_("The link must be a web address of at most 2,000 characters."), field="link")
    value = value.strip()
    # What a browser would silently drop or reinterpret (tabs and newlines inside the scheme,
    # control and bidi characters, backslashes read as slashes) is refused, not cleaned: the
    # address kept is the one checked and the one linked to.
    if any(c.isspace() or c == "\\" or unicodedata.category(c) in ("Cc", "Cf") for c in value):
        raise Invalid(_("The link must be a plain web address: no spaces, and no user name or password in it."),
                      field="link")
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # "https://[x" (an unclosed IPv6 address), NFKC tricks in the host
        parts, host = None, None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise Invalid(_("The link must be a web address starting with https:// or http://."), field="link")
    if "@" in parts.netloc:  # https://consortium.example@evil.example/ goes to evil.example
        raise Invalid(_("The link must be a plain web address: no spaces, and no user name or password in it."),
                      field="link")
    return value


def _upload(actor: User, value) -> Upload | None:
    upload_id = validate.optional_id(value, "upload")
    if upload_id is None:
        return None
    upload = db.session.get(Upload, upload_id)
    if upload is None or upload.owner_id != actor.id or upload.state != "active" or upload.post_id is not None:
        raise Invalid(_("That file is not one of yours, or it is in a post: upload it again to use it here."),
                      field="upload")
    return upload


def _details(data: dict, *, partial: bool) -> dict:
    """Title, summary, kind and tags from `data`, checked (`partial`: only those given)."""
    found = {}
    if not partial or "title" in data:
        found["title"] = validate.text(data.get("title"), "title", label=_l("The title"), max_chars=200, min_chars=3)
    if not partial or "summary" in data:
        found["summary"] = validate.text(data.get("summary") or "", "summary", label=_l("The summary"),
                                         max_chars=2000, min_chars=0)
    if not partial or "kind" in data:
        found["kind"] = validate.choice(data.get("kind"), "kind", list(RESOURCE_KINDS), _l("The kind"))
    if not partial or "tags" in data:
        found["tags"] = _tags(data.get("tags"))
    return found


def _new_version(actor: User, resource: Resource, data: dict) -> ResourceVersion:
    language = _language(data.get("language"))
    upload = _upload(actor, data.get("upload"))
    link = _link(data.get("link"))
    if (upload is None) == (link is None):
        raise Invalid(_("Give the resource a file or a link (one of them)."), field="upload")
    number = (db.session.scalar(select(func.max(ResourceVersion.number)).where(
        ResourceVersion.resource_id == resource.id, ResourceVersion.language == language)) or 0) + 1
    title = data.get("version_title") or data.get("title") or resource.title
    version = ResourceVersion(
        resource=resource, language=language, number=number,
        title=validate.text(title, "title", label=_l("The title"), max_chars=200, min_chars=3),
        summary=validate.text(data.get("version_summary") or data.get("summary") or "", "summary",
                              label=_l("The summary"), max_chars=2000, min_chars=0),
        upload=upload, url=link,
        note=validate.text(data.get("note") or "", "note", label=_l("The note"), max_chars=500, min_chars=0),
        created_by_id=actor.id)
    db.session.add(version)
    return version


@action
def add_resource(actor: User, topic: Topic, data: dict) -> Resource:
    """A new resource in `topic`'s library with its first version: `data` holds title,
    summary, kind, tags, language, and upload (an upload id) or link."""
    guardian = Guardian(actor)
    guardian.ensure_curate_resources(topic)
    details = _details(data, partial=False)
    ratelimit.hit("post", actor.id, tier=ratelimit.tier_for(actor))
    resource = Resource(topic=topic, created_by_id=actor.id, **details)
    db.session.add(resource)
    db.session.flush()
    version = _new_version(actor, resource, data)
    db.session.flush()
    _announce(actor, resource, version, new=True)
    return resource


@action
def update_resource(actor: User, resource: Resource, data: dict) -> Resource:
    """Change the details given in `data` (title, summary, kind, tags) and, when `data` has a
    `language` with an upload or a link, add a version in that language (a new language, or
    the next version of one it has)."""
    guardian = Guardian(actor)
    guardian.ensure_edit_resource(resource)
    details = _details(data, partial=True)
    adds_version = any(data.get(k) for k in ("upload", "link"))
    if not details and not adds_version:
        raise Invalid(_("Nothing to change: send a title, summary, kind, tags, or a new version "
                        "(language with upload or link)."))
    ratelimit.hit("edit", actor.id, tier=ratelimit.tier_for(actor))
    for name, value in details.items():
        setattr(resource, name, value)
    version = _new_version(actor, resource, data) if adds_version else None
    resource.updated_at = utcnow()
    db.session.flush()
    if version is not None:
        _announce(actor, resource, version, new=False)
    return resource


@action
def moderate_resource(actor: User, resource: Resource, action, reason="") -> Resource:
    Guardian(actor).ensure_moderate_resource(resource)
    action = validate.choice(action, "action", list(MODERATION_ACTIONS), _l("The action"))
    reason = validate.text(reason or "", "reason", label=_l("The reason"), max_chars=500, min_chars=0)
    before = resource.state
    resource.state = MODERATION_ACTIONS[action]
    audit(actor, f"{action}_resource", "resource", resource.id, topic=resource.topic,
          target_user=resource.created_by, reason=reason, before={"state": before}, after={"state": resource.state})
    return resource


def _announce(actor: User, resource: Resource, version: ResourceVersion, *, new: bool) -> None:
    """Tell the topic's watchers (who may read the resource) that it is new or updated."""
    topic = resource.topic
    # Worded in each reader's language when shown (notices.py); the language is kept as its code.
    data = {"topic": notices.topic_ref(topic), "resource": {"id": resource.id, "title": resource.title},
            "language": version.language}
    if not new:
        data["version"] = version.number
    watchers = db.session.scalars(select(User).join(TopicWatch, TopicWatch.user_id == User.id).where(
        TopicWatch.topic_id == topic.id, TopicWatch.level == "watching", User.id != actor.id,
        User.state == "active"))
    for user in watchers:
        if Guardian(user).can_read_resource(resource):
            notify(user, verb="resource_new" if new else "resource_updated", data=data,
                   url=f"/resources/{resource.id}")
    if resource.state == "active":
        events.queue_event(f"topic:{topic.slug}", "resource.updated" if not new else "resource.created", {
            "room": f"topic:{topic.slug}", "resource": {"id": resource.id, "title": resource.title,
                                                        "kind": resource.kind, "url": f"/resources/{resource.id}"}})
