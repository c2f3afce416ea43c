"""The resources library through the API: the Guardian matrix (who reads, curates, moderates),
language versions and history, filters and accent-insensitive search, citations, watchers."""
from __future__ import annotations

import io
import json

import pytest

from tests.api.helpers import Api, assert_error


@pytest.fixture
def api(client, token_for) -> Api:
    return Api(client, token_for)


def pdf(text: str = "Guidance") -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": "Someone", "/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(api: Api, who: str, name: str = "guide.pdf") -> dict:
    response = api.post("/uploads", who, data={"file": (io.BytesIO(pdf()), name)}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["upload"]


def add(api: Api, who: str, topic: str = "grievance", **fields):
    body = {"title": "Guía de quejas", "summary": "Cómo atender una queja", "kind": "guidance",
            "tags": ["grievance"], "language": "es", **fields}
    if "upload" not in body and "link" not in body:
        body["upload"] = upload(api, who)["id"]
    return api.post(f"/topics/{topic}/resources", who, json=body)


def test_a_member_adds_a_resource_in_two_languages_and_a_supplier_finds_it_in_spanish(api, login_as):
    made = add(api, "member")
    assert made.status_code == 201, made.get_json()
    resource = made.get_json()["resource"]
    assert resource["languages"] == ["es"] and resource["versions"][0]["file"]["name"] == "guide.pdf"
    english = upload(api, "member", "grievance-guide.pdf")
    changed = api.patch(f"/resources/{resource['id']}", "member", json={
        "language": "en", "upload": english["id"], "version_title": "Grievance guide", "note": "English version"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["resource"]["languages"] == ["es", "en"]

    found = api.get("/topics/grievance/resources?q=guia%20QUEJAS", "supplier").get_json()["resources"]
    assert [r["id"] for r in found] == [resource["id"]]
    assert api.get("/topics/grievance/resources?language=fr", "supplier").get_json()["resources"] == []
    english_guides = api.get("/topics/grievance/resources?language=en&kind=guidance", "supplier").get_json()
    assert len(english_guides["resources"]) == 1
    # the supplier may fetch the file of a version
    url = changed.get_json()["resource"]["versions"][1]["file"]["url"]
    assert login_as("supplier").get(url).status_code == 200


def test_a_new_version_keeps_the_history(api):
    resource = add(api, "member").get_json()["resource"]
    api.patch(f"/resources/{resource['id']}", "moderator", json={"language": "es", "link": "https://example.org/v2",
                                                                 "note": "Second edition"})
    read = api.get(f"/resources/{resource['id']}", "supplier").get_json()["resource"]
    assert [(v["language"], v["number"]) for v in read["history"]] == [("es", 1), ("es", 2)]
    assert read["versions"][0]["link"] == "https://example.org/v2" and read["versions"][0]["number"] == 2


def test_who_may_curate_and_read(api):
    assert_error(add(api, "supplier"), 403, "forbidden")
    assert add(api, "moderator").status_code == 201
    lounge = add(api, "member", topic="members-lounge")
    assert lounge.status_code == 201
    hidden_id = lounge.get_json()["resource"]["id"]
    assert api.get(f"/resources/{hidden_id}", "supplier").status_code == 404
    assert api.get("/topics/members-lounge/resources", "supplier").status_code == 404
    resource = add(api, "member").get_json()["resource"]
    assert_error(api.patch(f"/resources/{resource['id']}", "supplier", json={"title": "Mine now"}), 403, "forbidden")
    assert_error(add(api, "member", link="javascript:alert(1)", upload=None), 400, "invalid")


def test_a_moderator_hides_and_deletes_a_resource_and_its_file_is_no_longer_served(api, login_as):
    resource = add(api, "member").get_json()["resource"]
    url = resource["versions"][0]["file"]["url"]
    assert_error(api.post(f"/resources/{resource['id']}/moderation", "member", json={"action": "hide"}), 403,
                 "forbidden")
    assert api.post(f"/resources/{resource['id']}/moderation", "moderator",
                    json={"action": "hide", "reason": "Outdated"}).status_code == 200
    assert api.get(f"/resources/{resource['id']}", "supplier").status_code == 404
    assert login_as("supplier").get(url).status_code == 404
    assert api.get(f"/resources/{resource['id']}", "member").status_code == 200  # who added it
    api.post(f"/resources/{resource['id']}/moderation", "moderator", json={"action": "delete"})
    assert api.get(f"/resources/{resource['id']}", "member").status_code == 404


def test_a_question_citing_a_resource_shows_its_card(api):
    resource = add(api, "member").get_json()["resource"]
    made = api.start_thread("supplier", kind="question", title="Does the guide apply to agencies?",
                            body=f"About [the guide](/resources/{resource['id']}): does it cover agencies?")
    cards = made["post"]["resources"]
    assert [(c["id"], c["title"], c["languages"]) for c in cards] == [(resource["id"], "Guía de quejas", ["es"])]


def test_watchers_are_told_of_new_and_updated_resources(api, app, world):
    from community.actions.watching import set_topic_level

    with app.app_context():
        set_topic_level(world.user("supplier"), world.topic("grievance"), "watching")
        from community.extensions import db
        db.session.commit()
    resource = add(api, "member").get_json()["resource"]
    notes = api.get("/notifications", "supplier").get_json()["notifications"]
    about = [n for n in notes if n["url"] == f"/resources/{resource['id']}"]
    assert len(about) == 1 and "New resource" in json.dumps(about[0])
    # A new version (here: the English one) tells them it was updated.
    english = upload(api, "member", "grievance-guide.pdf")
    assert api.patch(f"/resources/{resource['id']}", "member", json={
        "language": "en", "upload": english["id"], "version_title": "Grievance guide"}).status_code == 200
    notes = api.get("/notifications", "supplier").get_json()["notifications"]
    about = [n for n in notes if n["url"] == f"/resources/{resource['id']}"]
    assert len(about) == 2 and "Updated resource" in json.dumps(about[0]) and "version 1" in json.dumps(about[0])
    # Changing only the details is no news for the watchers.
    api.patch(f"/resources/{resource['id']}", "member", json={"summary": "Shorter"})
    assert len([n for n in api.get("/notifications", "supplier").get_json()["notifications"]
                if n["url"] == f"/resources/{resource['id']}"]) == 2


def test_resource_events_reach_the_topic_room(api, socket_for):
    from tests.realtime.support import drain, joined

    sock = socket_for("supplier")
    joined(sock, "topic:grievance")
    drain(sock)
    resource = add(api, "member").get_json()["resource"]
    got = [(name, p) for name, p in drain(sock) if name.startswith("resource.")]
    assert [(name, p["room"], p["resource"]["id"], p["resource"]["title"]) for name, p in got] == [
        ("resource.created", "topic:grievance", resource["id"], "Guía de quejas")]
    api.patch(f"/resources/{resource['id']}", "member", json={"language": "es", "link": "https://example.org/v2"})
    assert [name for name, _ in drain(sock) if name.startswith("resource.")] == ["resource.updated"]


def test_a_post_citing_a_resource_its_reader_may_not_read_shows_no_card(api, login_as):
    """A member cites a members-lounge resource in an open topic: the supplier reads the post
    but not the resource, so neither the post object nor the page has a card for it."""
    lounge = add(api, "member", topic="members-lounge", title="Lounge-only checklist").get_json()["resource"]
    made = api.start_thread("member", body=f"See [our checklist](/resources/{lounge['id']}).")
    post_id = made["post"]["id"]
    assert [c["id"] for c in api.get(f"/posts/{post_id}", "member").get_json()["post"]["resources"]] == [lounge["id"]]
    assert api.get(f"/posts/{post_id}", "supplier").get_json()["post"]["resources"] == []
    page = login_as("supplier").get(f"/threads/{made['thread']['id']}").get_data(as_text=True)
    assert "card resource-card" not in page and "Lounge-only checklist" not in page
    assert f"/resources/{lounge['id']}" in page  # the link stays; only the card is kept back
    shown = login_as("member").get(f"/threads/{made['thread']['id']}").get_data(as_text=True)
    assert "card resource-card" in shown and "Lounge-only checklist" in shown


def test_the_site_search_lists_resources_of_a_hub_to_its_organisations_only(api):
    """GET /api/v1/search: `resources` beside the threads and posts, with the library's own
    matching (accent-insensitive), by the same rule as the library (a hub: its organisations)."""
    made = add(api, "admin", topic="textiles-circle", title="Guía de dormitorios", summary="Inspección",
               tags=["dormitory"])
    assert made.status_code == 201, made.get_json()
    hub_id = made.get_json()["resource"]["id"]
    open_id = add(api, "member", title="Dormitorio abierto").get_json()["resource"]["id"]

    def found(who: str, query: str) -> list[int]:
        response = api.get(f"/search?q={query}", who)
        assert response.status_code == 200, response.get_json()
        return sorted(r["id"] for r in response.get_json()["resources"])

    assert found("supplier", "dormitorios") == [hub_id]
    assert found("supplier", "guia%20DORMITORIOS") == [hub_id]
    assert found("supplier", "dormitorio") == sorted([hub_id, open_id])
    assert found("supplier2", "dormitorio") == [open_id] and found("member", "dormitorio") == [open_id]
    assert found("admin", "dormitorios") == [hub_id]
    # narrowed by topic and language; a filter only posts have lists no resources
    assert found("supplier", "dormitorio&topic=textiles-circle") == [hub_id]
    assert found("supplier", "dormitorio&lang=en") == []
    assert found("supplier", "dormitorio&kind=question") == []
    body = api.get("/search?q=dormitorios", "supplier").get_json()
    assert body["resources"][0]["url"] == f"/resources/{hub_id}" and body["resources"][0]["topic"] == "textiles-circle"
