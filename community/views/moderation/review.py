"""The review queue (held and flagged posts, live through the moderators' rooms), one post
(approve, reject, hide, restore; silence its author; reveal an anonymous author) and one
thread (lock, pin, move, close as duplicate, merge, split)."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup, escape
from sqlalchemy import func, select

from ... import events
from ...actions import moderation, screening, validate
from ...actions.threads import get_topic
from ...errors import DomainError, Invalid
from ...extensions import db
from ...models import Flag, ModerationAction, Post, Thread
from ..accounts import safe_next
from ..helpers import actor, bdi, guardian
from .common import (
    DEFAULT_SILENCE_MINUTES,
    bp,
    moderated,
    moderated_post,
    moderated_thread,
    moderated_topics,
    render,
    topics_or_403,
)

# Lazy (translated when shown); str() them before flashing: the session cannot store a LazyString.
POST_ACTION_DONE = {
    "approve": _l("Approved: the post is visible."),
    "reject": _l("Rejected: the post stays hidden and the author was told why."),
    "hide": _l("Hidden: readers no longer see the post."),
    "restore": _l("Restored: the post is visible again."),
}
# Filled in with %(topic)s, %(target)s and %(source)s (a message without them ignores them).
THREAD_ACTION_DONE = {
    "lock": _l("Locked: no new replies."),
    "unlock": _l("Unlocked: replies are open again."),
    "pin": _l("Pinned to the top of its topic."),
    "unpin": _l("Unpinned."),
    "move": _l("Moved to %(topic)s."),
    "duplicate": _l("Closed as a duplicate of thread %(target)s; it is locked and links there."),
    "merge": _l("Merged: every post of thread %(source)s is now in this thread."),
    "split": _l("Split: the chosen posts are now this new thread."),
}
THREAD_FORM_KEYS = ("action", "reason", "topic", "target", "title")
PREVIOUS_POSTS = 5  # how many of an author's earlier posts in the topic the queue shows


# --- the cards: what a moderator needs to know beside a post --------------------------------
def _flags_by_post(post_ids, open_only: bool = True) -> dict[int, list[Flag]]:
    if not post_ids:
        return {}
    stmt = select(Flag).where(Flag.post_id.in_(post_ids)).order_by(Flag.id)
    if open_only:
        stmt = stmt.where(Flag.status == "open")
    flags: dict[int, list[Flag]] = {}
    for flag in db.session.scalars(stmt):
        flags.setdefault(flag.post_id, []).append(flag)
    return flags


def _previous_posts(items: list[Post]) -> dict[int, list[Post]]:
    """For each post signed with a name: its author's last few earlier posts in the same
    topic, newest first, in every state (a run of rejected posts is exactly what a moderator
    needs to know) but never their anonymous ones (that would say who wrote them). An
    anonymous post gets its author's record instead (`_records`), which names nobody."""
    found: dict[int, list[Post]] = {}
    for post in items:
        if post.anonymous:
            continue
        found[post.id] = list(db.session.scalars(
            select(Post).join(Thread, Post.thread_id == Thread.id)
            .where(Thread.topic_id == post.thread.topic_id, Post.author_id == post.author_id,
                   Post.id < post.id, Post.anonymous.is_(False))
            .order_by(Post.id.desc()).limit(PREVIOUS_POSTS)))
    return found


def _records(items: list[Post]) -> dict[int, dict]:
    """For each anonymous post: its author's hidden and rejected posts in the topic, counted
    and dated, without a name or a link (moderate without revealing)."""
    return {post.id: moderation.author_record(post) for post in items if post.anonymous}


def _silences(items: list[Post]) -> dict[int, object]:
    """post id -> the author's active silence in the post's topic (for the card), if any."""
    return {post.id: silence for post in items if (silence := _silence_shown(post)) is not None}


