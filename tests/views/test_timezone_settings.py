"""People set their own time zone (issue #15: "dates are right in every time zone"): the action,
the settings page's own form, the zone a browser reports at registration, invitation and
sign-in (kept only while none was given), and the dates of a thread page and its validator."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from community.actions import accounts
from community.dates import zone_choices
from community.errors import Invalid
from community.extensions import db
from community.models import Post, User
from tests.conftest import PASSWORD
from tests.views.test_revalidation_early import sent_again, settled
from tests.views.test_signup_flow import REGISTRATION
from tests.views.threads_support import start


def zone_of(app, user_id: int) -> tuple[str, bool]:
    with app.app_context():
        user = db.session.get(User, user_id)
        return user.timezone, user.timezone_chosen


def selected_zone(html: str) -> list[str]:
    select_tag = re.search(r'<select[^>]*name="timezone".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)" selected>', select_tag)


# --- the action -------------------------------------------------------------------------------
def test_set_timezone_keeps_a_known_zone_and_names_utc_one_way(app, world):
    with app.app_context():
        assert accounts.set_timezone(world.user("supplier"), "Asia/Tokyo") == "Asia/Tokyo"
    assert zone_of(app, world.ids["supplier"]) == ("Asia/Tokyo", True)
    with app.app_context():
        assert accounts.set_timezone(world.user("supplier"), "UTC") == "UTC"
        assert accounts.set_timezone(world.user("member"), "Etc/UTC") == "UTC"
        assert accounts.set_timezone(world.user("member2"), "Asia/Calcutta") == "Asia/Calcutta"  # Chrome's name
    assert zone_of(app, world.ids["supplier"]) == ("UTC", True)
    assert zone_of(app, world.ids["member"]) == ("UTC", True)


@pytest.mark.parametrize("bad", ["Mars/Olympus", "", None, 3, ["Asia/Tokyo"], "asia/tokyo", "../../etc/passwd",
                                 "Asia/Tokyo" + "x" * 100])
def test_set_timezone_refuses_what_is_no_zone_on_its_field(app, world, bad):
    with app.app_context(), pytest.raises(Invalid) as refused:
        accounts.set_timezone(world.user("supplier"), bad)
    assert refused.value.field == "timezone" and "Choose a time zone from the list" in refused.value.message
    assert zone_of(app, world.ids["supplier"]) == ("UTC", False)


def test_the_choices_are_by_region_with_todays_offset():
    groups = dict(zone_choices("US/Eastern"))
    assert {"Africa", "America", "Asia", "Europe", "Pacific Ocean", "Other time zones"} <= set(groups)
    assert ("Asia/Kolkata", "Asia/Kolkata (UTC+05:30)") in groups["Asia"]
    assert ("America/St_Johns" in dict(groups["America"])) and "UTC-0" in dict(groups["America"])["America/Bogota"]
    assert groups["Other time zones"][0] == ("UTC", "UTC") and groups["Other time zones"][1][0] == "US/Eastern"
    assert all("/" not in name or name.startswith("US/") for name, _label in groups["Other time zones"])


# --- the settings page --------------------------------------------------------------------------
def test_the_profile_page_shows_the_zone_selected_and_saves_another(app, world, login_as):
    client = login_as("supplier")
    html = client.get("/settings/profile").get_data(as_text=True)
    assert 'action="/settings/profile/timezone"' in html and selected_zone(html) == ["UTC"]
    assert '<optgroup label="Asia">' in html and ">Asia/Tokyo (UTC+09:00)</option>" in html
    assert 'id="device-zone" hidden' in html and "js/device_zone.js" in html
    saved = client.post("/settings/profile/timezone", data={"timezone": "Asia/Tokyo"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/settings/profile#timezone")
    page = client.get("/settings/profile").get_data(as_text=True)
    assert selected_zone(page) == ["Asia/Tokyo"] and "Your time zone is saved: Asia/Tokyo." in page
    assert zone_of(app, world.ids["supplier"]) == ("Asia/Tokyo", True)
    # The name's form is another form: the zone's never renames, the name's never moves the zone.
    with app.app_context():
        assert world.user("supplier").name == "Supplier"
    assert client.post("/settings/profile", data={"name": "Supplier Renamed"}).status_code == 302
    assert zone_of(app, world.ids["supplier"]) == ("Asia/Tokyo", True)


def test_a_refused_zone_keeps_the_choice_and_says_why_in_the_readers_language(app, world, login_as):
    client = login_as("supplier")
    client.post("/settings/profile/timezone", data={"timezone": "Europe/Paris"})
    client.set_cookie("lang", "fr")
    refused = client.post("/settings/profile/timezone", data={"timezone": "Mars/Olympus"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert selected_zone(html) == ["Mars/Olympus"] and 'aria-invalid="true"' in html
    assert 'id="timezone-error"' in html and "Choose a time zone from the list" not in html
    assert "fuseau horaire" in html.split('id="timezone-error"', 1)[1].split("</div>", 1)[0]
    assert zone_of(app, world.ids["supplier"]) == ("Europe/Paris", True)


def test_the_settings_need_a_signed_in_person(app, world, client):
    response = client.post("/settings/profile/timezone", data={"timezone": "Asia/Tokyo"})
    assert response.status_code in (302, 401) and "/login" in response.headers.get("Location", "/login")


# --- a browser's zone at registration, invitation and sign-in -------------------------------------
def test_registration_keeps_the_browsers_zone_and_ignores_a_bad_one(app, client, world):
    assert client.post("/register", data={**REGISTRATION, "timezone": "America/Mexico_City"}).status_code == 302
    other = {**REGISTRATION, "email": "b@newsupplier.example", "name": "Bea Ruiz", "timezone": "Nowhere/Else"}
    assert app.test_client().post("/register", data=other).status_code == 302
    silent = {**REGISTRATION, "email": "c@newsupplier.example", "name": "Cruz Lee"}  # no script: no field
    assert app.test_client().post("/register", data=silent).status_code == 302
    with app.app_context():
        found = {u.email: (u.timezone, u.timezone_chosen) for u in db.session.scalars(select(User))}
    assert found[REGISTRATION["email"]] == ("America/Mexico_City", True)
    assert found["b@newsupplier.example"] == ("UTC", False)
    assert found["c@newsupplier.example"] == ("UTC", False)


def test_an_invitation_keeps_the_browsers_zone(app, world):
    with app.app_context():
        _invitation, secret = accounts.create_invitation(world.user("admin"), email="new@brand.example",
                                                         role="member", organisation="Brand Co")
    invited = app.test_client().post(f"/invite/{secret}", data={
        "name": "Nora Invited", "password": "long-enough-pass", "confirm": "long-enough-pass",
        "timezone": "Europe/Lisbon"})
    assert invited.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new@brand.example"))
        assert (user.timezone, user.timezone_chosen) == ("Europe/Lisbon", True)


def test_signing_in_fills_an_unset_zone_only(app, world):
    supplier, member = world.ids["supplier"], world.ids["member"]
    # An unknown name or UTC: ignored, and signing in goes on.
    for ignored in ("Not/AZone", "Etc/UTC", "x" * 5000):
        response = app.test_client().post("/login", data={"email": "supplier@example.com",
                                                          "password": PASSWORD, "timezone": ignored})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
        assert zone_of(app, supplier) == ("UTC", False)
    app.test_client().post("/login", data={"email": "supplier@example.com", "password": PASSWORD,
                                           "timezone": "Asia/Kolkata"})
    assert zone_of(app, supplier) == ("Asia/Kolkata", True)
    # Given once, a browser elsewhere does not move it.
    app.test_client().post("/login", data={"email": "supplier@example.com", "password": PASSWORD,
                                           "timezone": "America/New_York"})
    assert zone_of(app, supplier) == ("Asia/Kolkata", True)
    # Nor does it move a zone the person chose, UTC included.
    with app.app_context():
        accounts.set_timezone(world.user("member"), "UTC")
    app.test_client().post("/login", data={"email": "member@example.com", "password": PASSWORD,
                                           "timezone": "Asia/Tokyo"})
    assert zone_of(app, member) == ("UTC", True)
    # A wrong password with a zone changes nothing.
    app.test_client().post("/login", data={"email": "member2@example.com", "password": "wrong",
                                           "timezone": "Asia/Tokyo"})
    assert zone_of(app, world.ids["member2"]) == ("UTC", False)


def test_the_sign_in_and_registration_forms_carry_the_hidden_field(client):
    for path in ("/login", "/register"):
        html = client.get(path).get_data(as_text=True)
        assert '<input type="hidden" name="timezone" value="" data-device-zone>' in html
        assert "js/device_zone.js" in html


# --- what the reader then reads -----------------------------------------------------------------------
def test_a_thread_page_shows_times_in_the_chosen_zone_and_its_validator_moves(app, world, login_as):
    thread, opening = start(app, world, "supplier2", "grievance", body="Opening words")
    with app.app_context():
        db.session.get(Post, opening).created_at = datetime(2026, 3, 3, 23, 30, tzinfo=UTC)
        db.session.commit()
    reader, path = login_as("member"), f"/threads/{thread}"
    etag = settled(reader, path)
    before = reader.get(path).get_data(as_text=True)
    assert ">3 March 2026, 23:30 UTC<" in before
    assert reader.post("/settings/profile/timezone", data={"timezone": "Asia/Tokyo"}).status_code == 302
    after = sent_again(reader, path, etag).get_data(as_text=True)  # the old validator: not a 304
    assert ">4 March 2026, 08:30 Japan Standard Time<" in after and 'time-zone="Asia/Tokyo"' in after
    assert settled(reader, path) != etag

