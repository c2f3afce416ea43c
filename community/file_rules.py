"""The Guardian's rules about uploaded files (mixed into permissions.Guardian).

A file is seen by whoever may see what it belongs to, and no one else:

- a file of a post: the post's readers (Guardian.why_not_see_post: the topic's
  visibility, a thread awaiting review, a held, hidden or deleted post shown only to
  its author and the topic's moderators); a file a moderator hid: its owner and the
  topic's moderators only;
- a file in no post yet: its owner only;
- a deleted file: nobody.

Refusals are "not found", so a file's address tells an outsider nothing. In their own
module while permissions.py is being restructured; they belong to the one Guardian.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .errors import Forbidden, NotFound

FILE_NOT_FOUND = _l("That file does not exist.")


class FileRules:
    """Rules over Upload objects; `self` is a Guardian."""

    def why_not_read_upload(self, upload) -> str | None:
        if reason := self.why_not_use_site():
            return reason
        hidden = _("That file does not exist.")
        if upload.state == "deleted":
            return hidden
        owner = self.user.id == upload.owner_id
        if upload.post is None:
            return None if owner else hidden
        if self.why_not_see_post(upload.post):
            return hidden
        if upload.state == "hidden" and not (owner or self.is_moderator(upload.post.thread.topic)):
            return hidden
        return None

    def can_read_upload(self, upload) -> bool:
        return self.why_not_read_upload(upload) is None

    def ensure_read_upload(self, upload) -> None:
        reason = self.why_not_read_upload(upload)
        if reason is None:
            return
        if self.active:
            raise NotFound(str(FILE_NOT_FOUND))
        raise Forbidden(reason)

    def why_not_attach_upload(self, upload, post) -> str | None:
        """May this user put `upload` in `post` (one they are writing)?"""
        if reason := self.why_not_use_site():
            return reason
        if upload.owner_id != self.user.id or upload.state == "deleted":
            return _("That file is not one of yours (or it was deleted): %(id)s.", id=upload.id)
        if upload.state != "active":
            return _("That file was hidden by a moderator and cannot be attached.")
        if upload.post_id is not None and upload.post_id != post.id:
            return _("That file is already attached to another post: upload it again to use it here.")
        if post.author_id != self.user.id:
            return _("Only the author of a post can attach files to it.")
        return None

    def ensure_attach_upload(self, upload, post) -> None:
        reason = self.why_not_attach_upload(upload, post)
        if reason is not None:
            raise Forbidden(reason)
