"""The rate-limit service: counts per name and key, answers with a retry time, tiers."""
from __future__ import annotations

import pytest

from community import ratelimit
from community.errors import RateLimited


@pytest.fixture
def limited(app):
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                      RATE_LIMITS={"thing": "3/minute", "thing:newcomer": "1/minute"})
    with app.test_request_context():
        ratelimit.clear_all()
        yield
        ratelimit.clear_all()


def test_a_key_over_its_limit_is_refused_with_a_retry_time(limited):
    for _ in range(3):
        ratelimit.hit("thing", "alice")
    with pytest.raises(RateLimited) as caught:
        ratelimit.hit("thing", "alice")
    assert 1 <= caught.value.retry_after <= 60
    assert caught.value.as_dict()["error"]["retry_after"] == caught.value.retry_after
    ratelimit.hit("thing", "bob")  # another key has its own count


def test_a_tier_has_its_own_stricter_rule(limited):
    ratelimit.hit("thing", "carol", tier="newcomer")
    with pytest.raises(RateLimited):
        ratelimit.hit("thing", "carol", tier="newcomer")


def test_reset_forgets_the_attempts(limited):
    for _ in range(3):
        ratelimit.hit("thing", "dan")
    ratelimit.reset("thing", "dan")
    ratelimit.hit("thing", "dan")


def test_off_or_unconfigured_counts_nothing(app):
    with app.test_request_context():
        app.config["RATELIMIT_ENABLED"] = False
        for _ in range(10):
            ratelimit.hit("thing", "erin", rule="1/minute")
        app.config["RATELIMIT_ENABLED"] = True
        for _ in range(10):
            ratelimit.hit("unconfigured", "erin")


def test_http_answers_429_with_retry_after(app):
    with app.test_request_context("/api/v1/anything"):
        response = app.make_response(app.handle_user_exception(RateLimited("slow down", retry_after=7)))
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.get_json()["error"] == {"code": "rate_limited", "message": "slow down", "retry_after": 7}


def test_the_operators_tools_are_exempt(limited):
    with ratelimit.exempt():
        for _ in range(10):
            ratelimit.hit("thing", "frank")
    ratelimit.hit("thing", "frank")  # nothing was counted inside


def test_counts_are_kept_apart_per_deployment_channel(app, limited):
    for _ in range(3):
        ratelimit.hit("thing", "gina")
    app.config["SOCKETIO_CHANNEL"] = "another-site"
    ratelimit.hit("thing", "gina")
