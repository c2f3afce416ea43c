"""The one place that names the author of a post, a thread or a live question.

An anonymous author is named to the viewers the Guardian lets see the identity (the author
themself, and a moderator after a logged reveal: Guardian.can_see_identity); everyone else
gets a label, "Anonymous member" or "Anonymous supplier", and nothing more.

  anonymous_label(user)   the English label: the API's stable value, and stored English texts
  translated_label(user)  the label in the language of wherever it is shown (lazy)
  public_name(obj)        how everyone is told who wrote `obj`: the name, or the label (lazy)
  author_display(obj, g)  the pages' dict (templates: partials/post.html, thread rows, search)
  author_payload(obj, g)  the JSON shape (API, room events); user_payload(user) for a person
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from .avatars import avatar_payload

if TYPE_CHECKING:  # annotations only: the Guardian sits beside this module, not below it
    from .permissions import Guardian

_MEMBER_ROLES = ("member", "admin")
_LABELS = {True: _l("Anonymous member"), False: _l("Anonymous supplier")}


def anonymous_label(user) -> str:
    """The English label (the API's stable value); pages show translated_label(user)."""
    return "Anonymous member" if user.role in _MEMBER_ROLES else "Anonymous supplier"


def translated_label(user):
    """The anonymous label of `user`, worded when shown: in the reader's language on a page,
    in the recipient's in a notification or an email."""
    return _LABELS[user.role in _MEMBER_ROLES]


def public_name(obj, *, english: bool = False):
    """How `obj`'s author (a Post, Thread or LiveQuestion) is named to everyone: their name,
    or when anonymous the translated label (lazy: str() it where a plain string is needed;
    `english`: the English label, for texts stored in English such as a live session's archive)."""
    if not obj.anonymous:
        return obj.author.name
    return anonymous_label(obj.author) if english else translated_label(obj.author)


def user_payload(user) -> dict:
    return {
        "id": user.id,
        "name": user.name,
        "handle": user.handle,
        "role": user.role,
        "organisation": {"id": user.organisation.id, "name": user.organisation.name,
                          "kind": user.organisation.kind, "country": user.organisation.country},
        "url": f"/users/{user.id}",  # the profile page
        "avatar": avatar_payload(user),
    }


def author_payload(obj, viewer: Guardian | None) -> dict:
    """`obj`'s author as JSON for `viewer` (None: anyone in the room)."""
    if obj.anonymous:
        label = anonymous_label(obj.author)
        if viewer is not None and viewer.user is not None and viewer.can_see_identity(obj):
            return {"anonymous": True, "label": label, **user_payload(obj.author)}
        return {"anonymous": True, "label": label}
    return user_payload(obj.author)


def author_display(obj, viewer: Guardian | None) -> dict:
    """How a page names `obj`'s author to `viewer` (None: anyone in the room).

    An anonymous author is told it is them; a moderator who revealed that post (a logged
    act, see actions.moderation.reveal_author) sees the name, marked as revealed to them;
    everyone else, moderators included, gets the label and nothing more.
    """
    author = obj.author
    if not obj.anonymous:
        return {"anonymous": False, "id": author.id, "name": author.name, "organisation": author.organisation.name,
                "role": author.role}
    shown = {"anonymous": True, "label": str(translated_label(author)), "revealed": None}
    if viewer is not None and viewer.user is not None:
        if viewer.user.id == obj.author_id:
            shown["revealed"] = "self"
        elif viewer.can_see_identity(obj):
            shown.update(revealed="moderator", name=author.name, organisation=author.organisation.name)
    return shown
