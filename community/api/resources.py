"""API routes for a topic's resources library: list (filters, search) and add; read and change one.

Same rules as the pages (permissions/resources.py): readers of the topic list and read;
member brands and the topic's moderators add and change; a file version's `upload` is an
upload id of the caller (POST /api/v1/uploads first).
"""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from ..actions.resources import add_resource, get_resource, moderate_resource, update_resource
from ..errors import Invalid
from ..language import POST_LANGUAGES
from ..library import find_resources, resource_payload
from ..models.resource import RESOURCE_KINDS
from .common import bp, caller, guardian, json_body, load_topic, optional_text, page_size


def _load(resource_id: int):
    resource = get_resource(resource_id)
    guardian().ensure_read_resource(resource)
    return resource


@bp.get("/topics/<slug>/resources")
def list_resources(slug: str):
    """`?language=es` (has a version in it), `?kind=guidance`, `?q=words` (all of them, in any
    version's title, summary or tags, accents and case ignored), `?limit=`."""
    topic = load_topic(slug)
    language = request.args.get("language") or None
    kind = request.args.get("kind") or None
    if language is not None and language not in POST_LANGUAGES:
        raise Invalid(_("language must be one of: %(codes)s.", codes=", ".join(POST_LANGUAGES)), field="language")
    if kind is not None and kind not in RESOURCE_KINDS:
        raise Invalid(_("kind must be one of: %(kinds)s.", kinds=", ".join(RESOURCE_KINDS)), field="kind")
    g = guardian()
    found = find_resources(g, request.args.get("q", "")[:200], topic=topic, language=language, kind=kind,
                           limit=page_size(50))
    return {"resources": [resource_payload(r, g) for r in found],
            "can_add": g.can_curate_resources(topic)}


@bp.post("/topics/<slug>/resources")
def create_resource(slug: str):
    topic = load_topic(slug)
    resource = add_resource(caller(), topic, json_body())
    return {"resource": resource_payload(resource, guardian(), history=True)}, 201


@bp.get("/resources/<int:resource_id>")
def read_resource(resource_id: int):
    return {"resource": resource_payload(_load(resource_id), guardian(), history=True)}


@bp.patch("/resources/<int:resource_id>")
def change_resource(resource_id: int):
    """Details (title, summary, kind, tags) and/or a new version: language with upload or link
    (and an optional note saying what changed)."""
    resource = _load(resource_id)
    changed = update_resource(caller(), resource, json_body())
    return {"resource": resource_payload(changed, guardian(), history=True)}


@bp.post("/resources/<int:resource_id>/moderation")
def moderate_resource_route(resource_id: int):
    """`action`: hide, delete or restore (the topic's moderators), with an optional `reason`."""
    resource = _load(resource_id)
    data = json_body()
    done = moderate_resource(caller(), resource, data.get("action"), optional_text(data, "reason"))
    return {"resource": resource_payload(done, guardian(), history=True)}
