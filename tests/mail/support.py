"""Helpers for the email tests: post as a persona, run the sender, read the outbox."""
from __future__ import annotations

from sqlalchemy import select

from community.actions.posts import reply
from community.actions.threads import start_thread
from community.extensions import db
from community.models import OutboxEmail, Thread

# The supplier's real name in these tests: it must never appear in email about an anonymous post.
REAL_NAME = "Priya Raman"


def rename_supplier(app, world) -> None:
    with app.app_context():
        world.user("supplier").name = REAL_NAME
        db.session.commit()


def new_thread(app, world, who: str, topic: str, title: str, body: str = "Opening words of the thread.",
               **kw) -> int:
    with app.app_context():
        thread, _ = start_thread(world.user(who), world.topic(topic), title=title, body=body, **kw)
        return thread.id


def reply_as(app, world, who: str, thread_id: int, body: str, **kw) -> int:
    with app.app_context():
        return reply(world.user(who), db.session.get(Thread, thread_id), body, **kw).id


def send(app, now=None, **kw):
    from community.mail import send_due

    with app.app_context():
        return send_due(now, **kw)


def outbox(app, **where) -> list[dict]:
    """The outbox rows as plain dicts (usable after the app context closes)."""
    with app.app_context():
        query = select(OutboxEmail).order_by(OutboxEmail.id)
        for name, value in where.items():
            query = query.where(getattr(OutboxEmail, name) == value)
        return [{c.name: getattr(row, c.name) for c in OutboxEmail.__table__.columns}
                for row in db.session.scalars(query)]
