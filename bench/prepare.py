"""Benchmark data, written into the database named by DATABASE_URL (run by bench/common.prepare()).

    python bench/prepare.py users --count 2000 --out tokens.json   # bench users + fresh API tokens
    python bench/prepare.py live                                    # a new, started live session
    python bench/prepare.py thread --replies 500                    # a thread with 500 replies
    python bench/prepare.py bulk --threads 100000 --posts 1000000   # the 1M-post data set
    python bench/prepare.py reads --email E --count 2000            # E opened 2,000 threads (read state)

Each prints one JSON line last. Users, organisations, threads and posts are bulk-inserted
(SQLAlchemy core; COPY on PostgreSQL) with every column the actions would set, HTML
rendered once per distinct body with the app's own sanitiser, and the search index rows
written alongside when community/search.py exists. Live sessions are made through the
actions (schedule, start), like a host would.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SOCKETIO_ASYNC_MODE", "threading")

import warnings  # noqa: E402

warnings.filterwarnings("ignore")

from sqlalchemy import func, insert, select, text  # noqa: E402

from community import create_app  # noqa: E402
from community.extensions import db  # noqa: E402
from community.models import Organisation, Post, Thread, Topic, User, utcnow  # noqa: E402
from community.models.user import ApiToken, hash_token  # noqa: E402

BENCH_ORGS = 20
HOST_EMAIL = "hannah@atlasfoods.example"
LIVE_TOPIC = "land-rights"


def _bench_orgs() -> list[int]:
    names = [f"Bench Supplier {i:02d}" for i in range(BENCH_ORGS)]
    have = dict(db.session.execute(select(Organisation.name, Organisation.id).where(Organisation.name.in_(names))).all())
    missing = [n for n in names if n not in have]
    if missing:
        db.session.execute(insert(Organisation), [{"name": n, "kind": "supplier", "country": "Benchland",
                                                   "removed": False, "created_at": utcnow()} for n in missing])
        db.session.commit()
        have = dict(db.session.execute(select(Organisation.name, Organisation.id)
                                       .where(Organisation.name.in_(names))).all())
    return [have[n] for n in names]


def ensure_users(count: int, prefix: str = "bench") -> list[int]:
    """Active supplier accounts <prefix>N@bench.example, N < count; returns their ids in order."""
    orgs = _bench_orgs()
    emails = [f"{prefix}{i}@bench.example" for i in range(count)]
    have: dict[str, int] = {}
    for start in range(0, count, 5000):
        chunk = emails[start:start + 5000]
        have.update(db.session.execute(select(User.email, User.id).where(User.email.in_(chunk))).all())
    now = utcnow()
    rows = [{"email": e, "name": f"Bench User {i}", "handle": f"{prefix}-user-{i}", "password_hash": "",
             "role": "supplier", "state": "active", "locale": "en", "timezone": "UTC",
             "organisation_id": orgs[i % len(orgs)], "created_at": now, "last_sign_in_at": now,
             "approved_at": now}
            for i, e in enumerate(emails) if e not in have]
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(User), rows[start:start + 2000])
    db.session.commit()
    if rows:
        for start in range(0, count, 5000):
            chunk = emails[start:start + 5000]
            have.update(db.session.execute(select(User.email, User.id).where(User.email.in_(chunk))).all())
    return [have[e] for e in emails]


def issue_tokens(user_ids: list[int]) -> list[str]:
    """A fresh personal API token per user (what `flask users token` does, in bulk)."""
    secrets_ = [ApiToken.new_secret() for _ in user_ids]
    now = utcnow()
    rows = [{"user_id": uid, "token_hash": hash_token(s), "name": "bench", "created_at": now}
            for uid, s in zip(user_ids, secrets_, strict=False)]
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(ApiToken), rows[start:start + 2000])
    db.session.commit()
    return secrets_


def cmd_users(args) -> dict:
    ids = ensure_users(args.count, args.prefix)
    tokens = issue_tokens(ids)
    Path(args.out).write_text(json.dumps(tokens))
    return {"users": len(ids), "tokens_file": args.out}


def cmd_live(args) -> dict:
    from community.actions import live

    host = db.session.scalar(select(User).where(User.email == HOST_EMAIL))
    topic = db.session.scalar(select(Topic).where(Topic.slug == LIVE_TOPIC))
    start = utcnow()
    session = live.schedule(host, topic, title=f"Benchmark session {time.strftime('%H:%M:%S')}",
                            description="Fan-out benchmark", starts_at=start, ends_at=start + timedelta(hours=3))
    live.start(host, session)
    token = issue_tokens([host.id])[0]
    return {"session_id": session.id, "host_token": token, "topic": topic.slug}


# --- posts in bulk ------------------------------------------------------------------------
BODY_WORDS = ["supplier", "audit", "wages", "overtime", "recruitment", "fees", "passport", "grievance", "remediation", "cooperative", "land", "consent", "deforestation", "traceability", "heat", "stress", "contract", "migrant", "worker", "factory", "buyer", "forecast", "delivery", "training", "committee", "union", "housing", "canteen", "interpreter", "checklist", "evidence", "corrective", "action", "plan", "certificate", "inspection"]


# Every tenth distinct body is Chinese (language "zh"): search in suppliers' languages (#17).
ZH_WORDS = ("工资", "加班", "工厂", "工人", "合同", "招聘", "费用", "护照", "申诉", "培训", "宿舍", "食堂", "安全",
            "证书", "检查", "审核", "供应商", "买家", "交货", "工会")


def body_language(i: int) -> str | None:
    return "zh" if i % 10 == 9 else None


def distinct_bodies(n: int = 300, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    bodies = []
    for i in range(n):
        if body_language(i) == "zh":
            sentences = ["".join(rng.choice(ZH_WORDS) for _ in range(rng.randint(4, 9))) for _ in range(4)]
            bodies.append("，".join(sentences) + f"。\n\n编号 {i}。")
            continue
        words = [rng.choice(BODY_WORDS) for _ in range(rng.randint(20, 90))]
        para = " ".join(words).capitalize() + "."
        extra = f"\n\n- **{rng.choice(BODY_WORDS)}**: {' '.join(rng.choice(BODY_WORDS) for _ in range(8))}" \
            if i % 3 == 0 else ""
        bodies.append(f"{para}{extra}\n\nReference {i}.")
    return bodies


def _search_helpers():
    try:
        from community import search
    except ImportError:
        return None
    return search


class Writer:
    """Rows into a table, fast: COPY on PostgreSQL, executemany in big transactions on SQLite."""

    def __init__(self, table: str, columns: list[str], after: Writer | None = None):
        self.table, self.columns = table, columns
        self.after = after  # rows this table's rows refer to (foreign keys): written first
        self.dialect = db.engine.dialect.name
        self.buffer: list[tuple] = []

    def add(self, row: tuple) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= 50_000:
            self.flush()

    def flush(self) -> None:
        if self.after is not None:
            self.after.flush()
        if not self.buffer:
            return
        connection = db.session.connection()
        if self.dialect == "postgresql":
            out = io.StringIO()
            for row in self.buffer:
                out.write("\t".join(_copy_value(v) for v in row) + "\n")
            out.seek(0)
            raw = connection.connection.dbapi_connection
            with raw.cursor() as cur:
                cur.copy_expert(f'COPY "{self.table}" ({", ".join(self.columns)}) FROM STDIN', out)
        else:
            marks = ", ".join("?" for _ in self.columns)
            raw = connection.connection.dbapi_connection
            raw.executemany(f'INSERT INTO "{self.table}" ({", ".join(self.columns)}) VALUES ({marks})',
                            [tuple(_sqlite_value(v) for v in row) for row in self.buffer])
        self.buffer = []


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _sqlite_value(value):
    if hasattr(value, "isoformat"):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy's DateTime stores it
    return value


def cmd_bulk(args) -> dict:
    from community import markup

    started = time.monotonic()
    rng = random.Random(11)
    authors = ensure_users(args.authors, "bulk")
    topics = db.session.execute(select(Topic.id, Topic.slug).where(Topic.visibility == "everyone",
                                                                  Topic.slow_mode_seconds == 0)).all()
    topic_ids = [t.id for t in topics]
    bodies = distinct_bodies()
    html = [markup.render(b) for b in bodies]  # once per distinct body
    search = _search_helpers()
    plain = [markup.to_text(h) for h in html] if search else None
    first_thread = (db.session.scalar(select(func.max(Thread.id))) or 0) + 1
    first_post = (db.session.scalar(select(func.max(Post.id))) or 0) + 1
    now = utcnow()
    # One deep thread (args.deep replies); the other posts spread over the other threads.
    threads, posts = args.threads, args.posts
    spread = posts - threads - args.deep
    replies = [spread // (threads - 1)] * (threads - 1)
    for i in range(spread - sum(replies)):
        replies[i] += 1
    replies = [args.deep] + replies
    thread_cols = ["id", "topic_id", "kind", "title", "author_id", "anonymous", "state", "locked", "pinned",
                   "tags", "version", "reply_count", "created_at", "last_activity_at"]
    post_cols = ["id", "thread_id", "author_id", "is_opening", "anonymous", "body", "html", "state",
                 "state_reason", "created_at", "version", "language"]
    tw = Writer("thread", thread_cols)
    pw = Writer("post", post_cols, after=tw)
    fw = tri = bi = None
    scripts = getattr(search, "scripts", None) if search else None  # languages in the index (#17)
    sqlite = db.engine.dialect.name == "sqlite"
    if search:
        fts_cols = (["rowid", "post_id", "thread_id", "title", "body"] if sqlite
                    else ["post_id", "thread_id", "title", "body"]
                    + (["config", "unspaced", "grams"] if scripts else []))
        fw = Writer(search.INDEX_TABLE, fts_cols, after=pw)
        if scripts and sqlite:
            tri = Writer(scripts.TRIGRAM_TABLE, ["rowid", "title", "body"], after=fw)
            bi = Writer(scripts.BIGRAM_TABLE, ["rowid", "grams"], after=fw)
        grams = [scripts.bigrams(p) for p in plain] if scripts else None
    post_id = first_post
    deep_id = first_thread
    for n in range(threads):
        tid = first_thread + n
        count = replies[n]
        created = now - timedelta(minutes=(threads - n) * 5 + count)
        kind = "question" if n % 5 == 0 else "discussion"
        title = f"Benchmark thread {n}: {' '.join(rng.choice(BODY_WORDS) for _ in range(5))}"
        topic_id = topic_ids[0] if n == 0 else topic_ids[n % len(topic_ids)]
        last = created + timedelta(minutes=count)
        tw.add((tid, topic_id, kind, title, authors[n % len(authors)], False, "visible", False, False, "", 1,
                count, created, last))
        for k in range(count + 1):
            b = (n * 7 + k) % len(bodies)
            language = body_language(b)
            pw.add((post_id, tid, authors[(n + k) % len(authors)], k == 0, False, bodies[b], html[b], "visible", "",
                    created + timedelta(seconds=k * 60), 1, language))
            if fw is not None:
                title_text = search.title_text(title, "") if k == 0 else ""
                row = (post_id, tid, title_text, plain[b])
                unspaced = scripts is not None and scripts.unspaced(language, plain[b])
                if sqlite:
                    fw.add((post_id, *row))
                    if unspaced:
                        tri.add((post_id, title_text, plain[b]))
                        bi.add((post_id, grams[b]))
                else:
                    fw.add((*row, scripts.pg_config(language), unspaced, grams[b] if unspaced else "") if scripts
                           else row)
            post_id += 1
    for w in (tw, pw, fw, tri, bi):
        if w is not None:
            w.flush()
    if db.engine.dialect.name == "postgresql":
        for table in ("thread", "post"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM \"{table}\"))"))
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        raw = db.engine.raw_connection()
        raw.set_isolation_level(0)
        with raw.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        raw.close()
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    deep_topic = db.session.scalar(select(Topic.slug).where(Topic.id == topic_ids[0]))
    return {"threads": threads, "posts": post_id - first_post, "deep_thread_id": deep_id,
            "deep_replies": args.deep, "deep_topic": deep_topic, "search_indexed": fw is not None,
            "seconds": round(time.monotonic() - started, 1)}


def cmd_reads(args) -> dict:
    """`--email` has opened the `--count` threads of latest activity and read each up to its
    opening post, so their replies are unread: the read state a returning reader brings to the
    home page, the topic lists and /api/v1/me/unread (issue 17)."""
    from community.models import ThreadRead

    user_id = db.session.scalar(select(User.id).where(User.email == args.email))
    latest = select(Thread.id).order_by(Thread.last_activity_at.desc()).limit(args.count).subquery()
    openings = db.session.execute(select(Post.thread_id, Post.id).where(
        Post.is_opening.is_(True), Post.thread_id.in_(select(latest.c.id)))).all()
    db.session.execute(ThreadRead.__table__.delete().where(ThreadRead.user_id == user_id))
    now = utcnow()
    db.session.execute(insert(ThreadRead), [{"user_id": user_id, "thread_id": thread_id, "last_read_post_id": post_id,
                                             "updated_at": now} for thread_id, post_id in openings])
    db.session.commit()
    return {"user_id": user_id, "threads_read": len(openings)}


def cmd_thread(args) -> dict:
    """One thread with `replies` replies (and an empty one beside it), through the bulk writer."""
    result = cmd_bulk(argparse.Namespace(threads=2, posts=args.replies + 2, deep=args.replies, authors=50))
    return {"thread_id": result["deep_thread_id"], "replies": args.replies, "topic": result["deep_topic"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("users")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--prefix", default="bench")
    p.add_argument("--out", required=True)
    sub.add_parser("live")
    p = sub.add_parser("bulk")
    p.add_argument("--threads", type=int, default=100_000)
    p.add_argument("--posts", type=int, default=1_000_000)
    p.add_argument("--deep", type=int, default=5_000)
    p.add_argument("--authors", type=int, default=1_000)
    p = sub.add_parser("reads")
    p.add_argument("--email", required=True)
    p.add_argument("--count", type=int, default=2_000)
    p = sub.add_parser("thread")
    p.add_argument("--replies", type=int, default=500)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        result = {"users": cmd_users, "live": cmd_live, "bulk": cmd_bulk, "thread": cmd_thread,
                  "reads": cmd_reads}[args.command](args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