def _silence_shown(post: Post):
    """The author's active silence in the post's topic, as a card may show it. A silence imposed
    from an anonymous post is not shown beside the same person's signed posts: the pair would
    say who wrote the anonymous one."""
    silence = screening.active_silence(post.thread.topic, post.author)
    if silence is None or post.anonymous:
        return silence
    imposed_anonymously = db.session.scalar(
        select(ModerationAction.target_anonymous).where(
            ModerationAction.action == "silence_user", ModerationAction.target_user_id == post.author_id,
            ModerationAction.topic_id == post.thread.topic_id)
        .order_by(ModerationAction.id.desc()).limit(1))
    return None if imposed_anonymously else silence


def _card_context(items: list[Post]) -> dict:
    """What the queue card macro needs besides the post: flags, history, silences."""
    return {"flags": _flags_by_post([p.id for p in items]), "previous": _previous_posts(items),
            "records": _records(items), "silences": _silences(items)}


# --- the review queue ------------------------------------------------------------------------
@bp.route("")
def queue() -> ResponseReturnValue:
    topics = topics_or_403()
    slug = (request.args.get("topic") or "").strip()
    if slug:
        shown = [moderated(get_topic(slug))]
    else:
        shown = topics
    # Read each moderators' room cursor BEFORE the items: an item arriving in between is
    # then replayed to the page's socket instead of being missed.
    cursors = {f"mods:{topic.slug}": events.latest_cursor(f"mods:{topic.slug}") for topic in shown}
    items: list[Post] = []
    for topic in shown:
        items.extend(moderation.held_and_flagged(topic))
    items.sort(key=lambda post: post.id)
    return render("moderation/queue.html", topics=topics, current=slug, items=items, rooms=cursors,
                   **_card_context(items))


@bp.get("/queue/items/<int:post_id>")
def queue_item(post_id: int) -> ResponseReturnValue:
    """One queue card, rendered as on the page, for the live queue to insert (204: not in the queue)."""
    target = moderated_post(post_id)
    context = _card_context([target])
    if target.state == "deleted" or (target.state != "held" and not context["flags"].get(target.id)):
        return "", 204  # handled meanwhile: nothing to add
    return render("moderation/_item.html", post=target, next_url=safe_next(request.args.get("next")),
                   **context)


# --- one post ----------------------------------------------------------------------------------
def _post_page(target: Post, status: int = 200, **extra) -> ResponseReturnValue:
    thread = target.thread
    opening = None
    if not target.is_opening:
        opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_opening.is_(True)))
    parent = db.session.get(Post, target.reply_to_id) if target.reply_to_id else None
    history = list(db.session.scalars(
        select(ModerationAction).where(ModerationAction.target_type == "post",
                                       ModerationAction.target_id == target.id)
        .order_by(ModerationAction.id.desc())))
    extra.setdefault("error", None)
    extra.setdefault("reason", None)
    extra.setdefault("failed_form", None)
    extra.setdefault("reveal_reason", "")
    extra.setdefault("silence_values", {"minutes": DEFAULT_SILENCE_MINUTES, "reason": ""})
    return render("moderation/post.html", status, post=target, thread=thread, opening=opening,
                   parent=parent, flags=_flags_by_post([target.id], open_only=False).get(target.id, []),
                   history=history, previous=_previous_posts([target]).get(target.id, []),
                   record=_records([target]).get(target.id),
                   silence=_silence_shown(target),
                   next_url=safe_next(request.values.get("next")), **extra)


@bp.route("/posts/<int:post_id>", methods=["GET", "POST"])
def post(post_id: int) -> ResponseReturnValue:
    target = moderated_post(post_id)
    if request.method == "POST":
        action = request.form.get("action")
        reason = request.form.get("reason") or ""
        try:
            moderation.moderate_post(actor(), target, action, reason)
        except DomainError as err:
            return _post_page(target, err.status, error=err, reason=reason, failed_form="action")
        flash(str(POST_ACTION_DONE.get(action) or _("Done.")), "success")
        return redirect(safe_next(request.form.get("next"))
                        or url_for("moderation.post", post_id=target.id))
    return _post_page(target)


