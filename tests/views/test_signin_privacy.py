"""Signing in and registering reveal nothing about who has an account, and every account
limit (sign-in per account and per address, registration, reset requests) answers 429 with
Retry-After and a form that keeps what was typed, counted in one store for all workers."""
from __future__ import annotations

import statistics
import time
import uuid

import pytest
from sqlalchemy import select

from community import ratelimit
from community.actions import accounts
from community.extensions import db
from community.models import Notification, OutboxEmail, User
from tests.conftest import PASSWORD, require_service

REGISTRATION = {"name": "Ana Pérez", "email": "ana@newsupplier.example", "password": "long-enough-pass",
                "confirm": "long-enough-pass", "organisation": "New Supplier SA", "org_kind": "supplier",
                "country": "MX"}


def text(response) -> str:
    return response.get_data(as_text=True)


def post_login(client, email: str, password: str = "not-the-password", address: str = "203.0.113.9"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def limits(app):
    """Rate limiting on, with small limits, counted in memory (cleared before and after)."""

    def _set(**rules):
        app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                          RATE_LIMITS={**app.config["RATE_LIMITS"], **rules})
        with app.test_request_context():
            ratelimit.clear_all()

    yield _set
    with app.test_request_context():
        ratelimit.clear_all()


# --- same work, same answer -------------------------------------------------------------------------
def test_unknown_email_and_wrong_password_get_the_same_answer_and_the_same_work(app, client, world, monkeypatch):
    dummy, real = [], []
    monkeypatch.setattr(accounts, "burn_dummy_verify", lambda password: dummy.append(password))
    original = accounts.verify_password
    monkeypatch.setattr(accounts, "verify_password", lambda stored, pw: real.append(pw) or original(stored, pw))
    unknown = post_login(client, "nobody@example.com", "guess-one-two")
    wrong = post_login(client, "member@example.com", "guess-one-two")
    assert unknown.status_code == wrong.status_code == 400
    assert "That email and password do not match an account." in text(unknown)
    assert text(unknown).replace("nobody@example.com", "X") == text(wrong).replace("member@example.com", "X")
    assert dummy == ["guess-one-two"] and real == ["guess-one-two"]  # one hash check each


def test_sign_in_timing_does_not_tell_known_from_unknown_emails(app, world):
    """Medians of many interleaved samples, compared as a ratio with a generous bound: a missing
    dummy hash makes unknown emails ~10x faster at this cost, noise on a busy machine is far less."""
    app.config.update(PASSWORD_HASH_TIME_COST=2, PASSWORD_HASH_MEMORY_KIB=16384)  # ~20-30 ms a check
    with app.app_context():  # the account's hash made at this cost, as every hash is after its rehash
        db.session.get(User, world.ids["member"]).set_password(PASSWORD)
        db.session.commit()
    client = app.test_client()
    post_login(client, "member@example.com")  # the dummy hash for this cost is made once
    post_login(client, "nobody@example.com")
    known, unknown = [], []
    for i in range(15):
        for email, samples in (("member@example.com", known), (f"nobody{i}@example.com", unknown)):
            start = time.perf_counter()
            assert post_login(client, email).status_code == 400
            samples.append(time.perf_counter() - start)
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.5 < ratio < 2.0, (ratio, statistics.median(known), statistics.median(unknown))


def test_a_legacy_hash_is_replaced_at_sign_in(app, world):
    from werkzeug.security import generate_password_hash

    with app.app_context():
        user = db.session.get(User, world.ids["member"])
        user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        db.session.commit()
    assert post_login(app.test_client(), "member@example.com", PASSWORD).status_code == 302
    with app.app_context():
        assert db.session.get(User, world.ids["member"]).password_hash.startswith("$argon2id$")
    assert post_login(app.test_client(), "member@example.com", PASSWORD).status_code == 302


# --- registration ---------------------------------------------------------------------------------
def test_registering_a_taken_email_answers_like_any_registration_and_tells_the_owner(app, client, world):
    new = client.post("/register", data=REGISTRATION)
    # Another name: the first registration's name is taken now, and names may not repeat (#11).
    taken = client.post("/register", data={**REGISTRATION, "name": "Bea Ruiz", "email": "member@example.com"})
    assert new.status_code == taken.status_code == 302
    assert new.headers["Location"] == taken.headers["Location"] == "/register/thanks"
    assert "Check your email" in text(client.get("/register/thanks"))
    with app.app_context():
        assert db.session.scalar(select(db.func.count(User.id)).where(User.email == "member@example.com")) == 1
        owner_mail = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == "member@example.com")).one()
        assert "already has an account" in owner_mail.body_text and "/password/forgot" in owner_mail.body_text
        applicant_mail = db.session.scalars(select(OutboxEmail).where(
            OutboxEmail.to_address == REGISTRATION["email"])).one()
        assert "We received your registration" in applicant_mail.subject


