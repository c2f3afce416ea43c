"""GET /api/v1/users?q= — people to @mention."""


def test_lookup_by_handle_or_name_prefix(client, token_for):
    headers = token_for("supplier")
    found = client.get("/api/v1/users?q=memb", headers=headers).get_json()["users"]
    assert {u["handle"] for u in found} == {"member", "member2"}
    assert set(found[0]) == {"handle", "name", "organisation"}  # no email, no id
    assert client.get("/api/v1/users?q=@Moder", headers=headers).get_json()["users"][0]["handle"] == "moderator"


def test_lookup_leaves_out_inactive_people_and_odd_input(client, token_for):
    headers = token_for("supplier")
    assert client.get("/api/v1/users?q=pend", headers=headers).get_json()["users"] == []
    assert client.get("/api/v1/users?q=susp", headers=headers).get_json()["users"] == []
    assert client.get("/api/v1/users?q=%25", headers=headers).get_json()["users"] == []
    assert client.get("/api/v1/users?q=", headers=headers).get_json()["users"] == []
    assert client.get("/api/v1/users?q=" + "x" * 41, headers=headers).get_json()["users"] == []


def test_lookup_needs_a_caller(client):
    assert client.get("/api/v1/users?q=mem").status_code == 401
