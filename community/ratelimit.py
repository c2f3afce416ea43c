"""Rate limits: one service for every path (pages, forms, API, sockets, CLI-free).

A limit has a name ("post", "login_address", ...) and a rule string in the `limits`
library's notation ("20/minute;200/hour"), looked up in the RATE_LIMITS setting,
so the same limit holds whichever face the request came through. Counts live in
RATELIMIT_STORAGE_URI: memory:// for one process, redis://... when several
workers must share them (the cluster). A refused hit raises RateLimited with
`retry_after` (whole seconds), which pages, the API (429 + Retry-After) and
socket acks all show.

Actions call `hit()` (one place for every face); `tier_for(user)` picks the stricter
rules of newcomers and the roles' own rules. The limits of write paths, with their
defaults, are config.DEFAULT_RATE_LIMITS: post, thread, edit, flag, live_question,
vote, chat, and, for the issues that bring them, reaction and upload (call
`hit("reaction", user.id, tier=tier_for(user))` in the action, as the others do).
`allow()` counts without raising, for limits that quietly skip something (a mention
email over its hourly cap is not sent; the notification still is).
"""
from __future__ import annotations

import math
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from .errors import RateLimited
from .models.base import utcnow

_lock = threading.Lock()
_limiters: dict[str, MovingWindowRateLimiter] = {}
_exempt: ContextVar[bool] = ContextVar("ratelimit_exempt", default=False)


@contextmanager
def exempt():
    """Count nothing inside: the operator's own tools (the CLI, the demo seed) are not limited."""
    token = _exempt.set(True)
    try:
        yield
    finally:
        _exempt.reset(token)


def _limiter() -> MovingWindowRateLimiter:
    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    limiter = _limiters.get(uri)
    if limiter is None:
        with _lock:
            limiter = _limiters.get(uri)
            if limiter is None:
                limiter = _limiters[uri] = MovingWindowRateLimiter(storage_from_string(uri))
    return limiter


def rule_for(name: str, tier: str | None = None) -> str | None:
    """The rule of limit `name`, for `tier` ("newcomer", "supplier", ...) when one is set."""
    rules = current_app.config.get("RATE_LIMITS") or {}
    if tier and f"{name}:{tier}" in rules:
        return rules[f"{name}:{tier}"]
    return rules.get(name)


def tier_for(user) -> str | None:
    """Whose rules apply to `user`: "newcomer" for an account younger than
    RATE_LIMIT_NEWCOMER_DAYS (administrators excepted), else the role ("admin",
    "member", "supplier"). A rule "name:tier" wins over "name" when it is set."""
    if user is None:
        return None
    if user.role != "admin" and user.created_at is not None:

        days = current_app.config.get("RATE_LIMIT_NEWCOMER_DAYS", 0)
        if days and user.created_at > utcnow() - timedelta(days=days):
            return "newcomer"
    return user.role


def allow(name: str, key: str | int, *, tier: str | None = None, rule: str | None = None) -> bool:
    """Count one attempt like hit(), answering False instead of raising when it is over."""
    try:
        hit(name, key, tier=tier, rule=rule)
    except RateLimited:
        return False
    return True


def hit(name: str, key: str | int, *, tier: str | None = None, rule: str | None = None,
        message: str | None = None) -> None:
    """Count one attempt of `key` against limit `name`; raise RateLimited when it is over.

    `rule` overrides the configured rule (for limits whose rule lives in its own setting).
    Nothing is counted when rate limiting is off (RATELIMIT_ENABLED=False, as in tests that
    do not test limits) or the limit has no rule.
    """
    _count(name, key, tier, rule, message, counting=True)


def check(name: str, key: str | int, *, tier: str | None = None, rule: str | None = None,
          message: str | None = None) -> None:
    """Raise RateLimited if limit `name` is already used up for `key`, without counting anything.

    For limits that count failures only (sign-in): check before trying, hit after a failure.
    """
    _count(name, key, tier, rule, message, counting=False)


def _count(name, key, tier, rule, message, *, counting: bool) -> None:
    if not current_app.config.get("RATELIMIT_ENABLED", True) or _exempt.get():
        return
    rule = rule or rule_for(name, tier)
    if not rule:
        return
    limiter = _limiter()
    identity = _identity(name, key)
    for item in parse_many(rule):
        allowed = limiter.hit(item, "rt", identity) if counting else limiter.test(item, "rt", identity)
        if not allowed:
            stats = limiter.get_window_stats(item, "rt", identity)
            retry_after = max(1, math.ceil(stats.reset_time - time.time()))
            raise RateLimited(message or too_many_message(retry_after, name), retry_after=retry_after)


def _identity(name: str, key: str | int) -> str:
    # The deployment's channel keeps sites (and test clusters) sharing one Redis apart.
    return f"{current_app.config.get('SOCKETIO_CHANNEL', 'roundtable')}|{name}|{key}"


def too_many_message(retry_after: int, name: str = "") -> str:
    """What the person over limit `name` is told: when they can go on, and that nothing is lost."""
    if name in ("post", "thread"):
        return _("You are posting faster than this site allows. You can send this in %(seconds)d s; "
                 "your text is kept.", seconds=retry_after)
    if name == "edit":
        return _("You are editing faster than this site allows. You can save this in %(seconds)d s; "
                 "your changes are kept.", seconds=retry_after)
    if name == "chat":
        return _("You are sending messages too fast. You can send this in %(seconds)d s; your text is kept.",
                 seconds=retry_after)
    if name == "live_question":
        return _("You are sending questions too fast. You can send this in %(seconds)d s; your text is kept.",
                 seconds=retry_after)
    if name == "flag":
        return _("You have reported many posts in a short time. You can report again in %(seconds)d s.",
                 seconds=retry_after)
    if name == "vote":
        return _("You are voting too fast. You can vote again in %(seconds)d s.", seconds=retry_after)
    return _("Too many attempts. You can try again in %(seconds)d s. Nothing you typed was lost.",
             seconds=retry_after)


def reset(name: str, key: str | int) -> None:
    """Forget the attempts of `key` (a successful sign-in clears its failures, tests)."""
    rule = rule_for(name)
    if not rule:
        return
    limiter = _limiter()
    for item in parse_many(rule):
        limiter.clear(item, "rt", _identity(name, key))


def clear_all() -> None:
    """Drop every count held in memory (tests)."""
    for limiter in _limiters.values():
        limiter.storage.reset()
