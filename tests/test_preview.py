"""The composer's Markdown preview (issue #15): rendered by the one sanitiser exactly as the
post will be, with notes from the sanitiser's own parse on what will not be shown (images,
raw HTML), the same "too long" message as sending at any length, rate limited, bounded,
writing nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community import markup, rendering
from community.extensions import db
from community.models import Post
from tests.api.helpers import Api
from tests.test_rendering import workers  # noqa: F401 - the fixture


@pytest.fixture
def api(client, token_for) -> Api:
    return Api(client, token_for)


@pytest.mark.parametrize("body, notes", [
    ("Plain **bold** text", []),
    ("![a cat](https://example.com/cat.png)", ["image"]),
    ("Hello <b>there</b>", ["html"]),
    ("<div>\nblock\n</div>", ["html"]),
    ("x <!-- hidden --> y", ["html"]),
    ("![i](https://e.com/i.png) and <script>alert(1)</script>", ["image", "html"]),
    ("Code is fine: `<b>` and\n\n```\n<div>\n```", []),
    ("Maths: a < b and c > d", []),
    ("An autolink <https://example.com> is a link", []),
])
def test_notes_come_from_the_sanitisers_parse(body, notes):
    html, found = markup.render_with_notes(body)
    assert found == notes
    assert html == markup.render(body)


def test_the_worker_gives_the_same_html_and_notes(workers, app):  # noqa: F811
    with app.test_request_context():
        for body in ("![a](https://e.com/a.png) <b>x</b>", "**fine**"):
            assert rendering.render_preview(body) == markup.render_with_notes(body)
            assert rendering.render_post(body) == markup.render(body)


def test_preview_api(api, world):
    response = api.post("/preview", "supplier", json={"body": "Hello **world** ![p](https://e.com/p.png) <i>x</i>"})
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert "<strong>world</strong>" in data["html"] and "<img" not in data["html"] and "&lt;i&gt;" in data["html"]
    assert [n["code"] for n in data["notes"]] == ["image", "html"]
    assert all(n["message"] for n in data["notes"])
    assert data["max_chars"] == 20_000 and data["chars"] == len("Hello **world** ![p](https://e.com/p.png) <i>x</i>")


@pytest.mark.parametrize("kind, limit, label", [("post", 20_000, "Your post"), ("question", 2000, "Your question"),
                                                ("chat", 1000, "Your message"), ("answer", 2000, "The answer")])
@pytest.mark.parametrize("extra", [1, 40_000, 59_999])
def test_too_long_says_the_same_as_sending_at_any_length(api, world, kind, limit, label, extra):
    count = limit + extra
    response = api.post("/preview", "supplier", json={"body": "é" * count, "kind": kind})
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    assert message == f"{label} is too long: {count:,} characters, the limit is {limit:,}."


def test_preview_writes_nothing_and_needs_a_caller(api, app, world):
    assert api.post("/preview", None, json={"body": "x"}).status_code == 401
    assert api.post("/preview", "supplier", json={"body": "x", "kind": "novel"}).status_code == 400
    assert api.post("/preview", "supplier", json={"body": ""}).get_json()["html"] == ""
    with app.app_context():
        assert db.session.scalar(select(func.count(Post.id))) == 0


def test_too_complex_is_refused_like_a_post(api, world):
    response = api.post("/preview", "supplier", json={"body": "[" * 1001})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "too_complex"


def test_preview_is_rate_limited(api, world, rate_limits):
    rate_limits["preview"] = "2/minute"
    for _ in range(2):
        assert api.post("/preview", "supplier", json={"body": "x"}).status_code == 200
    refused = api.post("/preview", "supplier", json={"body": "x"})
    assert refused.status_code == 429 and refused.headers.get("Retry-After")


def test_preview_with_the_session_cookie_needs_csrf(app, world, login_as):
    client = login_as("supplier")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/api/v1/preview", json={"body": "x"}).status_code == 400


def test_past_the_body_limit_the_answer_is_still_clear(api, world):
    response = api.post("/preview", "supplier", json={"body": "é" * 100_000})  # 600 KB of JSON
    assert response.status_code == 413
    assert "too large: the limit is 512 KB" in response.get_json()["error"]["message"]
