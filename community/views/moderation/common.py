"""What the moderation pages share: the blueprint and its guard, the topics a moderator
moderates, loading what they may moderate ("not there" otherwise), and rendering with the
labels every page uses."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from ...actions.posts import get_post
from ...actions.threads import get_thread
from ...auth import protect
from ...authors import anonymous_label
from ...errors import Forbidden, NotFound
from ...extensions import db
from ...models import Post, Thread, Topic
from ...models.moderation import FLAG_REASONS
from ...permissions import not_found_message
from ..helpers import guardian

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
protect(bp)

NOT_A_MODERATOR = _l("Only topic moderators can use the review tools.")
DEFAULT_SILENCE_MINUTES = 60
# How the audit log and the histories name each recorded action (ModerationAction.action); lower case
# like a phrase in a sentence, capitalised where it starts a line. Unknown actions show their code.
AUDIT_ACTIONS = {
    "approve_post": _l("approve post"), "reject_post": _l("reject post"), "hide_post": _l("hide post"),
    "restore_post": _l("restore post"), "edit_post": _l("edit post"), "delete_post": _l("delete post"),
    "undelete_post": _l("undelete post"),
    "lock_thread": _l("lock thread"), "unlock_thread": _l("unlock thread"), "pin_thread": _l("pin thread"),
    "unpin_thread": _l("unpin thread"), "move_thread": _l("move thread"),
    "duplicate_thread": _l("close as duplicate"), "merge_thread": _l("merge thread"),
    "split_thread": _l("split thread"),
    "approve_user": _l("approve user"), "suspend_user": _l("suspend user"),
    "unsuspend_user": _l("unsuspend user"), "silence_user": _l("silence user"),
    "assign_moderator": _l("assign moderator"), "remove_moderator": _l("remove moderator"),
    "add_watched_word": _l("add watched word"), "remove_watched_word": _l("remove watched word"),
    "create_topic": _l("create topic"), "update_topic": _l("update topic"),
    "remove_organisation": _l("remove organisation"),
    "hide_question": _l("hide live question"), "hide_chat": _l("hide chat message"),
    "silence_live": _l("silence in a live session"),
    "reveal_author": _l("reveal author"),
    "rename_thread": _l("rename thread"),
    "resubmit_post": _l("edit and resubmit post"), "appeal_post": _l("appeal a decision"),
    "uphold_appeal": _l("uphold appeal"), "overturn_appeal": _l("overturn appeal"),
}
# The flag reasons as the cards name them (models.moderation.FLAG_REASONS holds the English).
FLAG_REASON_LABELS = {
    "spam": _l("Spam"), "off_topic": _l("Off-topic"), "abusive": _l("Abusive"),
    "confidential": _l("Confidential information"), "other": _l("Other"),
}


@bp.app_template_global()
def moderation_thread_url(thread: Thread, post: Post | None = None) -> str:
    """The public thread page (the path the payloads use), anchored on a post."""
    return f"/threads/{thread.id}" + (f"#post-{post.id}" if post is not None else "")


def moderated_topics() -> list[Topic]:
    """The topics the signed-in user moderates; every topic for administrators."""
    return list(db.session.scalars(guardian().moderated_topics()))


def topics_or_403() -> list[Topic]:
    """The topics the signed-in user moderates; 403 for someone who moderates none."""
    topics = moderated_topics()
    if not topics and not guardian().is_admin:
        raise Forbidden(str(NOT_A_MODERATOR))
    return topics


def moderated(topic: Topic, asked=None) -> Topic:
    """The topic, if the signed-in user moderates it. Otherwise its moderation pages are
    "not there": 404 with the very words a missing `asked` (post, thread or topic) gets,
    since a 403 would confirm that a held post, a thread or a closed topic exists."""
    if not guardian().can_moderate(topic):
        raise NotFound(not_found_message(asked if asked is not None else topic))
    return topic


def moderated_post(post_id: int) -> Post:
    target = get_post(post_id)
    moderated(target.thread.topic, target)
    return target


def moderated_thread(thread_id: int) -> Thread:
    target = get_thread(thread_id)
    moderated(target.topic, target)
    return target


def render(template: str, status: int = 200, **context) -> ResponseReturnValue:
    """A moderation page, with the labels its macros use (templates/moderation/_macros.html)."""
    context.setdefault("flag_reasons", {key: FLAG_REASON_LABELS.get(key, label) for key, label in FLAG_REASONS.items()})
    context.setdefault("audit_actions", AUDIT_ACTIONS)
    context.setdefault("anonymous_label", anonymous_label)
    context.setdefault("default_silence", DEFAULT_SILENCE_MINUTES)
    return render_template(template, **context), status
