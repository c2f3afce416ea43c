"""Posting and typing in a thread's room: `post` calls the same action as the page and the API."""
from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app, request

from .. import events
from ..actions.posts import author_notices, reply
from ..actions.threads import get_thread
from ..extensions import db, socketio
from ..models import User
from ..payloads import post_payload
from ..permissions import Guardian
from .connection import handler, local_sids, typing_last
from .presence import identity_hidden_in

TYPING_INTERVAL = 2.0


@socketio.on("post")
@handler
def on_post(user: User, data: dict):
    thread = get_thread(data.get("thread_id"))
    post = reply(user, thread, data.get("body"), reply_to=data.get("reply_to"),
                 anonymous=data.get("anonymous", False), client_id=data.get("client_id"),
                 language=data.get("language"), attachments=data.get("attachments"))
    guardian = Guardian(user)
    answer = {"post": post_payload(post, guardian)}  # the page renders it (static/js/posts.js)
    notices = author_notices(post)
    if notices:
        answer["notices"] = notices  # e.g. mentions past the notified ones
    return answer


@socketio.on("typing")
@handler
def on_typing(user: User, data: dict):
    """Tell the thread's room someone is typing. Where the topic allows anonymous posts the
    event names nobody, from the first keystroke, whatever the client says about its
    "anonymous" box (it may be ticked only later, or never sent): the typist is an opaque
    token that only lets the room count typists."""
    thread = get_thread(data.get("thread_id"))
    Guardian(user).ensure_reply(thread)
    now = time.monotonic()
    if now - typing_last.get(request.sid, 0) < TYPING_INTERVAL:
        return {"throttled": True}
    typing_last[request.sid] = now
    room = f"thread:{thread.id}"
    if identity_hidden_in(room):
        who = {"anonymous": True, "typist": _typist_token(request.sid, room)}
    else:
        who = {"id": user.id, "name": user.name}
    db.session.remove()
    # None of the typist's own tabs in this process hears it (they would read "someone").
    events.emit_now(room, "typing", {"room": room, "thread_id": thread.id, "user": who},
                    skip_sid=local_sids(lambda identity: identity.user_id == user.id) or request.sid)
    return {}


def _typist_token(sid: str, room: str) -> str:
    """An opaque id of one socket typing in one room: lets readers count typists, links to
    nothing else (keyed with the app's secret, so it cannot be matched to a sid or a user)."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"typing|{room}|{sid}".encode(), hashlib.sha256).hexdigest()[:16]