@bp.post("/posts/<int:post_id>/silence")
def silence(post_id: int) -> ResponseReturnValue:
    """Silence a post's author in the post's topic for some minutes (from the queue or the post page)."""
    target = moderated_post(post_id)
    topic = target.thread.topic
    form = {"minutes": (request.form.get("minutes") or "").strip(), "reason": request.form.get("reason") or ""}
    author = target.author
    try:
        screening.silence_user(actor(), topic, author, form["minutes"], form["reason"], anonymous=target.anonymous)
    except DomainError as err:
        return _post_page(target, err.status, error=err, silence_values=form, failed_form="silence")
    minutes = int(form["minutes"])
    # Silencing the author of an anonymous post does not tell the moderator who it is.
    name = bdi(author.name) if guardian().can_see_identity(target) else str(_("The author of this post"))
    flash(Markup(ngettext("%(name)s is silenced in %(topic)s for %(num)d minute.",
                          "%(name)s is silenced in %(topic)s for %(num)d minutes.", minutes,
                          name=name, topic=bdi(topic.name))), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("moderation.post", post_id=target.id))


@bp.post("/posts/<int:post_id>/reveal")
def reveal(post_id: int) -> ResponseReturnValue:
    """Reveal who wrote an anonymous post: a reason is required, and it is logged."""
    target = moderated_post(post_id)
    reason = request.form.get("reason") or ""
    try:
        moderation.reveal_author(actor(), target, reason)
    except DomainError as err:
        return _post_page(target, err.status, error=err, reveal_reason=reason, failed_form="reveal")
    flash(_("You revealed who wrote this post. The reveal is recorded in the audit log with your reason, "
            "and the author can see that (not who) it happened."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("moderation.post", post_id=target.id))


# --- one thread --------------------------------------------------------------------------------
def _thread_page(target: Thread, status: int = 200, error: DomainError | None = None,
                 form: dict | None = None, chosen: list[int] | None = None) -> ResponseReturnValue:
    held = db.session.scalar(select(func.count(Post.id)).where(Post.thread_id == target.id,
                                                               Post.state == "held")) or 0
    history = list(db.session.scalars(
        select(ModerationAction).where(ModerationAction.target_type == "thread",
                                       ModerationAction.target_id == target.id)
        .order_by(ModerationAction.id.desc())))
    targets = [t for t in moderated_topics() if t.id != target.topic_id]
    replies = list(db.session.scalars(select(Post).where(Post.thread_id == target.id,
                                                         Post.is_opening.is_(False)).order_by(Post.id)))
    linked = {key: db.session.get(Thread, value) for key, value in
              (("duplicate_of", target.duplicate_of_id), ("merged_into", target.merged_into_id)) if value}
    return render("moderation/thread.html", status, thread=target, held=held, history=history,
                   targets=targets, replies=replies, linked=linked, error=error,
                   form=form or {key: "" for key in THREAD_FORM_KEYS}, chosen=set(chosen or []))


@bp.route("/threads/<int:thread_id>", methods=["GET", "POST"])
def thread(thread_id: int) -> ResponseReturnValue:
    target = moderated_thread(thread_id)
    if request.method == "GET":
        return _thread_page(target)
    form = {key: request.form.get(key) or "" for key in THREAD_FORM_KEYS}
    chosen_raw = request.form.getlist("post_ids")
    chosen = [i for i in (validate.as_id(v) for v in chosen_raw) if i is not None]
    try:
        if form["action"] == "move" and not form["topic"]:
            raise Invalid(_("Choose the topic to move the thread to."), field="topic")
        result = moderation.moderate_thread(actor(), target, form["action"], form["reason"],
                                            topic_slug=form["topic"] or None, target=form["target"].strip(),
                                            post_ids=chosen_raw, title=form["title"])
    except DomainError as err:
        return _thread_page(target, err.status, err, form, chosen)
    message = str(THREAD_ACTION_DONE.get(form["action"]) or _("Done."))
    flash(Markup(escape(message)) % {"topic": bdi(result.topic.name), "target": form["target"].strip(),
                                     "source": target.id}, "success")
    return redirect(url_for("moderation.thread", thread_id=result.id))


