"""API routes for read state: recording how far the caller has read a thread, their unread
summary, and marking a topic or everything read. `with_read_state` adds the caller's read
state to the thread objects of a list."""
from __future__ import annotations

from ..actions import reading
from ..payloads import thread_payload
from .common import bp, caller, guardian, json_body, load_thread, load_topic


def with_read_state(payload: dict, state: reading.ReadState | None) -> dict:
    """A thread object of a list with the caller's `unread` posts, whether it is `new`, and
    `last_read_post_id` (None: never opened)."""
    state = state or reading.NOTHING_READ
    return {**payload, "unread": state.unread, "new": state.new,
            "last_read_post_id": state.last_read_post_id or None}


def threads_with_read_state(threads) -> list[dict]:
    g = guardian()
    states = reading.states_for(caller(), list(threads))
    return [with_read_state(thread_payload(t, g), states.get(t.id)) for t in threads]


def read_payload(thread, state: reading.ReadState) -> dict:
    return {"thread_id": thread.id, "last_read_post_id": state.last_read_post_id or None, "unread": state.unread,
            "new": state.new, "first_unread_post_id": reading.first_unread_post_id(caller(), thread, state)}


@bp.post("/threads/<int:thread_id>/read")
def read_thread_up_to(thread_id: int):
    """The caller has read the thread up to `post_id` (forward only: an older post changes nothing)."""
    thread = load_thread(thread_id)
    data = json_body()
    state = reading.mark_read(caller(), thread, data.get("post_id"))
    return {"read": read_payload(thread, state)}


@bp.get("/me/unread")
def my_unread():
    """Every topic the caller may read with its `unread` (threads with posts the caller has not
    read) and `new` (threads never opened) counts, and the threads with unread posts."""
    return reading.summary(guardian())


@bp.post("/topics/<slug>/read")
def read_topic_all(slug: str):
    """Mark everything in the topic read (and nothing in it new); answers the new summary."""
    reading.mark_topic_read(caller(), load_topic(slug))
    return reading.summary(guardian())


@bp.post("/me/read")
def read_everything():
    """Mark everything read, in every topic the caller may read; answers the new summary."""
    reading.mark_all_read(caller())
    return reading.summary(guardian())
