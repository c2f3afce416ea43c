"""The end of a session through the API and the pages: `decisions`, `follow_up_thread_id`, the
CSV export (hosts only; others get 403, outsiders of the topic 404)."""
from __future__ import annotations

from community.extensions import db
from tests.live.test_live_api import ask, started
from tests.views.threads_support import html_of


def test_api_end_with_decisions_and_the_follow_up(api, world):
    session = started(api, approve_questions=True)
    sid = session["id"]
    keep = ask(api, sid, body="Keep this one")
    left = ask(api, sid, "supplier2", body="Left waiting")
    assert session["follow_up_thread_id"] is None
    response = api.post(f"/live/{sid}/end", "member", json={"decisions": {str(keep["id"]): "approve"}})
    assert response.status_code == 200, response.get_json()
    ended = response.get_json()["session"]
    assert ended["state"] == "ended" and isinstance(ended["follow_up_thread_id"], int)
    assert api.get(f"/live/{sid}", "supplier2").get_json()["session"]["follow_up_thread_id"] == \
        ended["follow_up_thread_id"]
    follow_up = api.get(f"/threads/{ended['follow_up_thread_id']}", "supplier2").get_json()
    assert follow_up["thread"]["kind"] == "discussion" and not follow_up["thread"]["locked"]
    bodies = [p["html"] for p in follow_up["posts"]]
    assert any("Left waiting" in h for h in bodies) and any("Keep this one" in h for h in bodies)
    # late answers go in like any reply
    assert api.post(f"/threads/{ended['follow_up_thread_id']}/posts", "supplier2",
                    json={"body": "Carrying on here"}).status_code == 201
    states = {q["id"]: q["state"] for q in api.get(f"/live/{sid}", "supplier2").get_json()["questions"]}
    assert states[left["id"]] == "not_reached" and states[keep["id"]] == "visible"


def test_api_end_with_bad_decisions_is_400_and_the_session_goes_on(api, world):
    session = started(api)
    response = api.post(f"/live/{session['id']}/end", "member", json={"decisions": "all"})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "decisions"
    assert api.get(f"/live/{session['id']}", "member").get_json()["session"]["state"] == "live"


def test_api_csv_export(api, world):
    session = started(api)
    ask(api, session["id"], body="=1+1 is a formula")
    response = api.get(f"/live/{session['id']}/questions.csv", "member")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "'=1+1 is a formula" in response.get_data(as_text=True)
    refused = api.get(f"/live/{session['id']}/questions.csv", "supplier")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"


def test_page_end_with_decisions_and_export(app, world, login_as, api):
    session = started(api, approve_questions=True)
    sid = session["id"]
    keep = ask(api, sid, body="Approve me from the form")
    ask(api, sid, "supplier2", body="Leave me")
    host = login_as("member")
    page = html_of(host.get(f"/live/{sid}"))
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    data = {f"decision-{keep['id']}": "approve"}
    if token:
        data["csrf_token"] = token.group(1)
    assert host.post(f"/live/{sid}/end", data=data).status_code == 302
    states = {q["id"]: q["state"] for q in api.get(f"/live/{sid}", "member").get_json()["questions"]}
    assert states[keep["id"]] == "visible"
    export = host.get(f"/live/{sid}/questions.csv")
    assert export.status_code == 200 and "Approve me from the form" in export.get_data(as_text=True)
    assert login_as("supplier").get(f"/live/{sid}/questions.csv").status_code == 403


def test_the_session_page_offers_the_decisions_the_follow_up_and_the_export(app, world, login_as, api):
    session = started(api, approve_questions=True)
    sid = session["id"]
    waiting = ask(api, sid, body="Waiting at the end")
    host = login_as("member")
    page = html_of(host.get(f"/live/{sid}"))
    assert f'name="decision-{waiting["id"]}" id="decision-{waiting["id"]}-approve" value="approve"' in page
    assert "1 question is still waiting for approval" in page
    assert 'id="live-follow-up-link" href="#" hidden' in page
    api.post(f"/live/{sid}/end", "member")
    ended = api.get(f"/live/{sid}", "member").get_json()["session"]
    page = html_of(host.get(f"/live/{sid}"))
    assert f'id="live-follow-up-link" href="/threads/{ended["follow_up_thread_id"]}"' in page
    assert f'href="/live/{sid}/questions.csv"' in page
    supplier_page = html_of(login_as("supplier").get(f"/live/{sid}"))
    assert "questions.csv" not in supplier_page
    listing = html_of(login_as("supplier").get("/live"))
    assert f'href="/threads/{ended["follow_up_thread_id"]}"' in listing


def test_after_the_end_hosts_still_decide_questions_held_by_watched_words(app, world, login_as, api):
    from community.models.moderation import WatchedWord

    with app.app_context():
        db.session.add(WatchedWord(topic_id=world.topic("grievance").id, word="bribe", action="hold",
                                   created_by_id=world.ids["moderator"]))
        db.session.commit()
    session = started(api)
    sid = session["id"]
    held = ask(api, sid, body="About the bribe")
    plain = ask(api, sid, "supplier2", body="Not reached in time", )
    api.post(f"/live/{sid}/end", "member")
    page = html_of(login_as("member").get(f"/live/{sid}"))
    controls = page.split(f'id="q-{held["id"]}"', 1)[1].split("</li>", 1)[0]
    assert 'data-session-states="scheduled live ended">' in controls  # shown: the session has ended
    assert 'value="approve"' in controls
    host = login_as("member")
    assert host.post(f"/live/{sid}/questions/{held['id']}/moderate", data={"action": "approve"}).status_code == 302
    states = {q["id"]: q["state"] for q in api.get(f"/live/{sid}", "supplier").get_json()["questions"]}
    assert states[held["id"]] == "not_reached" and plain["id"] in states
    assert "Not reached" in html_of(login_as("supplier").get(f"/live/{sid}"))
