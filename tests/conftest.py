"""Fixtures: the app on a fresh database, named personas, clients and sockets.

The suite runs on SQLite by default; with TEST_DATABASE_URL=postgresql://...
it runs on PostgreSQL (tables truncated between tests).
"""
from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

import pytest

os.environ.setdefault("SOCKETIO_ASYNC_MODE", "threading")
warnings.filterwarnings("ignore", category=DeprecationWarning)

from community import create_app  # noqa: E402
from community.extensions import db, socketio  # noqa: E402
from community.models import Organisation, Topic, TopicModerator, User  # noqa: E402
from config import TestingConfig  # noqa: E402

PASSWORD = "correct-horse-battery"
IN_CI = os.environ.get("CI", "").lower() == "true"


def mark_tests_below(items, folder: Path, marker) -> None:
    """Give every collected test in `folder` (a conftest's own folder) the `marker`."""
    for item in items:
        if folder in Path(str(item.fspath)).resolve().parents:
            item.add_marker(marker)


def require_service(name: str, available: bool, why: str) -> None:
    """Outside CI a missing service skips with a clear message; under CI=true it fails."""
    if available:
        return
    message = f"{name} is not available: {why}"
    if IN_CI:
        pytest.fail(message + " (CI=true: this test must run)")
    pytest.skip(message + " (set CI=true to make this a failure)")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """SQLite in a temporary directory, or a PostgreSQL database of this run's own.

    With TEST_DATABASE_URL=postgresql://.../test the run creates `test_rt_<worker>` on that
    server (dropping what an earlier, interrupted run left) and drops it at the end: the
    tables are always those of the current models, whatever the named database holds.
    """
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
        return
    from deploy.cluster import create_database, drop_database

    # One database per checkout (and per xdist worker): two checkouts testing at once on one
    # server (git worktrees) must not drop each other's tables.
    checkout = "".join(c if c.isalnum() else "_" for c in Path(__file__).resolve().parents[1].name.lower())
    worker = os.environ.get("PYTEST_XDIST_WORKER") or checkout or "main"
    base, _, name = url.rpartition("/")
    own_url = f"{base}/{name}_rt_{worker}"
    drop_database(own_url)
    create_database(own_url)
    yield own_url
    drop_database(own_url)


@pytest.fixture(scope="session")
def _app(database_url):
    """One app for the whole run: building an app costs ~0.15 s (URL rules), a test ~0.1 s."""

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        _empty_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _empty_tables() -> None:
    """Delete every row and restart ids, so each test starts from an empty database.

    DELETE, not TRUNCATE, on PostgreSQL too: TRUNCATE of the ~35 tables gives each a new file
    (~250 ms a test, most of the PostgreSQL pass); deleting the few rows a test wrote takes a
    few milliseconds."""
    from community.search import clear_index

    clear_index()  # the search index is no model table
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        db.session.execute(db.text("SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S'"))
    else:
        db.session.execute(db.text("DELETE FROM sqlite_sequence"))
    db.session.commit()


def _let_due_updates_go_out(timeout: float = 5.0) -> None:
    """Coalesced updates still due (presence of big rooms, vote counts) would reach the next
    test's room of the same name, ids restarting with every test: let them go out first."""
    from community import events
    from community.realtime import presence

    deadline = time.monotonic() + timeout
    waited = False
    while (presence._presence_pending or events._coalesce) and time.monotonic() < deadline:
        waited = True
        time.sleep(0.02)
    if waited:
        time.sleep(0.1)  # the emit follows right after the update stops being pending


@pytest.fixture
def rate_limits(app):
    """Rate limits on (the suite runs with them off), counted in memory from zero.

    Yields the rules (config RATE_LIMITS), which a test may change for itself."""
    from community import ratelimit

    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                      RATE_LIMITS=dict(app.config["RATE_LIMITS"]))
    ratelimit.clear_all()
    yield app.config["RATE_LIMITS"]
    ratelimit.clear_all()


@pytest.fixture
def app(_app):
    """The shared app on an empty database; config changes made by a test are undone after it."""
    saved = dict(_app.config)
    _app.extensions.pop("rt_connections", None)  # socket counts restart with the ids
    yield _app
    _let_due_updates_go_out()
    _app.config.clear()
    _app.config.update(saved)
    with _app.app_context():
        db.session.remove()
        _empty_tables()
        db.session.remove()


