"""CPU per live.chat message, in one process, without a server: the handler's own cost.

    python bench/profile_chat.py [--messages 500] [--as participant|host] [--profile] [--top 30]

A temporary SQLite database (migrated, demo data, a started live session), the app in this
process, and one Flask-SocketIO test client signed in with an API token that joins
`live:<id>` (so each message is also emitted to one member). Then N `live.chat` events go
through the real socket handler: who the socket is, the Guardian, slow mode, the size limit,
Markdown + sanitiser, INSERT, room_event, commit, emit. Printed per message: process CPU time
(time.process_time: utime+stime, so it does not move with other work on the machine), wall
time and SQL statements. `--profile` adds cProfile's top functions (cumulative and own time).

Rate limits are off (as in every load benchmark: N messages from one person would be refused);
the participant's slow mode is off too (the demo topic has none).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import heading, load_average, prepare, print_closing, seeded_sqlite  # noqa: E402


def _live_session(database_url: str, workdir: Path) -> dict:
    setup = prepare(database_url, "live")
    tokens = workdir / "tokens.json"
    prepare(database_url, "users", "--count", "1", "--out", str(tokens))
    setup["participant_token"] = json.loads(tokens.read_text())[0]
    return setup


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description="CPU per live.chat message, in process")
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--as", dest="who", choices=["participant", "host"], default="participant",
                        help="who sends: a participant (slow mode checked, silencing) or the host")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--show-sql", action="store_true", help="print the statements of one message")
    parser.add_argument("--keep", default="", help="a folder to keep the database in and reuse")
    args = parser.parse_args(argv)
    database_url, setup = seeded_sqlite(args.keep, "profile-chat-", "live.json", _live_session)

    os.environ.update({"DATABASE_URL": database_url, "SOCKETIO_ASYNC_MODE": "threading", "RATELIMIT_ENABLED": "0"})
    import warnings

    warnings.filterwarnings("ignore")
    from sqlalchemy import event

    from community import create_app
    from community.extensions import db, socketio

    app = create_app()
    token = setup["host_token"] if args.who == "host" else setup["participant_token"]
    sender = socketio.test_client(app, auth={"token": token})
    assert sender.is_connected(), "the socket was refused"
    room = f"live:{setup['session_id']}"
    ack = sender.emit("join", {"room": room}, callback=True)
    assert ack["ok"], ack
    statements = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.__setitem__(0, statements[0] + 1))

    def send(i: int) -> None:
        answer = sender.emit("live.chat", {"session_id": setup["session_id"], "body": f"Message **{i}** to the room"},
                             callback=True)
        assert answer["ok"], answer

    if args.show_sql:
        shown: list[str] = []
        with app.app_context():
            def show(conn, cursor, statement, *rest):
                shown.append(" ".join(statement.split())[:160])

            event.listen(db.engine, "before_cursor_execute", show)
            send(-1)
            event.remove(db.engine, "before_cursor_execute", show)
        print(f"the statements of one message ({len(shown)}):")
        for line in shown:
            print("  " + line)
    heading(f"CPU per live.chat message, in process (SQLite, {args.messages} messages, as the {args.who})")
    print(f"machine: {load_average()} (before)", flush=True)
    for i in range(20):  # warm-up: caches filled, statements compiled
        send(i)
    sender.get_received()
    statements[0] = 0
    profiler = cProfile.Profile() if args.profile else None
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for i in range(args.messages):
        send(i)
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    received = [e for e in sender.get_received() if e["name"] in ("live.chat", "batch")]
    result = {"messages": args.messages, "who": args.who, "cpu_us": 1e6 * cpu / args.messages,
              "wall_us": 1e6 * wall / args.messages, "statements": statements[0] / args.messages,
              "events_received": len(received)}
    print(f"live.chat as the {args.who}: {result['cpu_us']:7.0f} µs CPU/message  {result['wall_us']:7.0f} µs wall  "
          f"{result['statements']:5.2f} SQL statements/message  ({len(received)} room events received)", flush=True)
    if profiler:
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
            print(out.getvalue())
    sender.disconnect()
    print_closing("bench/profile_chat.py", argv)
    return result


if __name__ == "__main__":
    main()
