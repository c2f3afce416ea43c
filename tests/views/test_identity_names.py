"""Names that cannot impersonate (issue #11): every kind of impostor name, on every path.

Paths: registration, invitations (the administrators' form, and accepting one), the profile
settings, the command line (`flask users create`), and organisation names (registration,
invitation, CLI). Kinds: an anonymous label (in English, another interface language, with a
Cyrillic letter, in full-width letters), a role or site word, another person's name (same,
other case, confusable), zero-width and bidirectional control characters. Each is refused
with a clear message and the rest of the form kept; the real names of the demo pass.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from community.actions import names
from community.demo import ORGANISATIONS, PEOPLE
from community.errors import Invalid
from community.extensions import db
from community.models import Organisation, User
from tests.conftest import PASSWORD

# (name, why it is refused); "Member" is the name of the persona "member".
IMPOSTOR_NAMES = [
    ("Anonymous supplier", "reserved"),
    ("anonymous  MEMBER", "reserved"),
    ("\u0410nonymous supplier", "reserved"),            # Cyrillic A
    ("\uff21nonymous supplier", "reserved"),            # full-width A (NFKC)
    ("Proveedor anónimo", "reserved"),                  # the Spanish label
    ("Fournisseur anonyme", "reserved"),
    ("匿名供应商", "reserved"),
    ("مورّد مجهول الهوية", "reserved"),
    ("Anonymous supplier (verified)", "reserved"),
    ("Moderator", "reserved"),
    ("Priya Moderator", "reserved"),
    ("Admin", "reserved"),
    ("ADMIN", "reserved"),
    ("Αdmin", "reserved"),                              # Greek Alpha
    ("Administrator", "reserved"),
    ("R0undtable", "reserved"),
    ("System", "reserved"),
    ("Member", "taken"),                                # another person's name
    ("MEMBER", "taken"),
    ("M\u0435mber", "taken"),                           # Cyrillic e
    ("Ad\u200bam Smith", "invisible"),                  # zero-width space
    ("Adam\u200d Smith", "invisible"),                  # zero-width joiner
    ("admin\u202egnp.exe", "invisible"),                # right-to-left override
    ("\u2067Adam Smith\u2069", "invisible"),            # right-to-left isolate
    ("Adam\u0000Smith", "nul"),
]
MESSAGES = {"reserved": "a word Roundtable uses itself", "taken": "already has a name that is, or looks like",
            "invisible": "invisible or control character", "nul": "contains characters that are not allowed"}
IMPOSTOR_ORGANISATIONS = [("Anonymous supplier", "reserved"), ("Anonymous Ltd", "reserved"),
                          ("Roundtable", "reserved"), ("Textiles\u202eLtd", "invisible"),
                          ("T\u0435xtiles Ltd", "confusable")]  # Cyrillic e: looks like "Textiles Ltd"
ORG_MESSAGES = {**MESSAGES, "confusable": "looks like “Textiles Ltd”"}


def page(response) -> str:
    return response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")


def test_the_rule_itself(app, world):
    with app.app_context():
        for name, why in IMPOSTOR_NAMES:
            with pytest.raises(Invalid) as refused:
                names.display_name(name)
            assert MESSAGES[why] in refused.value.message, name
        assert names.display_name("  Zanele\u00a0 Quixote ") == "Zanele Quixote"  # NFKC, spaces collapsed
        assert names.display_name("Ｚａｎｅｌｅ") == "Zanele"
        # The person's own name is not "another person's" when they save it again.
        assert names.display_name("Member", user=world.user("member")) == "Member"
        # Names that only look a little alike, or contain a word in passing, are fine.
        for fine in ("Ian Lee", "Lan Lee", "Badminton Club", "Systems Engineer Li", "Anonymo Rossi"):
            assert names.display_name(fine) == fine


def test_the_demo_names_pass(app):
    with app.app_context():
        for name, *_rest in PEOPLE.values():
            names.display_name(name)
        for name, _kind, _country in ORGANISATIONS:
            names.organisation_name(name)


@pytest.mark.parametrize("name,why", IMPOSTOR_NAMES)
def test_registration(client, world, name, why):
    response = client.post("/register", data={"name": name, "email": "new@example.com", "password": PASSWORD,
                                              "confirm": PASSWORD, "organisation": "Fresh Co", "org_kind": "supplier"})
    assert response.status_code == 400, name
    assert MESSAGES[why] in page(response)
    assert 'value="new@example.com"' in page(response)  # the rest of the form is kept


@pytest.mark.parametrize("organisation,why", IMPOSTOR_ORGANISATIONS)
def test_registration_organisation(client, world, organisation, why):
    response = client.post("/register", data={"name": "Ada Newcomer", "email": "new@example.com", "password": PASSWORD,
                                              "confirm": PASSWORD, "organisation": organisation, "org_kind": "supplier"})
    assert response.status_code == 400, organisation
    assert ORG_MESSAGES[why] in page(response)


def test_registration_joins_an_organisation_typed_in_another_case(app, client, world):
    response = client.post("/register", data={"name": "Ada Newcomer", "email": "new@example.com", "password": PASSWORD,
                                              "confirm": PASSWORD, "organisation": "TEXTILES  LTD", "org_kind": "supplier"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "new@example.com")).organisation.name == "Textiles Ltd"


@pytest.mark.parametrize("name,why", IMPOSTOR_NAMES)
def test_invitation_form(login_as, name, why):
    response = login_as("admin").post("/admin/invitations", data={
        "email": "invitee@example.com", "name": name, "role": "supplier", "organisation": "Textiles Ltd"})
    assert response.status_code == 400, name
    assert MESSAGES[why] in page(response)


@pytest.mark.parametrize("organisation,why", IMPOSTOR_ORGANISATIONS)
def test_invitation_form_organisation(login_as, organisation, why):
    response = login_as("admin").post("/admin/invitations", data={
        "email": "invitee@example.com", "name": "Ivy Invitee", "role": "supplier", "organisation": organisation})
    assert response.status_code == 400, organisation
    assert ORG_MESSAGES[why] in page(response)


@pytest.mark.parametrize("name,why", IMPOSTOR_NAMES)
def test_accepting_an_invitation(client, login_as, name, why):
    created = login_as("admin").post("/admin/invitations", data={
        "email": "invitee@example.com", "name": "", "role": "supplier", "organisation": "Textiles Ltd"})
    token = re.search(r'/invite/([^"]+)"', page(created)).group(1)
    response = client.post(f"/invite/{token}", data={"name": name, "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 400, name
    assert MESSAGES[why] in page(response)


@pytest.mark.parametrize("name,why", IMPOSTOR_NAMES)
def test_profile_settings(app, world, login_as, name, why):
    me = login_as("supplier")
    response = me.post("/settings/profile", data={"name": name})
    assert response.status_code == 400, name
    assert MESSAGES[why] in page(response)
    with app.app_context():
        assert world.user("supplier").name == "Supplier"


def test_profile_settings_rename(app, world, login_as):
    me = login_as("supplier")
    assert "Your profile" in page(me.get("/settings/profile"))
    assert me.post("/settings/profile", data={"name": "Zanele\u00a0Quixote"}).status_code == 302
    with app.app_context():
        user = world.user("supplier")
        assert user.name == "Zanele Quixote" and user.name_key == names.key("Zanele Quixote")
    # Now someone else cannot take it, nor a look-alike of it.
    other = login_as("supplier2")
    assert other.post("/settings/profile", data={"name": "Zanele Quixote"}).status_code == 400
    assert other.post("/settings/profile", data={"name": "ZANELE QUIX0TE"}).status_code == 400


@pytest.mark.parametrize("name,why", IMPOSTOR_NAMES)
def test_command_line(app, world, name, why):
    runner = app.test_cli_runner()
    with app.app_context():
        result = runner.invoke(args=["users", "create", "--email", "cli@example.com", "--name", name,
                                     "--password", "long-enough-pw", "--role", "supplier", "--org", "Fresh Co"])
    assert result.exit_code != 0, name
    assert MESSAGES[why] in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "cli@example.com")) is None


@pytest.mark.parametrize("organisation,why", IMPOSTOR_ORGANISATIONS)
def test_command_line_organisation(app, world, organisation, why):
    runner = app.test_cli_runner()
    with app.app_context():
        result = runner.invoke(args=["users", "create", "--email", "cli@example.com", "--name", "Cli Person",
                                     "--password", "long-enough-pw", "--role", "supplier", "--org", organisation])
        assert result.exit_code != 0, organisation
        assert ORG_MESSAGES[why] in result.output
        assert db.session.scalar(select(Organisation).where(Organisation.name == organisation)) is None
