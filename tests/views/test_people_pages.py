"""People pages: the profile (never an anonymous post, nothing from a topic the viewer cannot
read), the generated avatar (SVG, escaped, sandboxed), and choosing its colour."""
from __future__ import annotations

import re

import pytest

from community import avatars
from community.extensions import db
from community.models import User
from tests.views.threads_support import answer, assert_csp_clean, html_of, moderate_post, start, text_of


@pytest.fixture
def story(app, world):
    question, _ = start(app, world, "supplier", "grievance", title="Who pays the fees?", kind="question")
    named_answer = answer(app, world, "supplier2", question, "NAMED-ANSWER: the employer pays")
    from community.actions.threads import accept_answer
    with app.app_context():
        from community.models import Thread
        accept_answer(world.user("supplier"), db.session.get(Thread, question), named_answer)
    anon_thread, anon_opening = start(app, world, "supplier2", "grievance", title="ANON-TITLE question",
                                      body="ANON-BODY", anonymous=True)
    anon_reply = answer(app, world, "supplier2", question, "ANON-REPLY text", anonymous=True)
    hidden = answer(app, world, "supplier2", question, "HIDDEN-REPLY text")
    moderate_post(app, world, "moderator", hidden, "hide", "spam")
    circle, _ = start(app, world, "supplier", "textiles-circle", title="CIRCLE-TITLE", body="CIRCLE-BODY")
    return {"question": question, "answer": named_answer, "anon_thread": anon_thread, "anon_reply": anon_reply,
            "circle": circle}


@pytest.mark.parametrize("viewer", ["member", "supplier2", "moderator", "admin"])
def test_profile_never_shows_anonymous_or_hidden_posts(app, world, login_as, story, viewer):
    html = html_of(login_as(viewer).get(f"/users/{world.ids['supplier2']}"))
    assert_csp_clean(html)
    text = text_of(html)
    assert "Supplier2" in text and "Rubber Works" in text and "MY" in text
    assert "NAMED-ANSWER" in text and "Accepted answer" in text
    assert re.search(r'id="profile-accepted-count">1<', html)
    for leak in ("ANON-TITLE", "ANON-BODY", "ANON-REPLY", "HIDDEN-REPLY"):
        assert leak not in html, (viewer, leak)


def test_profile_shows_nothing_from_topics_the_viewer_cannot_read(app, world, login_as, story):
    outsider = html_of(login_as("supplier2").get(f"/users/{world.ids['supplier']}"))
    insider = html_of(login_as("admin").get(f"/users/{world.ids['supplier']}"))
    for leak in ("CIRCLE-TITLE", "CIRCLE-BODY", "Textiles circle"):
        assert leak not in outsider and leak in insider
    assert re.search(r'id="profile-post-count">1<', outsider) and re.search(r'id="profile-post-count">2<', insider)


def test_profiles_of_people_not_there_and_sign_in(app, world, login_as, client):
    member = login_as("member")
    assert member.get(f"/users/{world.ids['pending']}").status_code == 404
    assert member.get("/users/999999").status_code == 404
    assert member.get(f"/users/{world.ids['pending']}/avatar.svg").status_code == 404
    assert member.get(f"/users/{world.ids['suspended']}").status_code == 200
    response = client.get(f"/users/{world.ids['member']}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_older_posts_page(app, world, login_as, story):
    from community.actions import people

    for i in range(people.PROFILE_POSTS):
        answer(app, world, "supplier2", story["question"], f"Filler answer {i}")
    member = login_as("member")
    html = html_of(member.get(f"/users/{world.ids['supplier2']}"))
    link = re.search(r'href="(/users/\d+\?before=\d+)" rel="next"', html).group(1)
    older = html_of(member.get(link))
    assert "NAMED-ANSWER" in older and "Filler answer 9" not in older


def test_avatar_svg_is_escaped_sandboxed_and_labelled(app, world, login_as):
    with app.app_context():
        user = db.session.get(User, world.ids["supplier"])
        user.name = '<script>alert(1)</script> "Zoë" & Co'
        db.session.commit()
    response = login_as("member").get(f"/users/{world.ids['supplier']}/avatar.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    body = response.get_data(as_text=True)
    assert "<script" not in body and "&lt;script&gt;" in body
    assert ">SC</text>" in body  # the first letters of the first and last words
    assert 'role="img"' in body and "<title>" in body


def test_names_in_lists_are_isolated_and_avatars_decorative(app, world, login_as):
    start(app, world, "supplier", "grievance", title="A thread by a named supplier")
    html = login_as("member").get("/?tab=latest").get_data(as_text=True)
    link = re.search(r'<a class="person-link" href="/users/\d+">.*?</a>', html, re.S).group(0)
    assert "<bdi>Supplier</bdi>" in link and 'aria-hidden="true"' in link


def test_choosing_an_avatar_colour_on_the_profile_settings(app, world, login_as):
    supplier = login_as("supplier")
    page = html_of(supplier.get("/settings/profile"))
    assert 'name="avatar_colour"' in page and 'value="teal"' in page
    assert f'href="/users/{world.ids["supplier"]}"' in page
    response = supplier.post("/settings/avatar", data={"avatar_colour": "teal"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/settings/profile#avatar")
    with app.app_context():
        assert db.session.get(User, world.ids["supplier"]).avatar_colour == "teal"
    assert avatars.PALETTE["teal"][0] in html_of(supplier.get(f"/users/{world.ids['supplier']}"))
    supplier.post("/settings/avatar", data={"avatar_colour": "#ff00ff"})
    assert "Choose one of the colours offered." in html_of(supplier.get("/settings/profile"))
    with app.app_context():
        assert db.session.get(User, world.ids["supplier"]).avatar_colour == "teal"


def test_palette_contrast_and_initials():
    for key, (colour, _name) in avatars.PALETTE.items():
        assert avatars.contrast_ratio(avatars.TEXT_COLOUR, colour) >= 4.5, key
    assert avatars.initials("Ana María López") == "AL"
    assert avatars.initials("王小明") == "王"
    assert avatars.initials("  ") == "?"
    assert avatars.initials("e\u0301mile zola") == "ÉZ"

    class Named:
        name = "Same Name"
        avatar_colour = None

    assert avatars.colour(Named()) == avatars.colour(Named())
