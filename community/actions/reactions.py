"""Reactions to posts: "helpful", "thanks" and "agree", one of each per person and post.

`react` and `unreact` change the reaction row and the post's count together: the count moves
with UPDATE ... SET n = n + 1 (two people reacting at once both count; the post's `version`,
which guards moderators' edits, is left alone). Then:

- the thread's room hears the new counts (`post.reactions`, counts only, coalesced like live
  vote counts: a room where people may be anonymous hears no names);
- the reactor's own room hears which kinds are now theirs (their other tabs);
- the post's author is told, with one notification for several reactions of a kind while it
  is unread ("3 people found your answer helpful"), reworded as more arrive or are taken back.

A reaction names its person, except where that would point at an anonymous author: someone
who wrote an anonymous post in the thread reacts there unnamed (permissions.reacts_unnamed),
counted but never listed, and a notification says "Someone".
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .. import dates, events, notices, ratelimit
from ..events import action
from ..extensions import db
from ..i18n import recipient_locale
from ..models import Notification, Post, Reaction, User, utcnow
from ..models.reaction import REACTION_KINDS
from ..payloads import my_reactions, user_payload
from ..permissions import Guardian, reacts_unnamed
from . import validate
from .notifications import notification_payload, notify, unread_count

COUNT_COLUMNS = {"helpful": "reactions_helpful", "thanks": "reactions_thanks", "agree": "reactions_agree"}
# How many people "who reacted" names per kind; the rest are counted ("and 12 others").
NAMED_PER_KIND = 20


def _kind(value) -> str:
    return validate.choice(value, "kind", REACTION_KINDS, _l("The reaction"))


# --- changes ------------------------------------------------------------------------------
@action
def react(actor: User, post: Post, kind) -> bool:
    """Add `actor`'s reaction of `kind` to `post`; False when it was already there (idempotent)."""
    Guardian(actor).ensure_react(post)
    kind = _kind(kind)
    ratelimit.hit("reaction", actor.id, tier=ratelimit.tier_for(actor))
    unnamed = reacts_unnamed(actor, post.thread)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # ON CONFLICT DO NOTHING: the same person's two tabs reacting at once make one reaction.
    added = db.session.execute(
        insert(Reaction.__table__).values(post_id=post.id, user_id=actor.id, kind=kind, unnamed=unnamed,
                                          created_at=utcnow()).on_conflict_do_nothing()
    ).rowcount == 1
    if added:
        # The count first: its UPDATE locks the post's row until the commit, so reactions to one
        # post take turns from here on, and the next one finds this one's notification to join.
        _count(post, kind, +1)
        _tell_author(post, kind, actor)
        _queue_mine(actor, post)
        _announce(post)  # after the commit
    return added


@action
def unreact(actor: User, post: Post, kind) -> bool:
    """Take `actor`'s reaction of `kind` back; False when there was none (idempotent)."""
    Guardian(actor).ensure_see_post(post)
    kind = _kind(kind)
    note_id = db.session.scalar(select(Reaction.notification_id).where(
        Reaction.post_id == post.id, Reaction.user_id == actor.id, Reaction.kind == kind))
    removed = db.session.execute(delete(Reaction.__table__).where(
        Reaction.post_id == post.id, Reaction.user_id == actor.id, Reaction.kind == kind)).rowcount == 1
    if removed:
        _count(post, kind, -1)
        if note_id is not None:
            _reword(db.session.get(Notification, note_id), post, kind)
        _queue_mine(actor, post)
        _announce(post)  # after the commit
    return removed


def _count(post: Post, kind: str, delta: int) -> None:
    column = Post.__table__.c[COUNT_COLUMNS[kind]]
    # The table, not the mapped class: an ORM update would be an edit (version + 1).
    db.session.execute(update(Post.__table__).where(Post.__table__.c.id == post.id)
                       .values({column: case((column + delta < 0, 0), else_=column + delta)}))
    db.session.expire(post, list(COUNT_COLUMNS.values()))


def _queue_mine(actor: User, post: Post) -> None:
    """The reactor's other tabs learn which reactions are theirs now (a stored event: replayed)."""
    room = f"user:{actor.id}"
    events.queue_event(room, "post.reactions", {
        "room": room, "thread_id": post.thread_id, "post_id": post.id,
        "reactions": post.reaction_counts, "my_reactions": my_reactions(actor, [post.id])[post.id],
    })


def _announce(post: Post) -> None:
    """The thread's room hears the new counts, after the commit (emit_coalesced waits for the
    unit of work); several changes to one post within a tick go out as one (the latest counts)."""
    room = f"thread:{post.thread_id}"
    events.emit_coalesced(room, f"reactions:{post.id}", "post.reactions", {
        "room": room, "thread_id": post.thread_id, "post_id": post.id, "reactions": post.reaction_counts})


# --- telling the author ---------------------------------------------------------------------
MAX_NAMED = 3  # reactors a batch's data names (faces beside it); the count says how many in all


