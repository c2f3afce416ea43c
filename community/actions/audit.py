"""The audit log: every moderator's and administrator's act is recorded (audit), and what a
moderator who comes second is told about who got there first (handled_by, first_come)."""
from __future__ import annotations

import functools

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from .. import events
from ..errors import Conflict, StaleWrite
from ..extensions import db
from ..models import LiveQuestion, ModerationAction, Post, Thread, Topic, User, utcnow


def audit(actor: User, action: str, target_type: str, target_id: int, *, topic: Topic | None = None,
          target_user: User | None = None, reason: str = "", before=None, after=None,
          anonymous: bool | None = None) -> None:
    """Write one audit record. `anonymous`: the target was written anonymously, so the log
    never shows who `target_user` is (worked out from the target when not given)."""
    if anonymous is None:
        anonymous = target_user is not None and _written_anonymously(target_type, target_id)
    db.session.add(ModerationAction(
        actor_id=actor.id, topic_id=topic.id if topic else None, action=action,
        target_type=target_type, target_id=target_id,
        target_user_id=target_user.id if target_user else None, target_anonymous=anonymous,
        reason=reason or "", before=before, after=after,
    ))


def _written_anonymously(target_type: str, target_id: int) -> bool:
    model = {"post": Post, "thread": Thread, "live_question": LiveQuestion}.get(target_type)
    if model is None:
        return False
    return bool(db.session.scalar(select(model.anonymous).where(model.id == target_id)))


def first_come(target_type: str):
    """Two moderators acting on the same post/thread at the same moment: optimistic locking
    (the version columns) refuses the second write; say who got there first, apply nothing.
    Wraps an @action: its unit of work has rolled back when the refusal arrives here (called
    inside another action, the refusal goes on up to the outermost one, which rolls back)."""

    def decorate(function):
        @functools.wraps(function)
        def wrapper(actor, subject, /, *args, **kwargs):
            target_id = subject.id
            try:
                return function(actor, subject, *args, **kwargs)
            except (StaleDataError, StaleWrite):
                if events.in_unit_of_work():
                    raise
                handled = handled_by(target_type, target_id)
                raise Conflict(
                    _("Another moderator acted on this post at the same moment%(handled)s. "
                      "Nothing was applied twice.", handled=handled) if target_type == "post" else
                    _("Another moderator acted on this thread at the same moment%(handled)s. "
                      "Nothing was applied twice.", handled=handled)) from None

        return wrapper

    return decorate


# What the audit log's actions on posts and threads are called in "(… by Name, just now)".
AUDIT_WORDS = {
    "approve_post": _l("approve post"), "reject_post": _l("reject post"), "hide_post": _l("hide post"),
    "restore_post": _l("restore post"), "delete_post": _l("delete post"), "undelete_post": _l("undelete post"),
    "edit_post": _l("edit post"), "lock_thread": _l("lock thread"), "unlock_thread": _l("unlock thread"),
    "pin_thread": _l("pin thread"), "unpin_thread": _l("unpin thread"), "move_thread": _l("move thread"),
    "duplicate_thread": _l("duplicate thread"), "merge_thread": _l("merge thread"),
    "split_thread": _l("split thread"), "rename_thread": _l("rename thread"),
    "uphold_appeal": _l("uphold appeal"), "overturn_appeal": _l("overturn appeal"),
}
# Steps the author of a post takes (the log shows them as the author's, never by name when the
# post is anonymous): they are nobody's moderation "handled by".
AUTHOR_ACTIONS = ("resubmit_post", "appeal_post")


def post_state_word(state: str) -> str:
    """A post's state as said in "This post is already …" (in the reader's language)."""
    words = {"visible": _("visible"), "held": _("held for review"), "hidden": _("hidden"),
             "deleted": _("deleted")}
    return words.get(state, state)


def handled_by(target_type: str, target_id: int) -> str:
    """"by Name, 3 minutes ago" for the latest audit record on a target, or ""."""
    last = db.session.scalar(select(ModerationAction).where(
        ModerationAction.target_type == target_type, ModerationAction.target_id == target_id,
        ModerationAction.action.not_in(AUTHOR_ACTIONS))
        .order_by(ModerationAction.id.desc()).limit(1))
    if last is None:
        return ""
    minutes = int((utcnow() - last.created_at).total_seconds() // 60)
    when = _("just now") if minutes < 1 else ngettext("%(num)d minute ago", "%(num)d minutes ago", minutes)
    what = AUDIT_WORDS.get(last.action)
    return " " + _("(%(action)s by %(name)s, %(when)s)", action=str(what) if what else last.action.replace("_", " "),
                   name=last.actor.name, when=when)
