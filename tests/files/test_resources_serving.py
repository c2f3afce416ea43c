"""Serving the file of a resource version (/files/<id>/<name>): whoever may read the resource,
for every persona; a hidden resource's file for its creator and the topic's moderators only; a
deleted resource's file for nobody (its uploader included)."""
from __future__ import annotations

import pytest

from tests.api.helpers import Api
from tests.files.test_resources_api import add

EVERYONE = ("admin", "member", "member2", "moderator", "supplier", "supplier2")


@pytest.fixture
def api(client, token_for) -> Api:
    return Api(client, token_for)


def statuses(login_as, address: str) -> dict[str, int]:
    return {who: login_as(who).get(address).status_code for who in EVERYONE}


def added(api: Api, who: str, topic: str) -> tuple[int, str]:
    made = add(api, who, topic=topic)
    assert made.status_code == 201, made.get_json()
    resource = made.get_json()["resource"]
    return resource["id"], resource["versions"][0]["file"]["url"]


def test_the_file_of_a_members_only_resource_is_kept_from_suppliers(api, login_as):
    _, url = added(api, "member", "members-lounge")
    assert statuses(login_as, url) == {
        "admin": 200, "member": 200, "member2": 200, "moderator": 200, "supplier": 404, "supplier2": 404}


def test_the_file_of_a_hub_resource_is_for_the_hubs_organisations_only(api, login_as):
    _, url = added(api, "admin", "textiles-circle")  # a hub of the supplier's organisation
    assert statuses(login_as, url) == {
        "admin": 200, "member": 404, "member2": 404, "moderator": 404, "supplier": 200, "supplier2": 404}


def test_the_file_of_a_hidden_resource_is_for_its_creator_and_the_moderators(api, login_as):
    resource_id, url = added(api, "member", "grievance")
    assert set(statuses(login_as, url).values()) == {200}
    hidden = api.post(f"/resources/{resource_id}/moderation", "moderator", json={"action": "hide", "reason": "Old"})
    assert hidden.status_code == 200
    assert statuses(login_as, url) == {
        "admin": 200, "member": 200, "member2": 404, "moderator": 200, "supplier": 404, "supplier2": 404}


def test_the_file_of_a_deleted_resource_is_served_to_nobody(api, login_as):
    resource_id, url = added(api, "member", "grievance")
    assert api.post(f"/resources/{resource_id}/moderation", "moderator", json={"action": "delete"}).status_code == 200
    # Not even to the member who uploaded it: the resource is gone, so is its file.
    assert set(statuses(login_as, url).values()) == {404}
