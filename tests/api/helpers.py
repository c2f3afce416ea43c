"""Helpers for the JSON API tests: a persona-aware client and error/anonymity assertions."""
from __future__ import annotations

import json as jsonlib


class Api:
    """api.get("/me", "supplier") -> the response of GET /api/v1/me with supplier's token."""

    def __init__(self, client, token_for):
        self.client = client
        self._token_for = token_for
        self._tokens: dict[str, dict] = {}

    def headers(self, who: str | None) -> dict:
        if who is None:
            return {}
        if who not in self._tokens:
            self._tokens[who] = self._token_for(who)
        return dict(self._tokens[who])

    def call(self, method: str, path: str, who: str | None = None, *, json=None, data=None,
             headers: dict | None = None, **kw):
        all_headers = {**self.headers(who), **(headers or {})}
        if json is not None:
            data = jsonlib.dumps(json)
            all_headers.setdefault("Content-Type", "application/json")
        return self.client.open("/api/v1" + path, method=method, data=data, headers=all_headers, **kw)

    def get(self, path, who=None, **kw):
        return self.call("GET", path, who, **kw)

    def post(self, path, who=None, **kw):
        return self.call("POST", path, who, **kw)

    def patch(self, path, who=None, **kw):
        return self.call("PATCH", path, who, **kw)

    def delete(self, path, who=None, **kw):
        return self.call("DELETE", path, who, **kw)

    # --- shortcuts that must succeed -----------------------------------------
    def start_thread(self, who: str, topic: str = "grievance", **fields) -> dict:
        body = {"title": "How do we audit subcontractors?", "body": "We use **two** auditors.", **fields}
        response = self.post(f"/topics/{topic}/threads", who, json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def reply(self, who: str, thread_id: int, body: str = "A helpful answer.", **fields) -> dict:
        response = self.post(f"/threads/{thread_id}/posts", who, json={"body": body, **fields})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["post"]


def assert_error(response, status: int, code: str) -> dict:
    """The response is exactly {"error": {"code", "message"[, "field"]}} with that status."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert set(data) == {"error"}, data
    assert data["error"]["code"] == code, data
    assert isinstance(data["error"]["message"], str) and data["error"]["message"]
    assert set(data["error"]) <= {"code", "message", "field", "retry_after"}
    return data["error"]


def assert_anonymous(payload, secrets: list[str], author_id: int) -> None:
    """Nothing in `payload` names the anonymous author.

    The whole JSON text must not contain any of `secrets` (name, handle, email,
    organisation), no author object may carry more than the anonymous label, and no
    user-shaped object or *_id field may point at `author_id`.
    """
    text = jsonlib.dumps(payload, ensure_ascii=False)
    for secret in secrets:
        assert secret not in text, f"{secret!r} revealed in {text[:2000]}"

    def walk(node, key=None):
        if isinstance(node, dict):
            if node.get("anonymous") is True and "label" in node:
                assert set(node) == {"anonymous", "label"}, node
            if node.get("id") == author_id and ({"name", "handle", "email", "organisation", "role"} & set(node)):
                raise AssertionError(f"a user object of the anonymous author: {node}")
            for k, v in node.items():
                if k in ("author_id", "user_id", "by_id", "actor_id") and v == author_id:
                    raise AssertionError(f"{k} reveals the anonymous author in {node}")
                walk(v, k)
        elif isinstance(node, list):
            for item in node:
                walk(item, key)

    walk(payload)
