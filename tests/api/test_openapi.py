"""The OpenAPI document (docs/openapi.json, served at /api/v1/openapi.json) describes exactly
the API the app serves: every /api/v1 route and method is in it, and nothing else is."""
from __future__ import annotations

import json
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE"}


def app_operations(app) -> set[tuple[str, str]]:
    operations = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            operations |= {(path, method.lower()) for method in rule.methods & METHODS}
    return operations


def document_operations(doc) -> set[tuple[str, str]]:
    return {(path, method) for path, item in doc["paths"].items() for method in item
            if method.upper() in METHODS}


def test_every_route_is_documented_and_every_documented_route_exists(app):
    doc = json.loads(DOC.read_text(encoding="utf-8"))
    assert doc["openapi"].startswith("3.1")
    in_app, in_doc = app_operations(app), document_operations(doc)
    assert in_app - in_doc == set(), "routes missing from docs/openapi.json"
    assert in_doc - in_app == set(), "docs/openapi.json describes routes the app does not have"


def test_the_document_is_served_to_anyone(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == json.loads(DOC.read_text(encoding="utf-8"))


def test_every_operation_documents_its_errors_with_the_error_shape():
    doc = json.loads(DOC.read_text(encoding="utf-8"))
    ids = []
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            ids.append(operation["operationId"])
            if path.endswith("/openapi.json"):
                continue
            for status in ("400", "401", "404"):
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (path, method, status)
            if method != "get":
                assert {"413", "429"} <= set(operation["responses"]), (path, method)
    assert len(ids) == len(set(ids))
