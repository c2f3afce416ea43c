"""Finding resources (library.find_resources, behind the library page, the API list and the site
search) takes a constant number of statements: versions, their uploads and the topics are loaded
with the resources, never one by one."""
from __future__ import annotations

from community.extensions import db
from community.library import find_resources, resource_payload
from community.models import Resource, ResourceVersion, Upload
from community.permissions import Guardian
from tests.statements import statements


def _resources(app, world, n: int) -> None:
    with app.app_context():
        for i in range(n):
            topic = world.topic("grievance" if i % 2 else "members-lounge")
            resource = Resource(topic_id=topic.id, kind="guidance", title=f"Guía número {i}", summary="Quejas",
                                created_by_id=world.ids["member"])
            db.session.add(resource)
            for language in ("es", "en"):
                upload = Upload(owner_id=world.ids["member"], storage_key=f"ab/{i}{language}.pdf", type="pdf",
                                content_type="application/pdf", size=10, original_name=f"guia-{i}-{language}.pdf", sha256=f"{i}{language}")
                db.session.add(ResourceVersion(resource=resource, language=language, number=1,
                                               title=f"Guide {i}", summary="", note="", upload=upload,
                                               created_by_id=world.ids["member"]))
        db.session.commit()


def _find(app, world, q: str) -> tuple[int, int]:
    """(statements, resources found) for the member searching `q` and reading the payloads."""
    with statements(app) as seen:
        with app.app_context():
            g = Guardian(world.user("member"))
            found = find_resources(g, q, limit=100)
            [resource_payload(r) for r in found]
    return len(seen), len(found)


def test_finding_resources_takes_a_constant_number_of_statements(app, world):
    _resources(app, world, 2)
    few = [_find(app, world, q) for q in ("", "guia-1-es", "guide quejas")]
    _resources(app, world, 8)
    many = [_find(app, world, q) for q in ("", "guia-1-es", "guide quejas")]
    assert [found for _, found in few] == [2, 1, 2] and [found for _, found in many] == [10, 2, 10]
    assert [statements for statements, _ in few] == [statements for statements, _ in many], (few, many)
