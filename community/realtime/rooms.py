"""Rooms: join (checked by the Guardian every time, with the events missed since a cursor),
leave, and what a disconnect leaves behind.

Rooms: thread:<id>, topic:<slug>, live:<id>, livehosts:<id> (its hosts), user:<id> (own
only) and mods:<slug> (that topic's moderators).
"""
from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _
from flask_socketio import join_room, leave_room

from .. import events
from ..actions import validate
from ..actions.live import get_session
from ..actions.threads import get_thread, get_topic
from ..errors import Forbidden, Invalid, NotFound
from ..extensions import db, socketio
from ..models import User
from ..permissions import Guardian
from .connection import drop_socket, handler
from .live import live_snapshot
from .presence import broadcast_presence, presence_store, who


def authorise_room(user: User, room) -> str:
    """Raise unless `user` may be in `room`; returns the normalised room name."""
    if not isinstance(room, str) or ":" not in room or len(room) > 80:
        raise Invalid(_("room must look like thread:<id>, topic:<slug>, live:<id> or user:<id>."))
    kind, _sep, key = room.partition(":")
    guardian = Guardian(user)
    if kind == "thread":
        guardian.ensure_read_thread(get_thread(_int(key)))
    elif kind == "topic":
        guardian.ensure_read_topic(get_topic(key))
    elif kind == "mods":
        topic = get_topic(key)
        guardian.ensure_read_topic(topic)  # a topic out of sight is "not there", like a missing one
        guardian.ensure_moderate(topic)
    elif kind == "user":
        if _int(key) != user.id:
            raise Forbidden(_("You can only join your own notifications."))
    elif kind == "live":
        session = get_session(_int(key))
        guardian.ensure_read_live(session)
        # Held for the rest of this event: the identity map keeps objects only weakly, and
        # the join's snapshot would otherwise load the session (4 queries) a second time.
        g.rt_live_session = session
    elif kind == "livehosts":
        guardian.ensure_host_live(get_session(_int(key)))
    else:
        raise Invalid(_("Unknown room kind “%(kind)s”.", kind=kind))
    return room


def _int(value) -> int:
    if isinstance(value, str) and validate.as_id(value) is not None:
        return int(value)
    raise NotFound(_("No such room."))


@socketio.on("join")
@handler
def on_join(user: User, data: dict):
    room = authorise_room(user, data.get("room"))
    since = data.get("since")
    if since is not None and (isinstance(since, bool) or not isinstance(since, int) or since < 0):
        raise Invalid(_("since must be a cursor (a whole number) from an earlier event."))
    # Join before reading the replay: an event committed in between then arrives both
    # live and in `missed` (clients drop the duplicate by cursor) instead of neither.
    join_room(room)
    missed, reset = events.replay(room, since) if since is not None else ([], False)
    cursor = missed[-1]["data"]["cursor"] if missed else (since if since and not reset else events.latest_cursor(room))
    member = who(user)
    result = {"room": room, "cursor": cursor, "missed": missed}
    if reset:
        result["reset"] = True
    if room.startswith("live:"):
        result.update(live_snapshot(user.id, int(room[5:])))
    db.session.remove()  # nothing below touches the database: release it before any I/O
    if room.startswith(("thread:", "live:")):
        presence_store().add(room, request.sid, member)
        broadcast_presence(room)
    return result


@socketio.on("leave")
@handler
def on_leave(user: User, data: dict):
    room = data.get("room")
    if not isinstance(room, str):
        raise Invalid(_("room is required."))
    if room == f"user:{user.id}":
        raise Invalid(_("Your own notifications room stays joined."))
    leave_room(room)
    presence_store().remove(room, request.sid)
    if room.startswith(("thread:", "live:")):
        broadcast_presence(room)
    return {"room": room}


@socketio.on("disconnect")
def on_disconnect(*_args):
    sid = request.sid
    rooms = [r for r in (socketio.server.rooms(sid) or []) if r != sid]
    drop_socket(sid)
    for room in rooms:
        if room.startswith(("thread:", "live:")):
            presence_store().remove(room, sid)
            broadcast_presence(room)
