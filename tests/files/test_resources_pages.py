"""The resources library's pages (no JavaScript): list with filters, adding with a file, a new
language version, the detail page, citing in a question, the site search, moderation."""
from __future__ import annotations

import io

from tests.files.test_resources_api import pdf


def token_of(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def add_page(browser, title="Guía de quejas", language="es", name="guia.pdf") -> int:
    form = browser.get("/t/grievance/resources/new")
    assert form.status_code == 200
    posted = browser.post("/t/grievance/resources/new", data={
        "csrf_token": token_of(form.get_data(as_text=True)), "title": title, "summary": "Cómo atender quejas",
        "kind": "guidance", "tags": "grievance", "language": language,
        "file": (io.BytesIO(pdf()), name)}, content_type="multipart/form-data")
    assert posted.status_code == 302, posted.get_data(as_text=True)[:3000]
    return int(posted.headers["Location"].rstrip("/").split("/")[-1])


def test_a_member_adds_a_pdf_in_two_languages_and_a_supplier_finds_and_cites_it(login_as):
    member = login_as("member")
    resource_id = add_page(member)
    edit = member.get(f"/resources/{resource_id}/edit").get_data(as_text=True)
    saved = member.post(f"/resources/{resource_id}/edit", data={
        "csrf_token": token_of(edit), "language": "en", "version_title": "Grievance guide", "note": "English",
        "file": (io.BytesIO(pdf()), "guide.pdf")}, content_type="multipart/form-data")
    assert saved.status_code == 302

    supplier = login_as("supplier")
    library = supplier.get("/t/grievance/resources?q=guia&language=es").get_data(as_text=True)
    assert f'data-resource-id="{resource_id}"' in library
    found = supplier.get("/search?q=gu%C3%ADa").get_data(as_text=True)
    assert 'id="search-resources"' in found and f"/resources/{resource_id}" in found
    detail = supplier.get(f"/resources/{resource_id}").get_data(as_text=True)
    assert "Grievance guide" in detail and 'id="cite-in-question"' in detail and "Edit or add a version" not in detail
    ask = supplier.get(f"/t/grievance/new?kind=question&cite={resource_id}").get_data(as_text=True)
    assert f"(/resources/{resource_id})" in ask


def test_suppliers_cannot_add_and_outsiders_do_not_see(login_as):
    assert login_as("supplier").get("/t/grievance/resources/new").status_code == 403
    assert login_as("supplier").get("/t/members-lounge/resources").status_code == 404


def test_a_refused_file_keeps_the_form(login_as):
    member = login_as("member")
    form = member.get("/t/grievance/resources/new").get_data(as_text=True)
    refused = member.post("/t/grievance/resources/new", data={
        "csrf_token": token_of(form), "title": "Kept title", "kind": "guidance", "language": "en",
        "file": (io.BytesIO(b"<html><script>x</script></html>"), "guide.pdf")}, content_type="multipart/form-data")
    assert refused.status_code == 415 and "Kept title" in refused.get_data(as_text=True)


def test_a_moderator_hides_a_resource_from_its_page(login_as):
    resource_id = add_page(login_as("member"))
    moderator = login_as("moderator")
    page = moderator.get(f"/resources/{resource_id}").get_data(as_text=True)
    done = moderator.post(f"/resources/{resource_id}/moderation", data={
        "csrf_token": token_of(page), "action": "hide", "reason": "Outdated"})
    assert done.status_code == 302
    assert login_as("supplier").get(f"/resources/{resource_id}").status_code == 404


def test_the_topic_and_library_pages_listen_for_new_resources(login_as):
    """library_live.js fills #resource-updates when resource.created / resource.updated arrive."""
    reader = login_as("supplier")
    topic = reader.get("/t/grievance").get_data(as_text=True)
    assert 'id="resource-updates"' in topic and "js/topic.js" in topic
    library = reader.get("/t/grievance/resources").get_data(as_text=True)
    assert 'id="library" data-topic-slug="grievance"' in library and "js/library_live.js" in library
    assert 'id="resource-updates"' in library
