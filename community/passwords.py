"""Passwords: hashing (argon2id), verification with transparent rehash, and strength.

Hash: argon2id through argon2-cffi, with the cost in PASSWORD_HASH_TIME_COST /
PASSWORD_HASH_MEMORY_KIB / PASSWORD_HASH_PARALLELISM. The encoded hash carries its own
parameters, so a stored hash made with older settings (or an older algorithm: Werkzeug's
scrypt and pbkdf2 hashes of earlier releases) is recognised at sign-in and replaced by a
fresh one (`verify_password` says so; actions.accounts.authenticate rehashes).

Hashing is deliberately slow (~0.1 s of CPU). Under eventlet every user of a process
shares one thread, so the work runs in a real OS thread (eventlet.tpool) while the hub
keeps serving; argon2-cffi releases the GIL while it computes. At most
PASSWORD_HASH_CONCURRENCY hashes run at once per process, which bounds CPU and memory
(each hash holds PASSWORD_HASH_MEMORY_KIB). Elsewhere (threading, the CLI) it runs inline.

`burn_dummy_verify` does the same work against a hash of nothing, for sign-ins with an
unknown email: they take as long as a wrong password, so timing tells nobody who has an
account.

Strength: zxcvbn (a maintained port of Dropbox's estimator). A password must reach
PASSWORD_MIN_SCORE (0-4, default 3) with the person's own name and email counted as known
words; `strength_problem` says, in the reader's language, what is wrong.
"""
from __future__ import annotations

import re
import secrets
import threading
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash
from zxcvbn import zxcvbn

from .extensions import socketio

MIN_LENGTH = 10
MAX_LENGTH = 200
# zxcvbn's matching grows quickly with length; what follows the first 72 characters can
# only make a password stronger, so it is not needed for the verdict.
STRENGTH_CHARS = 72

_slots_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


# --- hashing --------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism,
                          type=Type.ID)


def _current_hasher() -> PasswordHasher:
    config = current_app.config
    return _hasher(int(config["PASSWORD_HASH_TIME_COST"]), int(config["PASSWORD_HASH_MEMORY_KIB"]),
                   int(config["PASSWORD_HASH_PARALLELISM"]))


def _slot() -> threading.BoundedSemaphore:
    """The per-process bound on hashes running at once (a green semaphore under eventlet)."""
    size = max(1, int(current_app.config.get("PASSWORD_HASH_CONCURRENCY", 2)))
    with _slots_lock:
        if size not in _slots:
            _slots[size] = threading.BoundedSemaphore(size)
        return _slots[size]


# How to run fn(*args) in a real OS thread, parking only the calling greenlet: wsgi.py, the only
# module that imports eventlet, hands in eventlet.tpool.execute (None: run in place).
_thread_pool = None


def use_thread_pool(execute) -> None:
    global _thread_pool
    _thread_pool = execute


def _off_the_hub(fn, *args):
    """Run CPU-heavy `fn(*args)` without stalling the eventlet hub (bounded per process)."""
    with _slot():
        if (_thread_pool is not None and socketio.async_mode == "eventlet"
                and current_app.config.get("PASSWORD_HASH_OFFLOAD", True)):
            return _thread_pool(fn, *args)
        return fn(*args)


def hash_password(password: str) -> str:
    return _off_the_hub(_current_hasher().hash, password)


def _verify(hasher: PasswordHasher, stored: str, password: str) -> tuple[bool, bool]:
    if stored.startswith("$argon2"):
        try:
            hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False, False
        return True, hasher.check_needs_rehash(stored)
    # A Werkzeug hash (scrypt or pbkdf2) from before argon2: right or wrong, it is replaced on success.
    try:
        matches = check_password_hash(stored, password)
        return matches, matches
    except (ValueError, TypeError):
        return False, False


def verify_password(stored: str | None, password: str) -> tuple[bool, bool]:
    """(matches, needs_rehash) for a stored hash. An empty hash matches nothing, after the
    same work as a real one."""
    if not stored:
        burn_dummy_verify(password)
        return False, False
    return _off_the_hub(_verify, _current_hasher(), stored, password)


def burn_dummy_verify(password: str) -> None:
    """Verify `password` against a hash of a random secret: as slow as a real check, never true."""
    _off_the_hub(_verify_dummy, _current_hasher(), password)


def _verify_dummy(hasher: PasswordHasher, password: str) -> None:
    _verify(hasher, _dummy_hash(hasher), password)


@lru_cache(maxsize=8)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def warm_up(app) -> None:
    """Make the dummy hash before serving (one hash of CPU, outside any request)."""
    with app.app_context():
        _dummy_hash(_current_hasher())


# --- strength -------------------------------------------------------------------------
# zxcvbn's warnings, said in the reader's language (its own texts are English only).
def _warning_text(warning: str) -> str | None:
    warning = warning.lower()
    if "common password" in warning or "top-" in warning or "top 10" in warning or "top 100" in warning:
        return _("It is one of the most common passwords.")
    if "repeat" in warning:
        return _("It repeats characters or words that are easy to guess.")
    if "sequence" in warning or "keyboard" in warning or "key pattern" in warning or "rows of keys" in warning:
        return _("It follows a sequence or a keyboard pattern.")
    if "date" in warning or "year" in warning:
        return _("It contains a date or a year, which are easy to guess.")
    if "name" in warning or "word" in warning:
        return _("It is built from a common word or name.")
    return None


def strength_problem(password: str, user_inputs: list[str] | tuple[str, ...] = ()) -> str | None:
    """None when `password` is good enough, else a clear message saying what to change."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        return _("The password must be at least %(min)s characters.", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("The password is too long (%(max)s characters at most).", max=MAX_LENGTH)
    inputs = [part for value in user_inputs if value for part in _words_of(str(value))]
    result = zxcvbn(password[:STRENGTH_CHARS], user_inputs=inputs)
    if result["score"] >= int(current_app.config.get("PASSWORD_MIN_SCORE", 3)):
        return None
    if any(m.get("dictionary_name") == "user_inputs" for m in result.get("sequence", [])):
        why = _("It contains your name, your email or your organisation.")
    else:
        why = _warning_text(result.get("feedback", {}).get("warning") or "")
    advice = _("This password is too easy to guess. Use a longer passphrase: three or four unrelated "
               "words, or add words that are not in a dictionary.")
    return f"{advice} {why}" if why else advice


def _words_of(value: str) -> list[str]:
    """An email or a name as zxcvbn's known words: the whole, and its parts."""
    parts = [p for p in re.split(r"[\s@._+-]+", value.lower()) if len(p) >= 3]
    return [value.lower(), *parts]
