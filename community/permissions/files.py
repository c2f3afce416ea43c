"""The Guardian's rules about uploaded files.

A file is seen by whoever may see what it belongs to, and no one else:

- a file of a post: the post's readers (Guardian.why_not_see_post: the topic's
  visibility, a thread awaiting review, a held, hidden or deleted post shown only to
  its author and the topic's moderators); a file a moderator hid: its owner and the
  topic's moderators only;
- a file in no post yet: its owner only, unless a version of a resource uses it: then
  whoever may read that resource (ResourceRules.why_not_read_resource), its uploader
  included but no one else (a deleted resource's file is served to nobody);
- a deleted file: nobody.

Refusals are "not found" (base.NOT_FOUND_MESSAGES["Upload"]), so a file's address tells an
outsider nothing.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Resource, ResourceVersion
from .base import GuardianBase, Hidden


class FileRules(GuardianBase):
    """Rules over Upload objects (the post rules they lean on are ContentRules')."""

    def why_not_read_upload(self, upload) -> str | None:
        if reason := self.why_not_use_site():
            return reason
        hidden = Hidden(_("That file does not exist."))
        if upload.state == "deleted":
            return hidden
        owner = self.user.id == upload.owner_id
        if upload.post is None:
            using = self._resources_using(upload)
            if not using:  # not used yet: its owner's alone
                return None if owner else hidden
            # A file of the resources library: whoever may read one resource using it (its
            # uploader too, and no more: a deleted resource's file is served to nobody).
            for resource in using:
                if self.why_not_read_resource(resource) is None:
                    visible = upload.state == "active" or owner or self.is_moderator(resource.topic)
                    return None if visible else hidden
            return hidden
        if self.why_not_see_post(upload.post):
            return hidden
        if upload.state == "hidden" and not (owner or self.is_moderator(upload.post.thread.topic)):
            return hidden
        return None

    @staticmethod
    def _resources_using(upload) -> list:
        return list(db.session.scalars(select(Resource).join(ResourceVersion).where(
            ResourceVersion.upload_id == upload.id).distinct()))

    def can_read_upload(self, upload) -> bool:
        return self.why_not_read_upload(upload) is None

    def ensure_read_upload(self, upload) -> None:
        self._ensure(self.why_not_read_upload(upload), upload, hidden=True)

    def topic_of_upload(self, upload):
        """The topic a file is in: its post's, else the first resource's using it (None: in nothing yet)."""
        if upload.post is not None:
            return upload.post.thread.topic
        using = self._resources_using(upload)
        return using[0].topic if using else None

    def why_not_moderate_upload(self, upload) -> str | None:
        """Hide, delete or restore a file: the moderators of the topic it is in."""
        if reason := self.why_not_read_upload(upload):
            return reason
        topic = self.topic_of_upload(upload)
        if topic is None or not self.is_moderator(topic):
            return _("Only the topic's moderators can hide or delete files.")
        return None

    def can_moderate_upload(self, upload) -> bool:
        return self.why_not_moderate_upload(upload) is None

    def ensure_moderate_upload(self, upload) -> None:
        self._ensure(self.why_not_moderate_upload(upload), upload)

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
        if upload.post_id is None and self._resources_using(upload):
            # A library file follows its resource's rules (who reads it, a deleted resource's file
            # served to nobody), and its id would tie a post, even an anonymous one, to its curator.
            return _("That file is in the resources library: cite the resource, or upload the file again.")
        if post.author_id != self.user.id:
            return _("Only the author of a post can attach files to it.")
        return None

    def can_attach_upload(self, upload, post) -> bool:
        return self.why_not_attach_upload(upload, post) is None

    def ensure_attach_upload(self, upload, post) -> None:
        self._ensure(self.why_not_attach_upload(upload, post))