# --- limits -----------------------------------------------------------------------------------------
def test_sign_in_failures_are_limited_per_account_whatever_the_address(app, client, world, limits):
    limits(login_account="3/minute", login_address="100/minute")
    for i in range(3):
        assert post_login(client, "member@example.com", address=f"198.51.100.{i}").status_code == 400
    limited = post_login(client, "member@example.com", PASSWORD, address="198.51.100.77")
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    page = text(limited)
    assert "Too many attempts" in page and 'value="member@example.com"' in page and 'name="password"' in page
    assert post_login(client, "member2@example.com", PASSWORD).status_code == 302  # other accounts are fine


def test_sign_in_failures_are_limited_per_address_across_accounts(app, client, world, limits):
    limits(login_account="100/minute", login_address="5/minute")
    answers = [post_login(client, f"person{i}@example.com").status_code for i in range(40)]
    assert answers[:5] == [400] * 5 and set(answers[5:]) == {429}
    # Another address is not slowed by this one; successful sign-ins are not counted.
    assert post_login(client, "member@example.com", PASSWORD, address="192.0.2.50").status_code == 302


def test_registration_is_limited_and_keeps_what_was_typed(app, client, world, limits):
    limits(register_address="2/hour")
    for i in range(2):
        client.post("/register", data={**REGISTRATION, "email": f"ana{i}@newsupplier.example"})
    limited = client.post("/register", data={**REGISTRATION, "email": "ana9@newsupplier.example"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    page = text(limited)
    for value in ("Ana Pérez", "ana9@newsupplier.example", "New Supplier SA", "MX"):
        assert value in page
    assert "long-enough-pass" not in page


def test_reset_requests_are_limited_per_address_and_per_email(app, client, world, limits):
    limits(reset_address="100/hour", reset_email="2/hour")
    for _ in range(2):
        assert client.post("/password/forgot", data={"email": "member@example.com"}).status_code == 302
    limited = client.post("/password/forgot", data={"email": "member@example.com"})
    assert limited.status_code == 429 and 'value="member@example.com"' in text(limited)
    assert "Retry-After" in limited.headers
    limits(reset_address="1/hour", reset_email="100/hour")
    assert client.post("/password/forgot", data={"email": "a@example.com"}).status_code == 302
    assert client.post("/password/forgot", data={"email": "b@example.com"}).status_code == 429


def test_limits_are_counted_in_redis_for_every_worker(app, world):
    """Another worker (another connection to the same store) sees the same counts."""
    import redis
    from limits import parse
    from limits.storage import storage_from_string
    from limits.strategies import MovingWindowRateLimiter

    url = "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        available = True
    except redis.exceptions.RedisError:
        available = False
    require_service("Redis", available, f"nothing answers at {url}")
    email = f"victim-{uuid.uuid4().hex[:8]}@example.com"
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=url,
                      RATE_LIMITS={**app.config["RATE_LIMITS"], "login_account": "3/minute"})
    client = app.test_client()
    for _ in range(3):
        assert post_login(client, email).status_code == 400
    other_worker = MovingWindowRateLimiter(storage_from_string(url))
    key = f"{app.config['SOCKETIO_CHANNEL']}|login_account|{email}"
    assert other_worker.test(parse("3/minute"), "rt", key) is False
    assert post_login(client, email).status_code == 429
    other_worker.clear(parse("3/minute"), "rt", key)
    assert post_login(client, email).status_code == 400


def test_the_cluster_counts_limits_in_redis():
    from deploy.cluster import Cluster

    shape = Cluster.__new__(Cluster)
    shape.redis_url, shape.database_url, shape.channel = "redis://127.0.0.1:6379/0", "postgresql://x/y", "c"
    shape.max_connections, shape.extra_env = 100, {}
    shape.dir = None
    shape.secret_key = lambda: "k" * 32
    assert Cluster.environment(shape, port=5101)["RATELIMIT_STORAGE_URI"].startswith("redis://")


# --- administrators hear of registrations --------------------------------------------------------
def test_administrators_are_notified_and_emailed_of_each_registration(app, client, world):
    client.post("/register", data=REGISTRATION)
    with app.app_context():
        (note,) = db.session.scalars(select(Notification).where(Notification.user_id == world.ids["admin"])).all()
        assert note.kind == "registration" and "Ana Pérez" in note.text and "New Supplier SA" in note.text
        assert note.url == "/admin#pending"
        (mail,) = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == "admin@example.com")).all()
        assert mail.subject == "New registration: Ana Pérez" and "ana@newsupplier.example" in mail.body_text
        # Nobody else is told (moderators, members).
        assert db.session.scalar(select(db.func.count(Notification.id))) == 1
