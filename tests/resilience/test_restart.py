"""A restart of the server keeps people signed in: sessions are rows in the database
(user_session), not memory of the process, so the same server started again on the same
database knows the cookie it gave (pages, the API and the live socket)."""
from __future__ import annotations

import re

import requests
import socketio

READER = "daniel@lumen.example"


def _signed_in_with_the_form(url: str, email: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(url + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = browser.post(url + "/login", data={"email": email, "password": "roundtable-demo", "csrf_token": token},
                          allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    return browser


def _signed_in_as(browser: requests.Session, url: str) -> str | None:
    answer = browser.get(url + "/api/v1/me", timeout=10)
    return answer.json()["email"] if answer.status_code == 200 else None


def test_a_signed_in_session_survives_a_restart_of_the_server(live_server):
    browser = _signed_in_with_the_form(live_server.url, READER)
    assert _signed_in_as(browser, live_server.url) == READER

    live_server.restart()

    # The same cookie, no new sign-in: the API, a page and the live socket know who it is.
    assert _signed_in_as(browser, live_server.url) == READER
    page = browser.get(live_server.url + "/settings/sessions", allow_redirects=False, timeout=10)
    assert page.status_code == 200, page.headers.get("Location")
    sock = socketio.Client(reconnection=False, websocket_extra_options={"origin": live_server.url})
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    sock.connect(live_server.url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=10)
    try:
        assert sock.connected
    finally:
        sock.disconnect()
