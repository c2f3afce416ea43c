"""The demo of `flask seed-demo`: a responsible-sourcing consortium with real-looking content.

What the demo holds (people, topics, threads, a live session) is data, in `demo_data.toml`
beside this module; this module creates it through the actions (accounts, topics, threads,
posts, moderation, live), so posts are rendered, counted, held and announced exactly like
real ones. The seed is idempotent: organisations, users, topics, threads and live sessions
are looked up by name, email, slug and title first, and nothing that exists is created again.

Set directly afterwards, because no action does it: the age of the accounts (long-standing
members are not newcomers to the rate limits), the order of the topics on the home page, and
the timestamps of threads (spread over the last weeks instead of all "just now").

`reset()` empties the database (the schema stays) so that `seed()` creates the demo afresh:
`flask seed-demo --reset`, `make demo-reset`.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from sqlalchemy import delete, func, select, text

from . import events, search
from .actions.accounts import create_user, find_or_create_organisation, register
from .actions.live import schedule
from .actions.moderation import assign_moderator, moderate_thread
from .actions.posts import reply
from .actions.threads import accept_answer, start_thread
from .actions.topics import create_topic
from .extensions import db
from .models import OutboxEmail, Post, Thread, Topic, TopicModerator, User, utcnow
from .models.live import LiveSession

DATA_FILE = Path(__file__).with_name("demo_data.toml")


class Organisation(NamedTuple):
    name: str
    kind: str
    country: str


class Person(NamedTuple):
    name: str
    email: str
    role: str
    organisation: str
    note: str  # who they are, printed beside their login
    story: str = ""  # what the demo shows them doing: printed only when the demo was just created
    since_days: int = 0  # the account's age; 0: a newcomer


class Applicant(NamedTuple):
    """Someone who registered through the public form and waits for an administrator."""

    name: str
    email: str
    organisation: str
    org_kind: str
    note: str
    story: str = ""


@dataclass
class Reply:
    """`to`: the position of an earlier reply in the same thread (None: the opening post)."""

    who: str
    body: str
    to: int | None = None
    anonymous: bool = False


@dataclass
class ThreadSpec:
    topic: str
    who: str
    title: str
    body: str
    kind: str = "discussion"
    anonymous: bool = False
    tags: list[str] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    accept: int | None = None  # the position of the accepted reply
    pin: bool = False
    days_ago: float = 3.0


@dataclass
class SessionSpec:
    topic: str
    host: str
    cohosts: list[str]
    title: str
    description: str
    starts_in_days: int
    at_hour: int
    hours: int
    approve_questions: bool


class Login(NamedTuple):
    label: str  # admin, moderator, member, supplier, pending
    email: str
    note: str


@dataclass
class Seeded:
    created: bool  # the demo was created now: its story holds
    logins: list[Login]


def load(path: Path = DATA_FILE) -> dict:
    """The data file, checked into the shapes above (a mistake in it fails here, not halfway)."""
    with path.open("rb") as f:
        raw = tomllib.load(f)
    theme_rules = raw["defaults"]["theme"]["rules"]
    topics = {}
    for slug, settings in raw["topics"].items():
        settings = dict(settings)
        if settings["kind"] == "theme":
            settings["rules"] = "\n".join(filter(None, [theme_rules, settings.get("rules")]))
        topics[slug] = settings
    threads = [ThreadSpec(**{**t, "replies": [Reply(**r) for r in t.get("replies", [])]}) for t in raw["threads"]]
    for spec in threads:
        for i, r in enumerate(spec.replies):
            assert r.to is None or 0 <= r.to < i, f"{spec.title}: reply {i} answers a later reply"
        assert spec.accept is None or 0 <= spec.accept < len(spec.replies), f"{spec.title}: no such reply"
    return {
        "password": raw["password"],
        "organisations": [Organisation(**o) for o in raw["organisations"]],
        "people": {key: Person(**p) for key, p in raw["people"].items()},
        "pending": Applicant(**raw["pending"]),
        "topics": topics,
        "moderators": raw["moderators"],
        "threads": threads,
        "live_sessions": [SessionSpec(**s) for s in raw["live_sessions"]],
    }


DATA = load()
PASSWORD: str = DATA["password"]
ORGANISATIONS: list[Organisation] = DATA["organisations"]
PEOPLE: dict[str, Person] = DATA["people"]
PENDING: Applicant = DATA["pending"]
TOPICS: dict[str, dict] = DATA["topics"]
MODERATORS: dict[str, list[str]] = DATA["moderators"]
THREADS: list[ThreadSpec] = DATA["threads"]
LIVE_SESSIONS: list[SessionSpec] = DATA["live_sessions"]


# --- seed ------------------------------------------------------------------------------
def seed() -> Seeded:
    """Create the demo data (whatever is missing); say whether it was created now, and the logins.

    The demo's threads are history, not news: the emails their notifications queued are
    dropped, so `make run` does not open by "sending" dozens of them. Its weeks of posts
    are written at once, by the site itself: rate limits do not apply.
    """
    limits_were = current_app.config.get("RATELIMIT_ENABLED")
    current_app.config["RATELIMIT_ENABLED"] = False
    try:
        created = not any(_user(p.email) for p in [*PEOPLE.values(), PENDING])
        before = db.session.scalar(select(func.max(OutboxEmail.id))) or 0
        _organisations()
        people = _people()
        _pending()
        topics = _topics()
        for key, slugs in MODERATORS.items():
            for slug in slugs:
                assign_moderator(None, topics[slug], people[key])
        for spec in THREADS:
            _thread(spec, people, topics)
        _live_sessions(people, topics)
        db.session.execute(delete(OutboxEmail).where(OutboxEmail.id > before))
        db.session.commit()
    finally:
        current_app.config["RATELIMIT_ENABLED"] = limits_were
    return Seeded(created, logins(with_story=created))


def logins(with_story: bool = False) -> list[Login]:
    """The demo's people as they are now: "pending" while awaiting approval, "moderator" while
    moderating a topic; with their story only when asked (it holds only for a new demo)."""
    moderating = set(db.session.scalars(select(TopicModerator.user_id).distinct()))
    rows = []
    for person in [*PEOPLE.values(), PENDING]:
        user = _user(person.email)
        if user is None:
            continue
        if user.state == "pending":
            label = "pending"
        elif user.role != "admin" and user.id in moderating:
            label = "moderator"
        else:
            label = user.role
        note = f"{person.note}; {person.story}" if with_story and person.story else person.note
        rows.append(Login(label, person.email, note))
    return rows


def _organisations() -> None:
    for org in ORGANISATIONS:
        find_or_create_organisation(org.name, org.kind, org.country)
    events.commit()


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _people() -> dict[str, User]:
    people = {}
    for key, person in PEOPLE.items():
        user = _user(person.email)
        if user is None:
            # The demo's shared, documented password would fail the strength check on purpose.
            user = create_user(email=person.email, name=person.name, password=PASSWORD, role=person.role,
                               organisation=person.organisation, check_strength=False)
            if person.since_days:
                user.created_at = user.approved_at = utcnow() - timedelta(days=person.since_days)
                db.session.commit()
        people[key] = user
    return people


def _pending() -> None:
    if _user(PENDING.email) is None:
        register(email=PENDING.email, name=PENDING.name, password=PASSWORD, organisation=PENDING.organisation,
                 org_kind=PENDING.org_kind)


def _topics() -> dict[str, Topic]:
    topics = {}
    for slug, settings in TOPICS.items():
        settings = dict(settings)
        position = settings.pop("position")
        topic = db.session.scalar(select(Topic).where(Topic.slug == slug))
        if topic is None:
            topic = create_topic(None, slug=slug, **settings)
            topic.position = position
            db.session.commit()
        topics[slug] = topic
    return topics


def _thread(spec: ThreadSpec, people: dict[str, User], topics: dict[str, Topic]) -> None:
    topic = topics[spec.topic]
    exists = db.session.scalar(select(Thread.id).where(Thread.topic_id == topic.id, Thread.title == spec.title))
    if exists is not None:
        return
    author = people[spec.who]
    thread, opening = start_thread(author, topic, title=spec.title, body=spec.body, kind=spec.kind,
                                   anonymous=spec.anonymous, tags=spec.tags)
    posts: list[Post] = []
    for r in spec.replies:
        parent = posts[r.to] if r.to is not None else None
        posts.append(reply(people[r.who], thread, r.body, reply_to=parent.id if parent else None,
                           anonymous=r.anonymous))
    if spec.accept is not None:
        accept_answer(author, thread, posts[spec.accept].id)
    if spec.pin:
        moderate_thread(people["amara"], thread, "pin", "Consortium guidance")
    _spread_in_time(thread, [opening, *posts], spec.days_ago)


def _spread_in_time(thread: Thread, posts: list[Post], days_ago: float) -> None:
    """Backdate a freshly seeded thread so the demo reads like weeks of activity, not one second."""
    start = utcnow() - timedelta(days=days_ago)
    # Replies follow within the period, never in the future.
    step = min(timedelta(hours=3), timedelta(days=days_ago) / (len(posts) + 1))
    for i, post in enumerate(posts):
        post.created_at = start + step * i
    thread.created_at = start
    visible = [p for p in posts if p.state == "visible"] or posts[:1]
    thread.last_activity_at = visible[-1].created_at
    db.session.commit()


def _live_sessions(people: dict[str, User], topics: dict[str, Topic]) -> None:
    for spec in LIVE_SESSIONS:
        topic = topics[spec.topic]
        if db.session.scalar(select(LiveSession.id).where(LiveSession.topic_id == topic.id,
                                                          LiveSession.title == spec.title)) is not None:
            continue
        starts = (utcnow() + timedelta(days=spec.starts_in_days)).replace(hour=spec.at_hour, minute=0, second=0,
                                                                          microsecond=0)
        schedule(people[spec.host], topic, title=spec.title, description=spec.description, starts_at=starts,
                 ends_at=starts + timedelta(hours=spec.hours), hosts=[people[k].id for k in spec.cohosts],
                 approve_questions=spec.approve_questions)


# --- reset -----------------------------------------------------------------------------
def reset() -> None:
    """Empty every table of the models and the search index; the schema (and Alembic's
    version) stays. Everything goes, not only the demo: the command line asks first."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.session.get_bind().dialect.name == "postgresql":
        # One statement: foreign keys that point both ways (threads <-> posts) are no obstacle,
        # and ids start again at 1.
        db.session.execute(text("TRUNCATE {} RESTART IDENTITY CASCADE".format(", ".join(f'"{t}"' for t in tables))))
    else:
        db.session.execute(text("PRAGMA defer_foreign_keys = ON"))  # checked at commit, when all is gone
        for name in tables:
            db.session.execute(db.metadata.tables[name].delete())
        if db.session.scalar(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")):
            db.session.execute(text("DELETE FROM sqlite_sequence"))  # ids start again at 1
    search.clear_index()
    db.session.commit()
