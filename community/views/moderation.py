"""Moderation pages: the review queue, acting on posts and threads, the audit log.

A moderator sees only the topics they moderate (administrators see all).
Moderators see the real author of anonymous posts in those topics, marked
as anonymous. Every change goes through actions.moderation, which checks
the Guardian again, writes the audit record and announces the change live.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from ..actions import moderation
from ..actions.posts import get_post
from ..actions.threads import get_thread, get_topic
from ..errors import DomainError, Forbidden, Invalid
from ..extensions import db
from ..models import Flag, ModerationAction, Post, Thread, Topic, TopicModerator, User
from ..models.moderation import FLAG_REASONS
from ..payloads import anonymous_label
from .accounts import safe_next
from .helpers import actor, guardian

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

LOG_PER_PAGE = 50
NOT_A_MODERATOR = "Only topic moderators can use the review tools."

POST_ACTION_DONE = {
    "approve": "Approved: the post is visible.",
    "reject": "Rejected: the post stays hidden and the author was told why.",
    "hide": "Hidden: readers no longer see the post.",
    "restore": "Restored: the post is visible again.",
}
THREAD_ACTION_DONE = {
    "lock": "Locked: no new replies.",
    "unlock": "Unlocked: replies are open again.",
    "pin": "Pinned to the top of its topic.",
    "unpin": "Unpinned.",
    "move": "Moved to {topic}.",
}


@bp.before_request
def _signed_in_only() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    guardian().ensure_use_site()
    return None


@bp.app_template_global()
def moderation_thread_url(thread: Thread, post: Post | None = None) -> str:
    """The public thread page (the path the payloads use), anchored on a post."""
    return f"/threads/{thread.id}" + (f"#post-{post.id}" if post is not None else "")


def moderated_topics() -> list[Topic]:
    """The topics the signed-in user moderates; every topic for administrators."""
    stmt = select(Topic).order_by(Topic.position, Topic.name)
    if not guardian().is_admin:
        stmt = stmt.join(TopicModerator, TopicModerator.topic_id == Topic.id).where(
            TopicModerator.user_id == current_user.id)
    return list(db.session.scalars(stmt))


def _topics_or_403() -> list[Topic]:
    topics = moderated_topics()
    if not topics and not guardian().is_admin:
        raise Forbidden(NOT_A_MODERATOR)
    return topics


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


def _render(template: str, status: int = 200, **context) -> ResponseReturnValue:
    context.setdefault("flag_reasons", FLAG_REASONS)
    context.setdefault("anonymous_label", anonymous_label)
    return render_template(template, **context), status


# --- the review queue ------------------------------------------------------------------------
@bp.route("")
def queue() -> ResponseReturnValue:
    topics = _topics_or_403()
    slug = (request.args.get("topic") or "").strip()
    if slug:
        topic = get_topic(slug)
        guardian().ensure_moderate(topic)
        shown = [topic]
    else:
        shown = topics
    items: list[Post] = []
    for topic in shown:
        items.extend(moderation.held_and_flagged(topic))
    items.sort(key=lambda post: post.id)
    return _render("moderation/queue.html", topics=topics, current=slug, items=items,
                   flags=_flags_by_post([p.id for p in items]))


# --- one post ----------------------------------------------------------------------------------
@bp.route("/posts/<int:post_id>", methods=["GET", "POST"])
def post(post_id: int) -> ResponseReturnValue:
    target = get_post(post_id)
    guardian().ensure_moderate(target.thread.topic)
    error = reason = None
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        reason = request.form.get("reason") or ""
        try:
            moderation.moderate_post(actor(), target, action, reason)
        except DomainError as err:
            db.session.rollback()
            error, status = err, err.status
        else:
            flash(POST_ACTION_DONE.get(action, "Done."), "success")
            return redirect(safe_next(request.form.get("next"))
                            or url_for("moderation.post", post_id=target.id))
    thread = target.thread
    opening = None
    if not target.is_opening:
        opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_opening.is_(True)))
    parent = db.session.get(Post, target.reply_to_id) if target.reply_to_id else None
    history = list(db.session.scalars(
        select(ModerationAction).where(ModerationAction.target_type == "post",
                                       ModerationAction.target_id == target.id)
        .order_by(ModerationAction.id.desc())))
    return _render("moderation/post.html", status, post=target, thread=thread, opening=opening,
                   parent=parent, flags=_flags_by_post([target.id], open_only=False).get(target.id, []),
                   history=history, error=error, reason=reason,
                   next_url=safe_next(request.values.get("next")))


# --- one thread --------------------------------------------------------------------------------
@bp.route("/threads/<int:thread_id>", methods=["GET", "POST"])
def thread(thread_id: int) -> ResponseReturnValue:
    target = get_thread(thread_id)
    guardian().ensure_moderate(target.topic)
    error = None
    status = 200
    form = {"reason": "", "topic": "", "action": ""}
    if request.method == "POST":
        form = {key: request.form.get(key) or "" for key in form}
        try:
            if form["action"] == "move" and not form["topic"]:
                raise Invalid("Choose the topic to move the thread to.", field="topic")
            moderation.moderate_thread(actor(), target, form["action"], form["reason"],
                                       topic_slug=form["topic"] or None)
        except DomainError as err:
            db.session.rollback()
            error, status = err, err.status
        else:
            message = THREAD_ACTION_DONE.get(form["action"], "Done.")
            flash(message.format(topic=target.topic.name), "success")
            return redirect(url_for("moderation.thread", thread_id=target.id))
    held = db.session.scalar(select(func.count(Post.id)).where(Post.thread_id == target.id,
                                                               Post.state == "held")) or 0
    history = list(db.session.scalars(
        select(ModerationAction).where(ModerationAction.target_type == "thread",
                                       ModerationAction.target_id == target.id)
        .order_by(ModerationAction.id.desc())))
    targets = [t for t in moderated_topics() if t.id != target.topic_id]
    return _render("moderation/thread.html", status, thread=target, held=held, history=history,
                   targets=targets, error=error, form=form)


# --- the audit log -------------------------------------------------------------------------------
@bp.route("/log")
def log() -> ResponseReturnValue:
    topics = _topics_or_403()
    is_admin = guardian().is_admin
    scope = []
    if not is_admin:
        scope.append(ModerationAction.topic_id.in_([t.id for t in topics]))
    filters = {"topic": (request.args.get("topic") or "").strip(),
               "moderator": request.args.get("moderator", type=int),
               "user": (request.args.get("user") or "").strip()[:100]}
    stmt = select(ModerationAction).where(*scope)
    if filters["topic"]:
        topic = next((t for t in topics if t.slug == filters["topic"]), None)
        if topic is None:
            raise Forbidden("You do not moderate that topic.")
        stmt = stmt.where(ModerationAction.topic_id == topic.id)
    if filters["moderator"]:
        stmt = stmt.where(ModerationAction.actor_id == filters["moderator"])
    if filters["user"]:
        target_user = aliased(User)
        like = f"%{filters['user'].lower()}%"
        stmt = stmt.join(target_user, ModerationAction.target_user_id == target_user.id).where(
            or_(func.lower(target_user.name).like(like), func.lower(target_user.email).like(like)))
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    entries = db.paginate(stmt.order_by(ModerationAction.id.desc()), page=page,
                          per_page=LOG_PER_PAGE, error_out=False)
    moderators = list(db.session.scalars(
        select(User).where(User.id.in_(select(ModerationAction.actor_id).where(*scope)))
        .order_by(User.name)))
    return _render("moderation/log.html", entries=entries, topics=topics, moderators=moderators,
                   filters=filters, is_admin=is_admin)
