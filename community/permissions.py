"""The Guardian: the one place that answers "may this user do X to this object?".

Every rule is a `why_not_<x>(...)` method returning None (allowed) or the
reason it is refused. `can_<x>(...)` returns a bool and `ensure_<x>(...)`
raises Forbidden/NotFound/Locked with that reason; pages, the API, socket
handlers and templates all ask the same Guardian with explicit objects.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .errors import Forbidden, Locked, NotFound
from .file_rules import FileRules

# Rules whose refusal must not reveal that the object exists.
_HIDDEN_WHEN_REFUSED = {"read_topic", "read_thread", "see_post", "read_live", "reveal_identity"}
# Reasons are translated when a rule is asked (gettext in the asker's language).
NOT_FOUND = _l("That does not exist, or it is not open to you.")
# "Not yours to see" and "not there" are one answer, word for word, on pages, the API and
# sockets: a refusal names the kind of thing asked for, exactly as its look-up does when
# nothing has that id (the getters in actions use these same messages).
NOT_FOUND_MESSAGES = {
    "Topic": _l("That topic does not exist."),
    "Thread": _l("That thread does not exist."),
    "Post": _l("That post does not exist."),
    "LiveSession": _l("That live session does not exist."),
    "LiveQuestion": _l("That question is not in this session."),
}


def not_found_message(kind) -> str:
    """The "does not exist" message of an object or a model name ("Post", ...)."""
    name = kind if isinstance(kind, str) else type(kind).__name__
    return str(NOT_FOUND_MESSAGES.get(name, NOT_FOUND))


class _Hidden(str):
    """A refusal because the object is out of the user's sight. Any rule that passes it on
    (reply, flag, edit...) must answer "not found" too: saying why would confirm it exists."""


class _Locked(str):
    """A refusal because the thread is locked: ensure_* raises Locked (423), not Forbidden."""


class Guardian(FileRules):
    def __init__(self, user: Any | None):
        # Keep pending/suspended users (Flask-Login calls them unauthenticated) so that
        # refusals can say why; every rule still requires an active user.
        real = user is not None and (getattr(user, "is_authenticated", False) or hasattr(user, "state"))
        self.user = user if real else None

    # --- who ---------------------------------------------------------------
    @property
    def active(self) -> bool:
        # The same people why_not_use_site admits: a removed organisation's staff keep no powers.
        return (self.user is not None and self.user.state == "active"
                and not (self.user.organisation is not None and self.user.organisation.removed))

    @property
    def is_admin(self) -> bool:
        return self.active and self.user.role == "admin"

    def is_moderator(self, topic) -> bool:
        return self.active and (self.user.role == "admin" or self.user.id in topic.moderator_ids)

    @property
    def moderates_any(self) -> bool:
        """Admins and anyone assigned to moderate at least one topic (for navigation)."""
        if not self.active:
            return False
        if self.user.role == "admin":
            return True
        if not hasattr(self, "_moderates_any"):
            from sqlalchemy import select

            from .extensions import db
            from .models import TopicModerator

            self._moderates_any = db.session.scalar(
                select(TopicModerator.topic_id).where(TopicModerator.user_id == self.user.id).limit(1)
            ) is not None
        return self._moderates_any

    def _is_author(self, obj) -> bool:
        return self.active and obj.author_id == self.user.id

    # --- generic can_/ensure_ ---------------------------------------------
    def __getattr__(self, name: str):
        if name.startswith("can_"):
            rule = getattr(self, "why_not_" + name[4:])
            return lambda *args, **kw: rule(*args, **kw) is None
        if name.startswith("ensure_"):
            what = name[7:]
            rule = getattr(self, "why_not_" + what)

            def ensure(*args, **kw):
                reason = rule(*args, **kw)
                if reason is None:
                    return
                if (what in _HIDDEN_WHEN_REFUSED or isinstance(reason, _Hidden)) and self.active:
                    raise NotFound(not_found_message(args[0]) if args else str(NOT_FOUND))
                if isinstance(reason, _Locked):
                    raise Locked(_("This thread is locked: no new replies."))
                raise Forbidden(reason)

            return ensure
        raise AttributeError(name)

    # --- rules --------------------------------------------------------------
    def why_not_use_site(self) -> str | None:
        if self.user is None:
            return _("Please sign in.")
        if self.user.state == "pending":
            return _("Your account is awaiting approval by an administrator.")
        if self.user.state == "suspended":
            return _("Your account is suspended.")
        if self.user.state != "active":  # "rejected", and any state added later
            return _("Your registration was not accepted.") if self.user.state == "rejected" \
                else _("Your account is not active.")
        if self.user.organisation is not None and self.user.organisation.removed:
            return _("Your organisation is no longer part of Roundtable.")
        return None

    def why_not_admin(self) -> str | None:
        return self.why_not_use_site() or (None if self.is_admin else _("Only administrators can do that."))

    def why_not_read_topic(self, topic) -> str | None:
        if reason := self.why_not_use_site():
            return reason
        if self.is_moderator(topic) or topic.visibility == "everyone":
            return None
        if topic.visibility == "members":
            return None if self.user.is_member else _Hidden(_("This topic is open to member brands only."))
        if topic.visibility == "organisations":
            if self.user.organisation_id in {o.id for o in topic.organisations}:
                return None
            return _Hidden(_("This topic is open to listed organisations only."))
        return _Hidden(_("You cannot read this topic."))

    def why_not_moderate(self, topic) -> str | None:
        if reason := self.why_not_use_site():
            return reason
        return None if self.is_moderator(topic) else _("Only this topic's moderators can do that.")

    def why_not_start_thread(self, topic, kind: str = "discussion") -> str | None:
        if reason := self.why_not_read_topic(topic):
            return reason
        if self.is_moderator(topic):
            return None
        if kind == "archive":
            return _("Archive threads are created by live sessions only.")
        if kind == "announcement" and not self.user.is_member:
            return _("Only members and moderators can post announcements.")
        if topic.who_can_start == "members" and not self.user.is_member:
            return _("Only member brands can start threads in this topic.")
        if topic.who_can_start == "moderators":
            return _("Only moderators can start threads in this topic.")
        return None

    def why_not_post_anonymously(self, topic) -> str | None:
        if reason := self.why_not_read_topic(topic):
            return reason
        return None if topic.allow_anonymous else _("This topic does not allow anonymous posts.")

    def why_not_read_thread(self, thread) -> str | None:
        if reason := self.why_not_read_topic(thread.topic):
            return reason
        if thread.state != "visible" and not (self._is_author(thread) or self.is_moderator(thread.topic)):
            return _Hidden(_("This thread is awaiting review."))
        return None

    def why_not_see_post(self, post) -> str | None:
        if reason := self.why_not_read_thread(post.thread):
            return reason
        if post.state == "visible" or self.is_moderator(post.thread.topic):
            return None
        if post.state in ("held", "hidden", "deleted") and self._is_author(post):
            return None
        return _Hidden(_("This post is not available."))

    def why_not_reply(self, thread) -> str | None:
        if reason := self.why_not_read_thread(thread):
            return reason
        if thread.kind == "archive":
            return _("This archive is read-only.")
        if thread.locked and not self.is_moderator(thread.topic):
            return _locked()
        return None

    def why_not_edit_post(self, post) -> str | None:
        if reason := self.why_not_see_post(post):
            return reason
        if self.is_moderator(post.thread.topic):
            return None
        if not self._is_author(post):
            return _("Only the author or a moderator can edit this post.")
        if post.state == "deleted" or (post.state == "hidden" and not post.is_rejected):
            return _("This post cannot be edited now.")
        if post.thread.locked:
            return _locked()
        return None

    def why_not_delete_post(self, post) -> str | None:
        if reason := self.why_not_see_post(post):
            return reason
        if post.state == "deleted":
            return _("This post is already deleted.")
        if self.is_moderator(post.thread.topic) or self._is_author(post):
            return None
        return _("Only the author or a moderator can delete this post.")

    def why_not_restore_post(self, post) -> str | None:
        if reason := self.why_not_see_post(post):
            return reason
        if post.state != "deleted":
            return _("Only deleted posts can be restored.")
        if self.is_moderator(post.thread.topic):
            return None
        if self._is_author(post):
            if _deleted_by_moderator(post):
                return _("A moderator removed this post; only a moderator can restore it.")
            return None
        return _("Only the author or a moderator can restore this post.")

    def why_not_flag(self, post) -> str | None:
        if reason := self.why_not_see_post(post):
            return reason
        if self._is_author(post):
            return _("You cannot flag your own post.")
        if post.state != "visible":
            return _("This post is already with the moderators.")
        return None

    def why_not_accept_answer(self, thread, post=None) -> str | None:
        if reason := self.why_not_read_thread(thread):
            return reason
        if thread.kind != "question":
            return _("Only questions have accepted answers.")
        if post is not None and (post.is_opening or post.thread_id != thread.id or post.state != "visible"):
            return _("That post cannot be the accepted answer.")
        if self._is_author(thread) or self.is_moderator(thread.topic):
            return None
        return _("Only the person who asked or a moderator can accept an answer.")

    # --- identities ------------------------------------------------------------------
    # An anonymous author is named to themself and, after a logged reveal ("reveal_author"
    # in the audit log), to the moderator who revealed that one post or question, for as
    # long as they moderate its topic. Nobody else, moderators and administrators included.
    def why_not_see_identity(self, obj) -> str | None:
        """May this user see who wrote `obj` (a Post, Thread or LiveQuestion) when it is anonymous?"""
        kind = _identity_kind(obj)
        if reason := self._why_not_see_target(obj, kind):
            return reason  # nobody learns who wrote what they cannot see
        if not obj.anonymous or self._is_author(obj):
            return None
        if self.is_moderator(_topic_of(obj)) and self._revealed_target(obj, kind):
            return None
        return _("The author chose to stay anonymous.")

    def why_not_reveal_identity(self, obj) -> str | None:
        """May this user reveal who wrote `obj` (a Post or LiveQuestion): the topic's moderators
        and administrators; for everyone else the object is "not there"."""
        if reason := self._why_not_see_target(obj, _identity_kind(obj)):
            return reason
        if not self.is_moderator(_topic_of(obj)):
            return _Hidden(_("Only this topic's moderators can do that."))
        return None

    def revealed(self, kind: str, target_id: int) -> bool:
        """Has this user revealed the author of that post or live question (kind "post" /
        "live_question")? Their reveals are read once per Guardian."""
        return (kind, target_id) in self._reveals()

    def _reveals(self) -> set:
        if not self.active:
            return set()
        if not hasattr(self, "_revealed"):
            from sqlalchemy import select

            from .extensions import db
            from .models import ModerationAction

            self._revealed = set(db.session.execute(
                select(ModerationAction.target_type, ModerationAction.target_id)
                .where(ModerationAction.actor_id == self.user.id, ModerationAction.action == "reveal_author")).all())
        return self._revealed

    def _revealed_target(self, obj, kind: str) -> bool:
        if not self._reveals():
            return False  # the common case: no query at all
        if kind == "thread":  # a thread's author is its opening post's
            from sqlalchemy import select

            from .extensions import db
            from .models import Post

            opening = db.session.scalar(select(Post.id).where(Post.thread_id == obj.id, Post.is_opening.is_(True)))
            return self.revealed("post", opening)
        return self.revealed(kind, obj.id)

    def _why_not_see_target(self, obj, kind: str) -> str | None:
        if kind == "live_question":
            if reason := self.why_not_read_live(obj.session):
                return reason
            public = obj.state in ("visible", "answering", "answered")
            return None if public or self._is_author(obj) or self.is_host(obj.session) else \
                _Hidden(_("That question is not in this session."))
        return self.why_not_read_thread(obj) if kind == "thread" else self.why_not_see_post(obj)

    # --- live sessions ------------------------------------------------------------
    def is_host(self, session) -> bool:
        return self.active and (self.user.id in session.host_ids or self.is_moderator(session.topic))

    def why_not_schedule_live(self, topic) -> str | None:
        if reason := self.why_not_read_topic(topic):
            return reason
        if not topic.allow_live:
            return _("This topic does not host live sessions.")
        if not (self.user.is_member or self.is_moderator(topic)):
            return _("Only members and moderators can schedule live sessions.")
        return None

    def why_not_read_live(self, session) -> str | None:
        return self.why_not_read_topic(session.topic)

    def why_not_host_live(self, session) -> str | None:
        if reason := self.why_not_read_live(session):
            return reason
        return None if self.is_host(session) else _("Only this session's hosts and the topic's moderators can do that.")

    def why_not_take_part_live(self, session, silenced: bool = False) -> str | None:
        if reason := self.why_not_read_live(session):
            return reason
        if session.state == "ended":
            return _("This session has ended.")
        if silenced and not self.is_host(session):
            return _("A host silenced you for the rest of this session.")
        return None


# --- query scopes beside the rules --------------------------------------------------------
def readers_of_topic(topic) -> list:
    """Where-conditions on User for the people who may read `topic` (why_not_read_topic as a
    query): active, in an organisation still in the consortium, and admitted by the topic's
    visibility or as its moderators or administrators."""
    from sqlalchemy import or_, select

    from .models import Organisation, User

    staff = or_(User.role == "admin", User.id.in_(topic.moderator_ids or {0}))
    if topic.visibility == "everyone":
        admitted = None
    elif topic.visibility == "members":
        admitted = or_(User.role.in_(("member", "admin")), staff)
    elif topic.visibility == "organisations":
        admitted = or_(User.organisation_id.in_([o.id for o in topic.organisations] or [0]), staff)
    else:
        admitted = staff
    conditions = [User.state == "active",
                  User.organisation_id.in_(select(Organisation.id).where(Organisation.removed.is_(False)))]
    if admitted is not None:
        conditions.append(admitted)
    return conditions


def readers_of_thread(thread) -> list:
    """Where-conditions on User for the people who may read `thread` (why_not_read_thread):
    a thread awaiting review is its author's and the moderators' only."""
    from sqlalchemy import or_

    from .models import User

    conditions = readers_of_topic(thread.topic)
    if thread.state != "visible":
        conditions.append(or_(User.id == thread.author_id, User.role == "admin",
                              User.id.in_(thread.topic.moderator_ids or {0})))
    return conditions


def _identity_kind(obj) -> str:
    """What an anonymous object is, as the audit log names targets: post, live_question (or thread)."""
    if hasattr(obj, "session_id"):
        return "live_question"
    return "thread" if hasattr(obj, "topic") else "post"


def _topic_of(obj):
    if hasattr(obj, "session_id"):
        return obj.session.topic
    return obj.topic if hasattr(obj, "topic") else obj.thread.topic


def _deleted_by_moderator(post) -> bool:
    """Was the post's current deletion done by someone else (a moderator)? The audit log knows:
    actions.posts.delete_post audits only deletions by others than the author."""
    from sqlalchemy import select

    from .extensions import db
    from .models import ModerationAction

    last = db.session.scalar(
        select(ModerationAction.action)
        .where(ModerationAction.target_type == "post", ModerationAction.target_id == post.id,
               ModerationAction.action.in_(("delete_post", "undelete_post", "restore_post")))
        .order_by(ModerationAction.id.desc()).limit(1)
    )
    return last == "delete_post"


def _locked() -> _Locked:
    return _Locked(_("This thread is locked."))
