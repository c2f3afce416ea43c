"""API routes about people: a profile (what the caller may see of it), a person's public
posts page by page, and the caller's own settings (avatar colour, language, time zone)."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from ..actions import accounts, people
from ..errors import Invalid
from ..events import unit_of_work
from ..models.base import iso
from ..payloads import user_payload
from .common import bp, caller, cursor_id, decode_cursor, encode_cursor, guardian, json_body, page_size


def person_payload(person) -> dict:
    return {**user_payload(person), "country": person.organisation.country, "joined_at": iso(person.created_at)}


def public_post_payload(post) -> dict:
    """A post in a profile: where it is and how it starts (the thread holds the whole of it)."""
    thread = post.thread
    return {
        "id": post.id,
        "thread": {"id": thread.id, "title": thread.title, "topic": thread.topic.slug, "kind": thread.kind},
        "is_opening": post.is_opening,
        "accepted": thread.accepted_post_id == post.id,
        "created_at": iso(post.created_at),
        "excerpt": people.excerpt(post),
        "url": f"/posts/{post.id}",
    }


@bp.get("/users/<int:user_id>")
def read_user(user_id: int):
    """A person's profile: who they are, the topics they are active in, their latest public
    posts and answers, and how many of their answers were accepted (all counted over what the
    caller may read; never an anonymous post)."""
    found = people.profile(guardian(), people.get_person(user_id))
    return {
        "user": person_payload(found.person),
        "topics": [{"slug": t.slug, "name": t.name, "posts": n} for t, n in found.topics],
        "post_count": found.post_count,
        "accepted_answers": found.accepted_answers,
        "posts": [public_post_payload(p) for p in found.posts],
        "answers": [public_post_payload(p) for p in found.answers],
    }


@bp.get("/users/<int:user_id>/posts")
def list_user_posts(user_id: int):
    """A person's public posts, newest first (`?answers=1`: replies to questions only)."""
    person = people.get_person(user_id)
    answers = request.args.get("answers", "")
    if answers not in ("", "0", "1", "true", "false"):
        raise Invalid(_("answers must be 1 or 0."), field="answers")
    limit = page_size(people.PROFILE_POSTS * 3)
    after = decode_cursor("user-posts", 1)
    posts = people.public_posts_of(guardian(), person, before=cursor_id(after[0]) if after else None,
                                   limit=limit + 1, answers=answers in ("1", "true"))
    page = posts[:limit]
    return {"posts": [public_post_payload(p) for p in page],
            "next_cursor": encode_cursor("user-posts", page[-1].id) if len(posts) > limit else None}


SETTINGS = ("avatar_colour", "locale", "timezone")


@bp.patch("/me")
def update_me():
    """The caller's own settings: `avatar_colour` (a colour key, or null for the name's),
    `locale` (a language of the interface), `timezone` (an IANA name, or "UTC"); any of them,
    all saved or none (one refused: 400 naming its field)."""
    data = json_body()
    if not any(key in data for key in SETTINGS):
        raise Invalid(_("Say what to change: %(fields)s.", fields=", ".join(SETTINGS)))
    user = caller()
    with unit_of_work():  # the actions below join it: one refused, nothing is saved
        if "avatar_colour" in data:
            people.set_avatar_colour(user, data["avatar_colour"])
        if "locale" in data:
            accounts.set_locale(user, data["locale"], field="locale")
        if "timezone" in data:
            accounts.set_timezone(user, data["timezone"])
    return {"user": {**person_payload(user), "locale": user.locale, "timezone": user.timezone}}
