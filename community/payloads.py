"""The JSON shapes of users, topics, threads and posts, shared by the API and room events.

Every builder takes the viewer's Guardian, or None for "anyone in the room":
an anonymous author is named only to viewers the Guardian lets see identities.

Room events carry these shapes and nothing else: data, never page markup. The pages
render a live post with the same partial as the first render (templates/partials/post.html,
as <template> blanks that static/js/posts.js fills), in the reader's language, with the
controls the Guardian gives that reader, and without asking the server again.
"""
from __future__ import annotations

from sqlalchemy import select

from .authors import anonymous_label, author_payload, user_payload  # noqa: F401  (named in one place)
from .extensions import db
from .files.names import attachments_payload
from .library import citation_payload, cited_resources
from .models import Bookmark, Reaction
from .models.base import iso
from .models.reaction import REACTION_KINDS
from .permissions import Guardian
from .post_states import state_note


def topic_payload(topic) -> dict:
    return {"id": topic.id, "slug": topic.slug, "name": topic.name, "kind": topic.kind,
            "description": topic.description, "settings": topic.settings()}


def thread_payload(thread, guardian: Guardian | None = None) -> dict:
    return {
        "id": thread.id,
        "topic": thread.topic.slug,
        "kind": thread.kind,
        "title": thread.title,
        # A title the site words itself (a live session's archive or follow-up): pages word
        # it in their reader's language from these (community/titles.py, static/js/titles.js).
        "title_kind": thread.title_kind,
        "title_subject": thread.title_subject,
        "state": thread.state,
        "locked": thread.locked,
        "pinned": thread.pinned,
        "tags": thread.tag_list,
        "accepted_post_id": thread.accepted_post_id,
        # Closed as a duplicate of / merged into another thread (ids, or null).
        "duplicate_of": thread.duplicate_of_id,
        "merged_into": thread.merged_into_id,
        "answered": thread.answered,
        "reply_count": thread.reply_count,
        "author": author_payload(thread, guardian),
        "created_at": iso(thread.created_at),
        "last_activity_at": iso(thread.last_activity_at),
        "url": f"/threads/{thread.id}",
    }


def post_payload(post, guardian: Guardian | None = None, for_moderators: bool = False) -> dict:
    """`for_moderators`: the moderators' room copy, with the Markdown source and state reason
    (never the identity of an anonymous author: that takes a logged reveal)."""
    shown = post.state in ("visible", "held") or privileged(post, guardian)
    data = {
        "id": post.id,
        "thread_id": post.thread_id,
        "reply_to": post.reply_to_id,
        "state": post.state,
        "html": post.html if shown else "",
        "created_at": iso(post.created_at),
        "edited_at": iso(post.edited_at),
        "author": author_payload(post, guardian),
        "anonymous": post.anonymous,
        "is_opening": post.is_opening,
        "language": post.language,  # ISO 639-1 code it is written in, or None when unknown
        "accepted": post.thread.accepted_post_id == post.id,
        "attachments": attachments_payload(post, guardian) if shown else [],
        # Resources of the library the post links to, as cards (those this reader may read).
        "resources": [citation_payload(r) for r in cited_resources(post, guardian)] if shown else [],
        # {"helpful": n, "thanks": n, "agree": n}, and the kinds that are the viewer's
        "reactions": post.reaction_counts,
        "my_reactions": _mine(post, guardian),
    }
    if for_moderators or privileged(post, guardian):
        data["body"] = post.body
        # Why it is held/hidden/deleted: a code, and a person's own words (the moderator's reason).
        data["state_cause"] = post.state_cause
        data["state_reason"] = post.state_reason
        if guardian is not None and post.state != "visible":
            data["state_note"] = state_note(post)  # the same, in a sentence in the caller's language
    return data


def appeal_payload(appeal, guardian: Guardian | None) -> dict:
    """An appeal as its author and the topic's moderators see it (guardian None: the moderators'
    room). Its author is the post's: named only as the post names them."""
    post = appeal.post
    data = {
        "id": appeal.id,
        "post_id": appeal.post_id,
        "thread_id": post.thread_id,
        "topic": post.thread.topic.slug,
        "state": appeal.state,
        "note": appeal.note,
        "reason": appeal.reason,
        "author": author_payload(post, guardian),
        "created_at": iso(appeal.created_at),
        "decided_at": iso(appeal.decided_at),
        "url": f"/api/v1/appeals/{appeal.id}",
    }
    if guardian is None or (guardian.user is not None and guardian.is_moderator(post.thread.topic)):
        # Moderators see whose decision it was and who decided the appeal; the author is told only
        # "a moderator" (no moderator's name is ever in what authors are told).
        data["decided_by"] = _person(appeal.decided_by)
        data["reviewer"] = _person(appeal.reviewer)
        if guardian is not None:
            data["can_decide"] = guardian.can_decide_appeal(appeal)
    return data


