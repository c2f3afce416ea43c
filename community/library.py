"""The resources library as data: resource objects for the API, pages and search, and the
resource cards of posts that cite one.

A post cites a resource by linking to it (`/resources/<id>` in its text, which the
resource page's "Cite" button writes); every reader who may read that resource sees a
card for it under the post (title, kind, languages), others see nothing more than the link.
"""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .extensions import db
from .files.names import upload_payload
from .language import POST_LANGUAGES
from .models import Resource, ResourceVersion
from .models.base import iso

CITATION = re.compile(r"(?<![\w/])/resources/(\d{1,9})\b")
MAX_CARDS = 5


def current_versions(resource) -> list:
    """The newest version of each language, in the order the languages were added."""
    newest: dict = {}
    for version in resource.versions:
        if version.language not in newest or version.number > newest[version.language].number:
            newest[version.language] = version
    return list(newest.values())


def version_payload(version) -> dict:
    return {
        "id": version.id, "language": version.language, "number": version.number,
        "title": version.title, "summary": version.summary, "note": version.note,
        "file": upload_payload(version.upload) if version.upload is not None else None,
        "link": version.url, "created_at": iso(version.created_at),
    }


def resource_payload(resource, guardian=None, *, history: bool = False) -> dict:
    """A resource as the API shows it; `history`: every version, oldest first, too."""
    current = current_versions(resource)
    data = {
        "id": resource.id, "topic": resource.topic.slug, "kind": resource.kind, "title": resource.title,
        "summary": resource.summary, "tags": resource.tag_list, "state": resource.state,
        "languages": [v.language for v in current],
        "versions": [version_payload(v) for v in current],
        "created_at": iso(resource.created_at), "updated_at": iso(resource.updated_at),
        "url": f"/resources/{resource.id}",
    }
    if guardian is not None:
        data["can_edit"] = guardian.can_edit_resource(resource)
    if history:
        data["history"] = [version_payload(v) for v in resource.versions]
    return data


def language_label(code: str) -> str:
    return POST_LANGUAGES.get(code, code)


def cited_ids(body: str) -> list[int]:
    ids: list[int] = []
    for match in CITATION.finditer(body or ""):
        found = int(match.group(1))
        if found not in ids:
            ids.append(found)
    return ids[:MAX_CARDS]


def cited_resources(post, guardian) -> list:
    """The resources `post` cites that `guardian`'s reader may read (None: anyone in the topic
    room, so active resources of the post's own topic only)."""
    ids = cited_ids(getattr(post, "body", "") or "")
    if not ids:
        return []
    found = [db.session.get(Resource, i) for i in ids]
    if guardian is None:
        return [r for r in found if r is not None and r.state == "active" and r.topic_id == post.thread.topic_id]
    return [r for r in found if r is not None and guardian.can_read_resource(r)]


def citation_payload(resource) -> dict:
    return {"id": resource.id, "title": resource.title, "kind": resource.kind,
            "languages": [v.language for v in current_versions(resource)], "url": f"/resources/{resource.id}"}


# --- finding resources ------------------------------------------------------------------------
# A library is curated by hand: hundreds of resources, not millions. Matching is done here, on
# the readable ones, accent- and case-insensitively in every language version's title, summary
# and tags (so "guia" finds "Guía"); at most SEARCHED resources are looked at, newest first.
SEARCHED = 2000


def folded(text: str) -> str:
    """Lower case without accents: "Guía" -> "guia"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _haystack(resource) -> str:
    parts = [resource.title, resource.summary, resource.tags.replace(",", " ")]
    for version in resource.versions:
        parts += [version.title, version.summary, version.note]
        if version.upload is not None and version.upload.original_name:
            parts.append(version.upload.original_name)
    return folded(" ".join(p for p in parts if p))


def find_resources(guardian, q: str = "", *, topic=None, language: str | None = None, kind: str | None = None,
                   limit: int = 50) -> list:
    """The resources `guardian`'s reader may read, newest first, narrowed to `topic`, to those
    with a version in `language`, of `kind`, and holding every word of `q`."""
    query = guardian.readable_resources(select(Resource), topic)
    if kind:
        query = query.where(Resource.kind == kind)
    if language:
        query = query.where(Resource.id.in_(select(ResourceVersion.resource_id).where(
            ResourceVersion.language == language)))
    # Versions, their uploads and the topics are loaded with the resources, a statement each
    # (matching reads every version; the payloads name the topic): never one per resource.
    query = query.options(selectinload(Resource.versions).selectinload(ResourceVersion.upload),
                          selectinload(Resource.topic))
    rows = db.session.scalars(query.order_by(Resource.updated_at.desc(), Resource.id.desc()).limit(SEARCHED))
    words = folded(q).split()
    found = []
    for resource in rows:
        if words:
            hay = _haystack(resource)
            if not all(word in hay for word in words):
                continue
        found.append(resource)
        if len(found) >= limit:
            break
    return found
