"""Rules about topics, threads and posts, each with the query scope beside it.

A rule answers for one object ("may this user see this post?"); its scope answers for
a query ("narrow this SELECT to the posts this user may see"), in SQL, so that pages, the
API, search and digests never write "visible or their own" themselves. Scopes take a
SELECT and return it narrowed; a rule and its scope change together (the tests compare
them object by object: tests/test_permission_scopes.py).
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, and_, false, or_, select, true

from ..extensions import db
from ..models import ModerationAction, Post, Thread, Topic, topic_organisations
from .base import GuardianBase, Hidden, locked

# The states in which an author still sees their own post (with its state shown).
OWN_POST_STATES = ("held", "hidden", "deleted")


class ContentRules(GuardianBase):
    # --- topics --------------------------------------------------------------------
    def why_not_read_topic(self, topic) -> str | None:
        if reason := self.why_not_use_site():
            return reason
        if self.is_moderator(topic) or topic.visibility == "everyone":
            return None
        if topic.visibility == "members":
            return None if self.user.is_member else Hidden(_("This topic is open to member brands only."))
        if topic.visibility == "organisations":
            if self.user.organisation_id in {o.id for o in topic.organisations}:
                return None
            return Hidden(_("This topic is open to listed organisations only."))
        return Hidden(_("You cannot read this topic."))

    def can_read_topic(self, topic) -> bool:
        return self.why_not_read_topic(topic) is None

    def ensure_read_topic(self, topic) -> None:
        self._ensure(self.why_not_read_topic(topic), topic, hidden=True)

    def _topic_clause(self):
        """why_not_read_topic as a where-clause on Topic."""
        if not self.active:
            return false()
        if self.user.role == "admin":
            return true()
        admitted = [Topic.visibility == "everyone", Topic.id.in_(self._moderated_topic_ids()),
                    and_(Topic.visibility == "organisations", Topic.id.in_(
                        select(topic_organisations.c.topic_id)
                        .where(topic_organisations.c.organisation_id == self.user.organisation_id)))]
        if self.user.is_member:
            admitted.append(Topic.visibility == "members")
        return or_(*admitted)

    def readable_topics(self, query: Select | None = None) -> Select:
        """`query` (a SELECT over Topic; by default all topics in their order) narrowed to the
        topics this user may read (why_not_read_topic)."""
        if query is None:
            query = select(Topic).order_by(Topic.position, Topic.name)
        return query.where(self._topic_clause())

    def readable_topic_ids(self) -> Select:
        """The ids of the topics this user may read, as a subquery for `.in_()`."""
        return select(Topic.id).where(self._topic_clause())

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

    def can_start_thread(self, topic, kind: str = "discussion") -> bool:
        return self.why_not_start_thread(topic, kind) is None

    def ensure_start_thread(self, topic, kind: str = "discussion") -> None:
        self._ensure(self.why_not_start_thread(topic, kind), topic)

    def why_not_post_anonymously(self, topic) -> str | None:
        if reason := self.why_not_read_topic(topic):
            return reason
        return None if topic.allow_anonymous else _("This topic does not allow anonymous posts.")

    def can_post_anonymously(self, topic) -> bool:
        return self.why_not_post_anonymously(topic) is None

    def ensure_post_anonymously(self, topic) -> None:
        self._ensure(self.why_not_post_anonymously(topic), topic)

    # --- threads -------------------------------------------------------------------
    def why_not_read_thread(self, thread) -> str | None:
        if reason := self.why_not_read_topic(thread.topic):
            return reason
        if thread.state != "visible" and not (self._is_author(thread) or self.is_moderator(thread.topic)):
            return Hidden(_("This thread is awaiting review."))
        return None

    def can_read_thread(self, thread) -> bool:
        return self.why_not_read_thread(thread) is None

    def ensure_read_thread(self, thread) -> None:
        self._ensure(self.why_not_read_thread(thread), thread, hidden=True)

    def _thread_clause(self, topic=None):
        """why_not_read_thread as a where-clause on Thread (of `topic` only, when given)."""
        if not self.active or (topic is not None and not self.can_read_topic(topic)):
            return false()
        if topic is not None:
            in_sight = Thread.topic_id == topic.id
            if self.is_moderator(topic):
                return in_sight
            return and_(in_sight, or_(Thread.state == "visible", Thread.author_id == self.user.id))
        if self.is_admin:
            return true()
        in_sight = [Thread.state == "visible", Thread.author_id == self.user.id]
        if self.moderates_any:
            in_sight.append(Thread.topic_id.in_(self._moderated_topic_ids()))
        return and_(Thread.topic_id.in_(self.readable_topic_ids()), or_(*in_sight))

    def readable_threads(self, query: Select, topic=None) -> Select:
        """`query` (a SELECT over Thread) narrowed to the threads this user may read
        (why_not_read_thread): in a readable topic, and visible unless they wrote it or
        moderate its topic. With `topic`, the threads of that topic only."""
        return query.where(self._thread_clause(topic))

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

    def can_accept_answer(self, thread, post=None) -> bool:
        return self.why_not_accept_answer(thread, post) is None

    def ensure_accept_answer(self, thread, post=None) -> None:
        self._ensure(self.why_not_accept_answer(thread, post), thread)

    def why_not_reply(self, thread) -> str | None:
        if reason := self.why_not_read_thread(thread):
            return reason
        if thread.kind == "archive":
            return _("This archive is read-only.")
        if thread.locked and not self.is_moderator(thread.topic):
            return locked()
        return None

    def can_reply(self, thread) -> bool:
        return self.why_not_reply(thread) is None

    def ensure_reply(self, thread) -> None:
        self._ensure(self.why_not_reply(thread), thread)

    # --- posts ---------------------------------------------------------------------
    def why_not_see_post(self, post) -> str | None:
        if reason := self.why_not_read_thread(post.thread):
            return reason
        if post.state == "visible" or self.is_moderator(post.thread.topic):
            return None
        if post.state in OWN_POST_STATES and self._is_author(post):
            return None
        return Hidden(_("This post is not available."))

    def can_see_post(self, post) -> bool:
        return self.why_not_see_post(post) is None

    def ensure_see_post(self, post) -> None:
        self._ensure(self.why_not_see_post(post), post, hidden=True)

    def visible_posts(self, query: Select, thread=None, *, thread_joined: bool = False) -> Select:
        """`query` (a SELECT over Post) narrowed to the posts this user may see (why_not_see_post):
        visible ones, their own while held, hidden or deleted, and all of them in the topics they
        moderate, in threads they may read. With `thread`, the posts of that thread only.
        `thread_joined`: the query already joins Thread on Post.thread_id (search, digests), whose
        columns are then used rather than a subquery."""
        own = and_(Post.author_id == self.user.id, Post.state.in_(OWN_POST_STATES)) if self.active else false()
        if thread is not None:
            # The thread is asked about once, here; its posts need no join.
            in_thread = [Post.thread_id == thread.id, true() if self.can_read_thread(thread) else false()]
            if self.is_moderator(thread.topic):
                return query.where(*in_thread)
            return query.where(*in_thread, or_(Post.state == "visible", own))
        if self.is_admin:
            return query
        moderated = self._moderated_topic_ids() if self.moderates_any else None
        if thread_joined:
            shown = [Post.state == "visible", own]
            if moderated is not None:
                shown.append(Thread.topic_id.in_(moderated))
            return query.where(self._thread_clause(), or_(*shown))
        shown = [Post.state == "visible", own]
        if moderated is not None:
            shown.append(Post.thread_id.in_(select(Thread.id).where(Thread.topic_id.in_(moderated))))
        return query.where(Post.thread_id.in_(select(Thread.id).where(self._thread_clause())), or_(*shown))

    def privileged(self, obj) -> bool:
        """Does this user see behind `obj` (a Post, a Thread or a Topic)? The author of a post or
        thread and its topic's moderators see the Markdown source, state reasons and earlier
        versions; of a topic, its moderators."""
        if isinstance(obj, Topic):
            return self.is_moderator(obj)
        topic = obj.topic if isinstance(obj, Thread) else obj.thread.topic
        return self._is_author(obj) or self.is_moderator(topic)

    def why_not_edit_post(self, post) -> str | None:
        if reason := self.why_not_see_post(post):
            return reason
        if self.is_moderator(post.thread.topic):
            return None
        if not self._is_author(post):
            return _("Only the author or a moderator can edit this post.")
        # A hidden or rejected post may be edited: that sends it back to the moderators.
        if post.state == "deleted":
            return _("This post cannot be edited now.")
        if post.thread.locked:
            return locked()
        return None

    def can_edit_post(self, post) -> bool:
        return self.why_not_edit_post(post) is None

    def ensure_edit_post(self, post) -> None:
        self._ensure(self.why_not_edit_post(post), post)

    def why_not_delete_post(self, post) -> str | None:
        if reason := self.why_not_see_post(post):
            return reason
        if post.state == "deleted":
            return _("This post is already deleted.")
        if self.is_moderator(post.thread.topic) or self._is_author(post):
            return None
        return _("Only the author or a moderator can delete this post.")

    def can_delete_post(self, post) -> bool:
        return self.why_not_delete_post(post) is None

    def ensure_delete_post(self, post) -> None:
        self._ensure(self.why_not_delete_post(post), post)

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

    def can_restore_post(self, post) -> bool:
        return self.why_not_restore_post(post) is None

    def ensure_restore_post(self, post) -> None:
        self._ensure(self.why_not_restore_post(post), post)

    def why_not_flag(self, post) -> str | None:
        if reason := self.why_not_see_post(post):
            return reason
        if self._is_author(post):
            return _("You cannot flag your own post.")
        if post.state != "visible":
            return _("This post is already with the moderators.")
        return None

    def can_flag(self, post) -> bool:
        return self.why_not_flag(post) is None

    def ensure_flag(self, post) -> None:
        self._ensure(self.why_not_flag(post), post)


def _deleted_by_moderator(post) -> bool:
    """Was the post's current deletion done by someone else (a moderator)? The audit log knows:
    actions.posts.delete_post audits only deletions by others than the author."""
    last = db.session.scalar(
        select(ModerationAction.action)
        .where(ModerationAction.target_type == "post", ModerationAction.target_id == post.id,
               ModerationAction.action.in_(("delete_post", "undelete_post", "restore_post")))
        .order_by(ModerationAction.id.desc()).limit(1)
    )
    return last == "delete_post"