def _person(user) -> dict | None:
    return {"id": user.id, "name": user.name} if user is not None else None
def my_reactions(user, post_ids) -> dict[int, list[str]]:
    """The kinds `user` gave each of these posts (REACTION_KINDS order), in one query."""
    mine: dict[int, list[str]] = {pid: [] for pid in post_ids}
    if user is None or not post_ids:
        return mine
    rows = db.session.execute(select(Reaction.post_id, Reaction.kind).where(
        Reaction.user_id == user.id, Reaction.post_id.in_(list(mine)))).all()
    for post_id, kind in rows:
        mine[post_id].append(kind)
    for kinds in mine.values():
        kinds.sort(key=REACTION_KINDS.index)
    return mine


def prefetch_reactions(guardian: Guardian | None, posts) -> None:
    """Read the viewer's reactions to a list of posts at once, before building their payloads
    (otherwise each post_payload asks for its own: one query per post)."""
    if guardian is None or guardian.user is None:
        return
    known = guardian.__dict__.setdefault("_my_reactions", {})
    wanted = [p.id for p in posts if p.id not in known]
    known.update(my_reactions(guardian.user, wanted))


def prefetch_bookmarks(guardian: Guardian | None, posts) -> None:
    """Read which of these posts the viewer bookmarked, at once (see bookmark_of)."""
    if guardian is None or guardian.user is None:
        return
    known = guardian.__dict__.setdefault("_my_bookmarks", {})
    wanted = [p.id for p in posts if p.id not in known]
    if not wanted:
        return
    known.update(dict.fromkeys(wanted))
    known.update(db.session.execute(select(Bookmark.post_id, Bookmark.id).where(
        Bookmark.user_id == guardian.user.id, Bookmark.post_id.in_(wanted))).all())


def bookmark_of(post, guardian: Guardian | None) -> int | None:
    """The id of the viewer's bookmark of this post, or None."""
    if guardian is None or guardian.user is None or getattr(post, "is_blank", False):
        return None
    prefetch_bookmarks(guardian, [post])
    return guardian.__dict__["_my_bookmarks"].get(post.id)


def mine(post, guardian: Guardian | None) -> list[str]:
    """The kinds of reaction the viewer gave this post (read with prefetch_reactions when a
    page shows many)."""
    if getattr(post, "is_blank", False):
        return []
    return _mine(post, guardian)


def _mine(post, guardian: Guardian | None) -> list[str]:
    if guardian is None or guardian.user is None:
        return []
    known = guardian.__dict__.setdefault("_my_reactions", {})
    if post.id not in known:
        known.update(my_reactions(guardian.user, [post.id]))
    return list(known[post.id])


def bookmark_payload(bookmark, guardian: Guardian | None) -> dict:
    """One of the viewer's bookmarks: what it saves (a post, or a whole thread), as the viewer
    sees it now, with its note and reminder."""
    thread = bookmark.target_thread
    post = bookmark.post
    return {
        "id": bookmark.id,
        "kind": "post" if post is not None else "thread",
        "post_id": post.id if post is not None else None,
        "thread_id": thread.id,
        "note": bookmark.note,
        "remind_at": iso(bookmark.remind_at),
        "reminded_at": iso(bookmark.reminded_at),
        "created_at": iso(bookmark.created_at),
        "thread": thread_payload(thread, guardian),
        "post": post_payload(post, guardian) if post is not None else None,
        "url": f"/posts/{post.id}" if post is not None else f"/threads/{thread.id}",
    }


def privileged(post, guardian: Guardian | None) -> bool:
    """The author and the topic's moderators see the Markdown source, state reasons and
    earlier revisions of a post."""
    return guardian is not None and guardian.privileged(post)


def room_post_event(post) -> dict:
    """A post event for everyone in the thread's room: the post object built for "anyone in
    the room" (never names an anonymous author), and no markup."""
    return {"room": f"thread:{post.thread_id}", "post": post_payload(post, None)}
