"""Posts: replying, editing (with revisions), soft delete and restore, flagging."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import events, notices, ratelimit
from ..errors import Conflict, Invalid, NotFound
from ..events import action
from ..extensions import db
from ..language import choose as choose_language
from ..language import detect as detect_language
from ..models import Flag, Post, PostRevision, Thread, Upload, User, utcnow
from ..models.moderation import FLAG_REASONS
from ..payloads import post_payload, room_post_event, thread_payload
from ..permissions import Guardian, not_found_message
from ..rendering import render_post
from . import validate
from .announce import announce_visible_post, queue_for_review, queue_thread_updated, refresh_thread_counts
from .audit import audit
from .notifications import notify
from .post_review import close_open_appeals, queue_post_state
from .screening import check_watched_words, initial_state, screen_post
from .uploads import attach_uploads
from .watching import auto_watch_thread


def new_post(actor: User, thread: Thread, body: str, html: str, *, reply_to: Post | None, anonymous: bool,
             client_id: str | None, state: str, is_opening: bool = False, language: str | None = None,
             held_by_words: bool = False) -> Post:
    """`html`: the body rendered by rendering.render_post, before anything was written
    (the render may wait on a worker). `language`: the author's choice (already checked
    by language.choose), else detected. `held_by_words`: a held post was held for a watched
    word (else by the topic's policy)."""
    cause = ("watched_word" if held_by_words else "policy") if state == "held" else None
    post = Post(thread=thread, author=actor, body=body, html=html,
                reply_to_id=reply_to.id if reply_to else None, anonymous=anonymous,
                client_id=client_id, state=state, state_cause=cause, is_opening=is_opening,
                language=language or detect_language(body))
    db.session.add(post)
    actor.last_post_at = utcnow()
    db.session.flush()
    return post


def author_notices(post: Post) -> list[dict]:
    """What the author of a post just written should know beyond "it is posted"."""
    skipped = getattr(post, "unnotified_mentions", None) or []
    if not skipped:
        return []
    limit = current_app.config.get("MENTIONS_NOTIFIED_PER_POST", 10)
    return [{"code": "mentions_capped", "not_notified": skipped, "message": ngettext(
        "Only the first %(max)s people you mentioned were notified; %(num)d more was not: %(names)s.",
        "Only the first %(max)s people you mentioned were notified; %(num)d more were not: %(names)s.",
        len(skipped), max=limit, names=", ".join(skipped))}]


def _existing_for_client_id(actor: User, client_id: str | None) -> Post | None:
    if client_id is None:
        return None
    return db.session.scalar(select(Post).where(Post.author_id == actor.id, Post.client_id == client_id))


def reply(actor: User, thread: Thread, body, *, reply_to=None, anonymous=False, client_id=None,
          language=None, attachments=None) -> Post:
    """Reply in a thread. The same client_id twice returns the first post.

    `language`: the code of the language the author says they wrote in; None (or "auto")
    detects it from the text. `attachments`: ids of the actor's uploads to put in the post.
    """
    try:
        return _reply(actor, thread, body, reply_to=reply_to, anonymous=anonymous, client_id=client_id,
                      language=language, attachments=attachments)
    except IntegrityError:
        # The same client_id raced in from another connection, and the reply's unit of work
        # rolled back: return the first post (inside another action, that one decides).
        existing = None if events.in_unit_of_work() else _existing_for_client_id(actor, client_id)
        if existing is None:
            raise
        return existing


@action
def _reply(actor: User, thread: Thread, body, *, reply_to, anonymous, client_id, language, attachments) -> Post:
    guardian = Guardian(actor)
    guardian.ensure_reply(thread)
    client_id = validate.client_id(client_id)
    existing = _existing_for_client_id(actor, client_id)
    if existing is not None:
        if existing.thread_id != thread.id:
            raise Conflict(_("This client_id was already used for a post in another thread."))
        return existing
    body = validate.body(body)
    language = choose_language(language)
    anonymous = validate.flag(anonymous, "anonymous")
    if anonymous:
        guardian.ensure_post_anonymously(thread.topic)
    parent = None
    reply_to_id = validate.optional_id(reply_to, "reply_to")
    if reply_to_id is not None:
        parent = db.session.get(Post, reply_to_id)
        if parent is None or parent.thread_id != thread.id or not guardian.can_see_post(parent):
            raise Invalid(_("The post you are replying to is not in this thread."), field="reply_to")
    screen_post(actor, thread.topic, guardian)
    ratelimit.hit("post", actor.id, tier=ratelimit.tier_for(actor))
    body, held_by_words = check_watched_words(thread.topic, body)
    html = render_post(body)
    state = "held" if held_by_words and not guardian.is_moderator(thread.topic) else \
        initial_state(actor, thread.topic, guardian)
    post = new_post(actor, thread, body, html, reply_to=parent, anonymous=anonymous,
                    client_id=client_id, state=state, language=language, held_by_words=held_by_words)
    attach_uploads(actor, post, attachments)
    auto_watch_thread(actor, thread)  # replying watches the thread (a mute chosen before is kept)
    if state == "visible":
        announce_visible_post(post)
    else:
        queue_for_review(post, "watched word" if held_by_words else "held")
    return post


@action
def edit_post(actor: User, post: Post, body, reason="") -> Post:
    guardian = Guardian(actor)
    guardian.ensure_edit_post(post)
    body = validate.body(body)
    reason = validate.reason(reason)
    body, held_by_words = check_watched_words(post.thread.topic, body)
    # The author of a hidden post sends it back to the moderators by editing it.
    resubmitting = post.state == "hidden" and post.author_id == actor.id
    if body == post.body:
        if resubmitting:
            raise Invalid(_("Change your post before you send it back to the moderators, or appeal their "
                            "decision if you think the post is fine as it is."), field="body")
        return post
    ratelimit.hit("edit", actor.id, tier=ratelimit.tier_for(actor))
    html = render_post(body)
    before = post.body
    db.session.add(PostRevision(post=post, editor_id=actor.id, body=before, reason=reason))
    post.body = body
    post.html = html
    post.edited_at = utcnow()
    if post.language is None:  # too short to tell before, perhaps not now
        post.language = detect_language(body)
    if post.author_id != actor.id:
        audit(actor, "edit_post", "post", post.id, topic=post.thread.topic, target_user=post.author,
              reason=reason, before={"body": before}, after={"body": body})
    moderator = guardian.is_moderator(post.thread.topic)
    if resubmitting:
        _resubmit(actor, post)
    elif held_by_words and not moderator and post.state == "visible":
        post.set_state("held", "watched_word")
        queue_post_state(post)
        refresh_thread_counts(post.thread)
        events.queue_event(f"thread:{post.thread_id}", "post.hidden",
                           {"room": f"thread:{post.thread_id}", "post_id": post.id, "thread_id": post.thread_id})
        queue_for_review(post, "watched word")
    elif post.state == "visible":
        events.queue_event(f"thread:{post.thread_id}", "post.updated", room_post_event(post))
    return post


def _resubmit(actor: User, post: Post) -> None:
    """A hidden or rejected post, edited by its author, goes back to the review queue (held);
    an appeal still open on it is withdrawn: the moderators now judge the new text."""
    cause = post.state_cause
    post.set_state("held", "resubmitted")
    close_open_appeals(post, "withdrawn")
    audit(actor, "resubmit_post", "post", post.id, topic=post.thread.topic, target_user=post.author,
          before={"state": "hidden", "cause": cause}, after={"state": "held"})
    queue_for_review(post, "resubmitted")
    queue_post_state(post)


@action
def delete_post(actor: User, post: Post, reason="") -> Post:
    guardian = Guardian(actor)
    guardian.ensure_delete_post(post)
    reason = validate.reason(reason)
    was = post.state
    flagged = db.session.scalar(select(Flag.id).where(Flag.post_id == post.id, Flag.status == "open")
                                .limit(1)) is not None
    post.deleted_from = was
    post.set_state("deleted", "author" if post.author_id == actor.id else "moderator", reason)
    close_open_appeals(post)  # nothing left to decide
    if post.author_id != actor.id:
        audit(actor, "delete_post", "post", post.id, topic=post.thread.topic, target_user=post.author,
              reason=reason, before={"state": was}, after={"state": "deleted"})
        close_flags(post, "upheld")  # the flaggers learn the outcome
    if was == "held" or flagged:
        # It leaves the review queue: moderators' open queues mark it handled.
        slug = post.thread.topic.slug
        events.queue_event(f"mods:{slug}", "moderation.queue", {
            "room": f"mods:{slug}", "change": "handled", "action": "delete", "by": actor.name,
            "post": post_payload(post, for_moderators=True)})
    refresh_thread_counts(post.thread)
    unaccepted = post.thread.accepted_post_id == post.id
    if unaccepted:
        post.thread.accepted_post_id = None
    if was == "visible":
        events.queue_event(f"thread:{post.thread_id}", "post.deleted",
                           {"room": f"thread:{post.thread_id}", "post_id": post.id,
                            "thread_id": post.thread_id})
    if unaccepted:  # readers' "answered" badges must not point at a deleted post
        queue_thread_updated(post.thread, {"change": "accepted", "accepted_post_id": None})
    return post


@action
def restore_post(actor: User, post: Post, reason="") -> Post:
    guardian = Guardian(actor)
    guardian.ensure_restore_post(post)
    target = post.deleted_from or "visible"
    if target == "deleted":
        target = "visible"
    # Back to held awaits review again; back to hidden stays a moderator's (its reason is in the log).
    post.set_state(target, {"held": "restored", "hidden": "moderator"}.get(target))
    post.deleted_from = None
    if post.author_id != actor.id:
        audit(actor, "undelete_post", "post", post.id, topic=post.thread.topic, target_user=post.author,
              reason=reason, before={"state": "deleted"}, after={"state": target})
    refresh_thread_counts(post.thread)
    if target == "visible":
        events.queue_event(f"thread:{post.thread_id}", "post.restored", room_post_event(post))
    elif target == "held":
        queue_for_review(post, "restored")  # back in the review queue it left when deleted
    return post


def flag_post(actor: User, post: Post, reason, note="", upload_id=None) -> Flag:
    """Flag a post for the moderators (enough flags from different people hide it meanwhile),
    or one file of it (`upload_id`: an upload in the post that the flagger may fetch). One flag
    per person on the post itself and one on each of its files."""
    try:
        return _flag_post(actor, post, reason, note, upload_id)
    except IntegrityError:
        # Two flags from the same person raced past the check (one flag per person and post or file).
        raise Conflict(_already_flagged(upload_id is not None)) from None


def _already_flagged(file: bool) -> str:
    if file:
        return _("You have already flagged this file. A moderator will look at it.")
    return _("You have already flagged this post. A moderator will look at it.")


def _flagged_file(guardian: Guardian, post: Post, upload_id) -> Upload | None:
    """The upload a flag names: one of `post`'s that the flagger may fetch, else "invalid"."""
    found = validate.optional_id(upload_id, "upload_id")
    if found is None:
        return None
    upload = db.session.get(Upload, found)
    if upload is None or upload.post_id != post.id or not guardian.can_read_upload(upload):
        raise Invalid(_("That file is not one of this post's files."), field="upload_id")
    return upload


@action
def _flag_post(actor: User, post: Post, reason, note, upload_id=None) -> Flag:
    guardian = Guardian(actor)
    guardian.ensure_flag(post)
    upload = _flagged_file(guardian, post, upload_id)
    reason = validate.choice(reason, "reason", list(FLAG_REASONS), _l("The reason"))
    note = validate.text(note, "note", label=_l("The note"), max_chars=500, min_chars=1 if reason == "other" else 0)
    same = (Flag.upload_id == upload.id) if upload is not None else Flag.upload_id.is_(None)
    if db.session.scalar(select(Flag.id).where(Flag.post_id == post.id, Flag.user_id == actor.id, same)):
        raise Conflict(_already_flagged(upload is not None))
    ratelimit.hit("flag", actor.id, tier=ratelimit.tier_for(actor))
    flag = Flag(post=post, user=actor, reason=reason, note=note, upload=upload)
    db.session.add(flag)
    db.session.flush()
    open_flags = db.session.scalar(
        select(func.count(func.distinct(Flag.user_id))).where(Flag.post_id == post.id, Flag.status == "open")
    ) or 0
    # Flags on the post itself hide it meanwhile; a flag on a file waits for a moderator (who
    # hides the file, not the post, in one click from the queue).
    on_post = db.session.scalar(
        select(func.count(func.distinct(Flag.user_id))).where(Flag.post_id == post.id, Flag.status == "open",
                                                               Flag.upload_id.is_(None))
    ) or 0
    threshold = current_app.config["FLAGS_TO_HIDE"]
    hidden = on_post >= threshold and post.state == "visible"
    if hidden:
        post.set_state("hidden", "flags")
        queue_post_state(post)
        refresh_thread_counts(post.thread)
        events.queue_event(f"thread:{post.thread_id}", "post.hidden",
                           {"room": f"thread:{post.thread_id}", "post_id": post.id,
                            "thread_id": post.thread_id})
    slug = post.thread.topic.slug
    events.queue_event(f"mods:{slug}", "moderation.queue", {
        "room": f"mods:{slug}", "change": "flagged", "flags": open_flags, "hidden": hidden,
        "post": post_payload(post, for_moderators=True), "thread": thread_payload(post.thread),
        "upload_id": flag.upload_id,
    })
    return flag


def close_flags(post: Post, status: str) -> None:
    """Resolve the open flags on a post and tell each flagger the outcome."""
    flaggers = list(db.session.scalars(select(Flag).where(Flag.post_id == post.id, Flag.status == "open")))
    db.session.execute(update(Flag).where(Flag.post_id == post.id, Flag.status == "open")
                       .values(status=status, resolved_at=utcnow()))
    for flag in flaggers:
        notify(flag.user, verb="flag_upheld" if status == "upheld" else "flag_dismissed",
               data={"thread": notices.thread_ref(post.thread)}, url=f"/threads/{post.thread_id}", thread=post.thread)


def get_post(post_id) -> Post:
    post_id = validate.as_id(post_id) if isinstance(post_id, int) else None  # ints only: "1" is no id here
    post = db.session.get(Post, post_id) if post_id is not None else None
    if post is None:
        raise NotFound(not_found_message("Post"))
    return post
