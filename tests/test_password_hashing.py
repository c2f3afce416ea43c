"""community/passwords.py: argon2id hashes that upgrade themselves, a dummy check that costs the
same as a real one, and the strength estimate (zxcvbn) with messages that say what to change."""
from __future__ import annotations

from werkzeug.security import generate_password_hash

from community import passwords


def test_hashes_are_argon2id_with_the_configured_cost_and_verify(app):
    with app.app_context():
        stored = passwords.hash_password("a sturdy pass phrase")
        assert stored.startswith("$argon2id$v=19$m=8,t=1,p=1$")
        assert passwords.verify_password(stored, "a sturdy pass phrase") == (True, False)
        assert passwords.verify_password(stored, "a sturdy pass phrasE") == (False, False)
        assert passwords.verify_password("", "anything") == (False, False)
        assert passwords.verify_password("not a hash", "anything") == (False, False)


def test_a_hash_made_with_other_settings_or_another_algorithm_asks_to_be_replaced(app):
    with app.app_context():
        old = passwords.hash_password("a sturdy pass phrase")
        app.config["PASSWORD_HASH_TIME_COST"] = 2
        assert passwords.verify_password(old, "a sturdy pass phrase") == (True, True)
        legacy = generate_password_hash("a sturdy pass phrase", method="scrypt")
        assert passwords.verify_password(legacy, "a sturdy pass phrase") == (True, True)
        assert passwords.verify_password(legacy, "wrong") == (False, False)


def test_at_most_the_configured_number_of_hashes_run_at_once(app):
    import threading
    import time

    app.config["PASSWORD_HASH_CONCURRENCY"] = 1
    running, most = [0], [0]
    lock = threading.Lock()

    def slow(_x):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1

    def worker():
        with app.app_context():
            passwords._off_the_hub(slow, None)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1


def test_strength_messages(app):
    with app.test_request_context():
        assert passwords.strength_problem("short") == "The password must be at least 10 characters."
        assert "too long" in passwords.strength_problem("x" * 201)
        assert passwords.strength_problem("correct-horse-battery-staple") is None
        common = passwords.strength_problem("password1234")
        assert common.startswith("This password is too easy to guess.") and "most common" in common
        own = passwords.strength_problem("ana.lima@brand.example", ["ana.lima@brand.example", "Ana Lima"])
        assert "your name, your email or your organisation" in own
        assert passwords.strength_problem("abcdefghijkl") is not None
        # Only the first 72 characters are estimated: a long password is not slow to check.
        assert passwords.strength_problem("Tr0ub4dor&3-" + "a" * 180) is None
        app.config["PASSWORD_MIN_SCORE"] = 4
        assert passwords.strength_problem("roundtable-demo") is not None
