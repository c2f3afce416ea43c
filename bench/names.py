"""The cost of the names rule (community/actions/names.py): the confusables keys of one name
(ICU's UTS #39 skeleton), and the whole rule as registration runs it (normalise, refuse
invisible characters, reserved words, then one indexed look-up among N people), on a
temporary SQLite database. Not a test: figures to read beside the load average.

    .venv/bin/python bench/names.py [--people 10000]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("SOCKETIO_ASYNC_MODE", "threading")

SAMPLES = ["Amara Okafor", "Nguyen Thi Lan", "Cooperativa Agrícola Sierra Verde", "سارة الحربي", "王小明"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    args = parser.parse_args()

    from community import create_app
    from community.actions import names
    from community.extensions import db
    from community.models import Organisation, User
    from config import TestingConfig

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite:///" + tempfile.mkdtemp(prefix="bench-names-") + "/names.db"

    load_before = os.getloadavg()[0]
    app = create_app(Config)
    with app.app_context():
        db.create_all()
        org = Organisation(name="Bench Org", kind="supplier")
        db.session.add(org)
        for i in range(args.people):
            db.session.add(User(email=f"p{i}@bench.example", name=f"Person Number{i} Lastname", handle=f"p{i}",
                                organisation=org, role="supplier", state="active"))
        db.session.commit()
        names.display_name("Warm Up")  # the reserved words are worked out once per process
        rounds = 5_000
        started = time.perf_counter()
        for i in range(rounds):
            names.key(SAMPLES[i % len(SAMPLES)])
            names.visual_key(SAMPLES[i % len(SAMPLES)])
        keys_us = (time.perf_counter() - started) / rounds * 1e6
        checks = 1_000
        started = time.perf_counter()
        for i in range(checks):
            names.display_name(f"Fresh Person {i}")
        rule_ms = (time.perf_counter() - started) / checks * 1e3
    print(f"names: both keys of a name {keys_us:.1f} µs; the whole rule with {args.people:,} people "
          f"{rule_ms:.2f} ms (load average {load_before:.2f} -> {os.getloadavg()[0]:.2f})")
    print(f"reproduce: .venv/bin/python bench/names.py --people {args.people}")


if __name__ == "__main__":
    main()