@pytest.fixture
def act(app):
    """act(fn, *args) runs fn in its own app context (a fresh session), as a request would."""

    def _act(fn, *args, **kwargs):
        with app.app_context():
            return fn(*args, **kwargs)

    return _act


@pytest.fixture
def client(app):
    return app.test_client()


class World:
    """Named personas and topics, reloaded fresh in every app context by id."""

    def __init__(self, app):
        self.app = app
        self.ids: dict[str, int] = {}
        self.topic_ids: dict[str, int] = {}

    def user(self, name: str) -> User:
        return db.session.get(User, self.ids[name])

    def topic(self, slug: str) -> Topic:
        return db.session.get(Topic, self.topic_ids[slug])


def make_user(name, role, org, state="active", email=None) -> User:
    from community.actions.accounts import unique_handle

    user = User(email=email or f"{name}@example.com", name=name.title(), handle=unique_handle(name),
                role=role, state=state, organisation=org)
    user.set_password(PASSWORD)
    db.session.add(user)
    return user


@pytest.fixture
def world(app) -> World:
    """admin, member, member2, moderator (of `grievance`), supplier, supplier2 (other org),
    pending, suspended; topics: grievance (open, anonymous allowed), members-lounge (members
    only), textiles-circle (only the supplier's organisation), announcements (members start)."""
    w = World(app)
    with app.app_context():
        brand = Organisation(name="Brand Co", kind="member", country="NL")
        brand2 = Organisation(name="Other Brand", kind="member", country="US")
        textiles = Organisation(name="Textiles Ltd", kind="supplier", country="IN")
        rubber = Organisation(name="Rubber Works", kind="supplier", country="MY")
        secretariat = Organisation(name="Consortium Secretariat", kind="member", country="GB")
        db.session.add_all([brand, brand2, textiles, rubber, secretariat])
        people = {
            "admin": make_user("admin", "admin", secretariat),
            "member": make_user("member", "member", brand),
            "member2": make_user("member2", "member", brand2),
            "moderator": make_user("moderator", "member", brand),
            "supplier": make_user("supplier", "supplier", textiles),
            "supplier2": make_user("supplier2", "supplier", rubber),
            "pending": make_user("pending", "supplier", textiles, state="pending"),
            "suspended": make_user("suspended", "supplier", rubber, state="suspended"),
        }
        topics = {
            "grievance": Topic(slug="grievance", name="Grievance mechanisms", kind="theme",
                               allow_anonymous=True),
            "members-lounge": Topic(slug="members-lounge", name="Members lounge", kind="theme",
                                    visibility="members"),
            "textiles-circle": Topic(slug="textiles-circle", name="Textiles circle", kind="hub",
                                     visibility="organisations", organisations=[textiles]),
            "announcements": Topic(slug="announcements", name="Announcements", kind="theme",
                                   who_can_start="members"),
        }
        db.session.add_all(topics.values())
        db.session.flush()
        db.session.add(TopicModerator(topic_id=topics["grievance"].id, user_id=people["moderator"].id))
        db.session.commit()
        w.ids = {k: u.id for k, u in people.items()}
        w.topic_ids = {k: t.id for k, t in topics.items()}
    return w


def login(client, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password}, follow_redirects=False)


@pytest.fixture
def login_as(app, world):
    """login_as("supplier") -> a test client signed in as that persona."""

    def _login(name: str):
        c = app.test_client()
        response = login(c, f"{name}@example.com")
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return c

    return _login


@pytest.fixture
def token_for(app, world):
    """token_for("supplier") -> headers with a bearer token for that persona."""
    from community.actions.accounts import issue_token

    def _token(name: str) -> dict:
        with app.app_context():
            secret = issue_token(world.user(name), "test")
        return {"Authorization": f"Bearer {secret}"}

    return _token


@pytest.fixture
def socket_for(app, world, login_as):
    """socket_for("supplier") -> a Socket.IO test client authenticated by the session cookie."""
    made = []

    def _socket(name: str):
        http = login_as(name)
        sock = socketio.test_client(app, flask_test_client=http)
        made.append(sock)
        return sock

    yield _socket
    for sock in made:
        if sock.is_connected():
            sock.disconnect()
