"""A resource's link is a plain web address on every path (API create and PATCH, the page form):
no script or data scheme, no protocol-relative or credential-carrying address, no whitespace or
control characters; what is kept is what the detail page links to."""
from __future__ import annotations

import pytest

from tests.api.helpers import Api, assert_error
from tests.files.test_resources_api import add
from tests.files.test_resources_pages import token_of

BAD_LINKS = [
    "javascript:alert(1)",
    " JavaScript:alert(1)",
    "java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/guide.pdf",
    "/\\evil.example/guide.pdf",
    "https:\\\\evil.example",
    "https://consortium.example@evil.example/guide.pdf",
    "https://user:secret@evil.example/guide.pdf",
    "https://evil.example/a b",
    "https://evil.example/\x00",
    "https://evil.example/\r\nSet-Cookie: x=1",
    "https://evil.example/\u202egpj.exe",
    "ftp://evil.example/guide.pdf",
    "https://[evil.example/",
    "https://a\uff0fb@evil.example/",
]


@pytest.fixture
def api(client, token_for) -> Api:
    return Api(client, token_for)


@pytest.mark.parametrize("link", BAD_LINKS)
def test_a_bad_link_is_refused_on_create_and_on_a_new_version(api, link):
    error = assert_error(add(api, "member", link=link, upload=None), 400, "invalid")
    assert error.get("field") == "link"
    resource = add(api, "member", link="https://example.org/guide", upload=None).get_json()["resource"]
    changed = api.patch(f"/resources/{resource['id']}", "member", json={"language": "en", "link": link})
    assert assert_error(changed, 400, "invalid").get("field") == "link"
    read = api.get(f"/resources/{resource['id']}", "supplier").get_json()["resource"]
    assert [v["link"] for v in read["history"]] == ["https://example.org/guide"]


def test_the_page_form_refuses_a_script_link_and_the_detail_page_links_only_to_the_web(login_as):
    member = login_as("member")
    for link in ("javascript:alert(1)", "//evil.example/x", "https://a@evil.example/"):
        form = member.get("/t/grievance/resources/new").get_data(as_text=True)
        refused = member.post("/t/grievance/resources/new", data={
            "csrf_token": token_of(form), "title": "Linked guide", "kind": "guidance", "language": "en",
            "link": link})
        assert refused.status_code == 400, (link, refused.status_code)
        assert "Linked guide" in refused.get_data(as_text=True)
    form = member.get("/t/grievance/resources/new").get_data(as_text=True)
    made = member.post("/t/grievance/resources/new", data={
        "csrf_token": token_of(form), "title": "Linked guide", "kind": "guidance", "language": "en",
        "link": "  https://example.org/guide?a=1&b=2  "})
    assert made.status_code == 302
    page = login_as("supplier").get(made.headers["Location"]).get_data(as_text=True)
    assert 'href="https://example.org/guide?a=1&amp;b=2" rel="noopener noreferrer nofollow"' in page
