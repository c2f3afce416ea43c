"""Rules about what a reader keeps or says of a post: reactions and bookmarks.

Neither may make an anonymous author findable: a refusal says no more than reading would
(a post out of sight is "not found"), and who reacted is decided by `reacts_unnamed`
(identity.py).
"""
from __future__ import annotations

from flask_babel import gettext as _

from .base import locked
from .content import ContentRules


class SavedRules(ContentRules):
    # --- reactions -----------------------------------------------------------------
    def why_not_react(self, post) -> str | None:
        """React to a post (or take one's reaction back): a published post of someone else's."""
        if reason := self.why_not_see_post(post):
            return reason
        if post.state != "visible":
            return _("You can react to published posts only.")
        if self._is_author(post):
            return _("You cannot react to your own post.")
        if post.thread.locked and not self.is_moderator(post.thread.topic):
            return locked()
        return None

    def can_react(self, post) -> bool:
        return self.why_not_react(post) is None

    def ensure_react(self, post) -> None:
        self._ensure(self.why_not_react(post), post)

    # --- bookmarks -----------------------------------------------------------------
    def why_not_bookmark(self, obj) -> str | None:
        """Bookmark a Post or a Thread: anything the user may see (a bookmark is theirs alone)."""
        return self.why_not_read_thread(obj) if hasattr(obj, "topic") else self.why_not_see_post(obj)

    def can_bookmark(self, obj) -> bool:
        return self.why_not_bookmark(obj) is None

    def ensure_bookmark(self, obj) -> None:
        self._ensure(self.why_not_bookmark(obj), obj)