def _about(post: Post, kind: str, named: list[User], count: int) -> dict:
    """The notification's data (notices.py words it in the reader's language): the reaction's
    kind, how many, and the named reactors; one who reacted unnamed is counted, never named
    (alone, they are "Someone")."""
    return {"reaction": kind, "count": count, "answer": post.thread.kind == "question" and not post.is_opening,
            "actors": [notices.actor(u) for u in named[:MAX_NAMED]], "thread": notices.thread_ref(post.thread),
            "post": {"id": post.id}}


def _open_batch(post: Post, kind: str) -> Notification | None:
    """The author's unread notification about reactions of `kind` to `post`, if there is one."""
    return db.session.scalar(
        select(Notification).join(Reaction, Reaction.notification_id == Notification.id)
        .where(Reaction.post_id == post.id, Reaction.kind == kind, Notification.user_id == post.author_id,
               Notification.read_at.is_(None))
        .order_by(Notification.id.desc()).limit(1))


def _batch_data(note: Notification, post: Post, kind: str) -> dict | None:
    rows = db.session.execute(select(Reaction.user_id, Reaction.unnamed).where(
        Reaction.notification_id == note.id).order_by(Reaction.created_at, Reaction.user_id)).all()
    if not rows:
        return None
    named_ids = [r.user_id for r in rows if not r.unnamed][:MAX_NAMED]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(named_ids)))} if named_ids else {}
    return _about(post, kind, [users[i] for i in named_ids if i in users], len(rows))


def _tell_author(post: Post, kind: str, reactor: User) -> None:
    author = post.author
    note = _open_batch(post, kind)
    if note is None:
        unnamed = db.session.scalar(select(Reaction.unnamed).where(
            Reaction.post_id == post.id, Reaction.user_id == reactor.id, Reaction.kind == kind))
        # notify() asks the Guardian first: an author who may no longer see the post hears nothing.
        note = notify(author, verb="reaction", data=_about(post, kind, [] if unnamed else [reactor], 1),
                      url=f"/posts/{post.id}", thread=post.thread, post=post)
        if note is None:
            return
        _link(post, kind, reactor, note)
        return
    _link(post, kind, reactor, note)
    _reword(note, post, kind)


def _link(post: Post, kind: str, reactor: User, note: Notification) -> None:
    db.session.execute(update(Reaction.__table__).where(
        Reaction.post_id == post.id, Reaction.user_id == reactor.id, Reaction.kind == kind
    ).values(notification_id=note.id))


def _reword(note: Notification | None, post: Post, kind: str) -> None:
    """Say the batch again after a reaction joined or left it; an unread notification whose
    reactions were all taken back goes away. A read one is history and stays as it was."""
    if note is None or note.read_at is not None:
        return
    author = post.author
    room = f"user:{author.id}"
    data = _batch_data(note, post, kind)
    if data is None:
        db.session.delete(note)
        db.session.flush()
        events.queue_event(room, "notification.removed", {
            "room": room, "id": note.id, "unread": unread_count(author)})
        return
    note.verb, note.data = "reaction", data  # a new dict: the JSON column sees the change
    with recipient_locale(author), dates.zone_for(author):
        note.text = notices.words("reaction", data)[:300]
        note.created_at = utcnow()
        payload = notification_payload(note)
    # The same id again: a client replaces the notification it has.
    events.queue_event(room, "notification", {"room": room, "notification": payload,
                                              "unread": unread_count(author)})


# --- reads ----------------------------------------------------------------------------------
def reactors(viewer: User, post: Post) -> dict:
    """Who reacted to `post`, per kind, for someone who may see it: the count, up to
    NAMED_PER_KIND people (newest first), how many more, and whether the viewer is one of them.

    Unnamed reactions (see the module's docstring) are counted, never listed: not to the
    topic's moderators either (naming an anonymous author takes a logged reveal)."""
    Guardian(viewer).ensure_see_post(post)
    result = {}
    counts = post.reaction_counts
    mine = set(my_reactions(viewer, [post.id])[post.id])
    for kind in REACTION_KINDS:
        named = db.session.scalars(
            select(Reaction).where(Reaction.post_id == post.id, Reaction.kind == kind,
                                   Reaction.unnamed.is_(False))
            .order_by(Reaction.created_at.desc(), Reaction.user_id).limit(NAMED_PER_KIND)).all()
        people = [user_payload(r.user) for r in named]
        result[kind] = {"count": counts[kind], "people": people, "others": max(counts[kind] - len(people), 0),
                        "you": kind in mine}
    return result


def helpful_order(thread) -> list:
    """ORDER BY for a thread's posts, best first: the opening post, the accepted answer, then by
    "helpful" reactions (most first), oldest first among equals."""
    accepted = thread.accepted_post_id or 0
    return [Post.is_opening.desc(), case((Post.id == accepted, 0), else_=1), Post.reactions_helpful.desc(),
            Post.id]
