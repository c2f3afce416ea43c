"""The command line of CONTRACT.md: users create, users token, topics moderator, seed-demo."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.models import (
    ApiToken,
    ModerationAction,
    Notification,
    Organisation,
    Post,
    RoomEvent,
    Thread,
    Topic,
    TopicModerator,
    User,
)
from community.models.live import LiveSession

THEMES = ["forced-labour", "grievance-mechanisms", "anti-corruption", "land-rights", "working-conditions"]
HUBS = ["asia-pacific", "mexico-central-america", "india", "malaysia", "middle-east"]


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args: str, ok: bool = True):
        # `flask` pushes an app context for every command (FlaskGroup.get_command); the
        # test runner does so only for AppGroup commands, not for the plain click groups.
        with app.app_context():
            result = runner.invoke(args=list(args))
        if ok:
            assert result.exit_code == 0, result.output + repr(result.exception)
        return result

    return invoke


def _create(cli, email="ana@brand.example", role="member", org="Brand New Ltd", *extra, ok=True, name=None):
    # Names are the person's own: two people never share one (nor one that looks alike).
    name = name or {"one": "Ana One", "two": "Ana Two"}.get(email.split("@")[0], "Ana Lima")
    return cli("users", "create", "--email", email, "--name", name, "--password", "long-enough-pw",
               "--role", role, "--org", org, *extra, ok=ok)


# --- users ------------------------------------------------------------------------------
def test_users_create_makes_an_active_user_and_the_organisation(app, cli):
    result = _create(cli, "Ana@Brand.example", "supplier", "Fresh Supplier Co")
    assert "ana@brand.example" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "ana@brand.example"))
        assert (user.state, user.role, user.name) == ("active", "supplier", "Ana Lima")
        assert user.organisation.name == "Fresh Supplier Co"
        assert user.organisation.kind == "supplier"
        assert user.check_password("long-enough-pw")


def test_users_create_with_org_kind_and_an_existing_organisation(app, cli, world):
    _create(cli, "one@brand.example", "member", "Brand Co")
    _create(cli, "two@brand.example", "admin", "Mixed Org", "--org-kind", "member")
    with app.app_context():
        one = db.session.scalar(select(User).where(User.email == "one@brand.example"))
        assert one.organisation.id == world.user("member").organisation_id  # found, not duplicated
        assert db.session.scalar(select(Organisation.kind).where(Organisation.name == "Mixed Org")) == "member"


def test_users_create_refuses_a_duplicate_email_with_a_message(cli):
    _create(cli)
    result = _create(cli, ok=False)
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert "Traceback" not in result.output


def test_users_create_refuses_a_short_password(cli):
    result = cli("users", "create", "--email", "x@y.example", "--name", "Xavier", "--password", "short",
                 "--role", "member", "--org", "Org Name", ok=False)
    assert result.exit_code != 0
    assert "at least" in result.output


def test_users_token_prints_a_token_that_works_on_the_api(app, cli, client, world):
    result = cli("users", "token", "--email", "supplier@example.com")
    token = result.output.strip().splitlines()[-1]
    assert token and " " not in token
    with app.app_context():
        assert db.session.scalar(select(func.count(ApiToken.id)).where(
            ApiToken.user_id == world.ids["supplier"])) == 1
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    me = response.get_json()
    assert me["id"] == world.ids["supplier"]
    assert me["role"] == "supplier"
    assert me["organisation"]["name"] == "Textiles Ltd"
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_users_token_for_an_unknown_email(cli):
    result = cli("users", "token", "--email", "nobody@example.com", ok=False)
    assert result.exit_code != 0
    assert "No user" in result.output


# --- topics -----------------------------------------------------------------------------
def test_topics_moderator_assigns_once(app, cli, world):
    result = cli("topics", "moderator", "--topic", "members-lounge", "--email", "member2@example.com")
    assert "moderates" in result.output
    cli("topics", "moderator", "--topic", "members-lounge", "--email", "member2@example.com")
    with app.app_context():
        rows = db.session.scalars(select(TopicModerator).where(
            TopicModerator.topic_id == world.topic_ids["members-lounge"])).all()
        assert [r.user_id for r in rows] == [world.ids["member2"]]


@pytest.mark.parametrize("args, message", [
    (["--topic", "no-such-topic", "--email", "member@example.com"], "No topic"),
    (["--topic", "grievance", "--email", "nobody@example.com"], "No user"),
])
def test_topics_moderator_errors(cli, world, args, message):
    result = cli("topics", "moderator", *args, ok=False)
    assert result.exit_code != 0
    assert message in result.output


# --- seed-demo ----------------------------------------------------------------------------
def _counts() -> dict[str, int]:
    models = [Organisation, User, Topic, TopicModerator, Thread, Post, ApiToken, LiveSession, RoomEvent,
              Notification, ModerationAction]
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


def test_seed_demo_is_idempotent_and_prints_the_logins(app, cli):
    first = cli("seed-demo")
    with app.app_context():
        after_first = _counts()
    second = cli("seed-demo")
    with app.app_context():
        assert _counts() == after_first
    assert after_first["Thread"] >= 20 and after_first["Post"] >= 60
    with app.app_context():  # the demo's history sends no email
        from community.models import OutboxEmail

        assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0
    for output in (first.output, second.output):
        assert "roundtable-demo" in output
        for email in ("admin@roundtable.example", "moderator@roundtable.example", "sofia@northwind.example",
                      "ravi@shakti.example", "arjun@shakti.example"):
            assert email in output
        for role in ("admin", "moderator", "member", "supplier", "pending"):
            assert f"  {role} " in output


def test_seed_demo_content(app, cli):
    from community.actions.accounts import authenticate
    from community.demo import PASSWORD, PENDING, PEOPLE
    from community.errors import Forbidden

    cli("seed-demo")
    with app.app_context():
        topics = {t.slug: t for t in db.session.scalars(select(Topic))}
        assert set(THEMES + HUBS) <= set(topics)
        assert {topics[s].kind for s in THEMES} == {"theme"} and {topics[s].kind for s in HUBS} == {"hub"}
        # Settings that vary; every topic is open to everyone.
        assert topics["grievance-mechanisms"].allow_anonymous
        assert topics["working-conditions"].slow_mode_seconds == 30
        assert (topics["forced-labour"].moderation, topics["forced-labour"].hold_first_n) == ("first_n", 2)
        assert {t.visibility for t in topics.values()} == {"everyone"}
        # Several threads per theme, at least one per hub.
        for slug in THEMES:
            assert len(db.session.scalars(select(Thread).where(Thread.topic_id == topics[slug].id)).all()) >= 3
        for slug in HUBS:
            assert db.session.scalars(select(Thread).where(Thread.topic_id == topics[slug].id)).first()

        threads = db.session.scalars(select(Thread)).all()
        kinds = {t.kind for t in threads}
        assert {"question", "discussion", "announcement"} <= kinds
        assert any(t.pinned and t.kind == "announcement" for t in threads)
        assert sum(1 for t in threads if t.accepted_post_id) >= 5
        anonymous = [t for t in threads if t.anonymous]
        assert anonymous and all(t.topic.slug == "grievance-mechanisms" for t in anonymous)
        assert any(t.kind == "question" for t in anonymous)
        # Rendered like real posts, threaded replies, counts kept by the actions.
        posts = db.session.scalars(select(Post)).all()
        assert all(p.html.startswith("<") for p in posts)
        assert any(p.reply_to_id for p in posts)
        for thread in threads:
            visible_replies = sum(1 for p in posts if p.thread_id == thread.id and p.state == "visible"
                                  and not p.is_opening)
            assert thread.reply_count == visible_replies
        # The newcomer's first post in the "hold first 2" theme waits for review.
        held = [p for p in posts if p.state == "held"]
        assert held and all(p.thread.topic.slug == "forced-labour" for p in held)

        moderator = db.session.scalar(select(User).where(User.email == "moderator@roundtable.example"))
        assert len(db.session.scalars(select(TopicModerator).where(
            TopicModerator.user_id == moderator.id)).all()) >= 2
        assert db.session.scalar(select(func.count(LiveSession.id))) >= 1

        # Every role signs in with the demo password; the pending one is told to wait.
        roles = set()
        for person in PEOPLE.values():
            roles.add(authenticate(person.email, PASSWORD).role)
        assert roles == {"admin", "member", "supplier"}
        with pytest.raises(Forbidden):
            authenticate(PENDING.email, PASSWORD)


def test_search_reindex_rebuilds_a_lost_index(app, cli):
    from community import search
    from community.models import Post

    cli("seed-demo")
    with app.app_context():
        visible = db.session.scalar(select(func.count()).select_from(Post).where(Post.state == "visible"))
        post_id = db.session.scalar(select(Post.id).where(Post.state == "visible").limit(1))
        search.clear_index()
        db.session.commit()
        assert search.indexed(post_id) is None
    result = cli("search-reindex")
    assert result.output.strip() == f"Indexed {visible} posts."
    with app.app_context():
        assert search.indexed(post_id) is not None
