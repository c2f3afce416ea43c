"""The Guardian's rules about a topic's resources library (models/resource.py).

- Reading: whoever may read the topic sees its active resources; a hidden one only its
  topic's moderators and the person who added it; a deleted one nobody. Refusals are
  "not found", like any object out of sight.
- Curating (adding resources, new versions, editing title, summary, kind and tags): the
  topic's moderators and members (member brands) who may read the topic. A hidden
  resource is changed by the topic's moderators only (hiding it was their decision; its
  creator still reads it).
- Moderating (hide, delete, restore): the topic's moderators.
- The file of a resource version is fetched by whoever may read the resource
  (FileRules.why_not_read_upload asks `why_not_read_resource`).
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, false, or_

from ..models import Resource
from .base import GuardianBase, Hidden


class ResourceRules(GuardianBase):
    def why_not_read_resource(self, resource) -> str | None:
        if reason := self.why_not_read_topic(resource.topic):
            return reason
        hidden = Hidden(_("That resource does not exist."))
        if resource.state == "deleted":
            return hidden
        if resource.state == "hidden" and not (self.is_moderator(resource.topic)
                                               or self.user.id == resource.created_by_id):
            return hidden
        return None

    def can_read_resource(self, resource) -> bool:
        return self.why_not_read_resource(resource) is None

    def ensure_read_resource(self, resource) -> None:
        self._ensure(self.why_not_read_resource(resource), resource, hidden=True)

    def why_not_curate_resources(self, topic) -> str | None:
        """May this user add resources to `topic`'s library?"""
        if reason := self.why_not_read_topic(topic):
            return reason
        if self.is_moderator(topic) or self.user.is_member:
            return None
        return _("Only member brands and the topic's moderators curate its resources library.")

    def can_curate_resources(self, topic) -> bool:
        return self.why_not_curate_resources(topic) is None

    def ensure_curate_resources(self, topic) -> None:
        self._ensure(self.why_not_curate_resources(topic), topic)

    def why_not_edit_resource(self, resource) -> str | None:
        """May this user change `resource` (details, a new version, a new language)?"""
        if reason := self.why_not_read_resource(resource):
            return reason
        if reason := self.why_not_curate_resources(resource.topic):
            return reason
        if resource.state == "hidden" and not self.is_moderator(resource.topic):
            # Hiding it was a moderator's decision: its creator may read it, not change it.
            return _("A moderator hid this resource: only the topic's moderators can change it now.")
        return None

    def can_edit_resource(self, resource) -> bool:
        return self.why_not_edit_resource(resource) is None

    def ensure_edit_resource(self, resource) -> None:
        self._ensure(self.why_not_edit_resource(resource), resource)

    def why_not_moderate_resource(self, resource) -> str | None:
        if reason := self.why_not_read_resource(resource):
            return reason
        if not self.is_moderator(resource.topic):
            return _("Only the topic's moderators can hide or delete resources.")
        return None

    def can_moderate_resource(self, resource) -> bool:
        return self.why_not_moderate_resource(resource) is None

    def ensure_moderate_resource(self, resource) -> None:
        self._ensure(self.why_not_moderate_resource(resource), resource)

    # --- the scope beside the rule ------------------------------------------------------
    def readable_resources(self, query: Select, topic=None) -> Select:
        """`query` (over Resource) narrowed to the resources this user may read
        (why_not_read_resource as a query), in `topic` when given."""
        if topic is not None:
            query = query.where(Resource.topic_id == topic.id)
        if not self.active:
            return query.where(false())
        query = query.where(Resource.topic_id.in_(self.readable_topic_ids()))
        if self.user.role == "admin":
            return query.where(Resource.state != "deleted")
        return query.where(or_(Resource.state == "active",
                               (Resource.state == "hidden") & or_(Resource.created_by_id == self.user.id,
                                                                  Resource.topic_id.in_(self._moderated_topic_ids()))))
