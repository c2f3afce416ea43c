"""Ending a live session drops nothing: the hosts' last decisions on questions still waiting,
then archive.py (questions not reached, the archive, the follow-up), then the new state."""
from __future__ import annotations

from flask_babel import gettext as _

from ... import events
from ...errors import Conflict, Invalid
from ...events import action
from ...models import User, utcnow
from ...models.live import LiveQuestion, LiveSession
from ...permissions import Guardian
from . import archive
from .room import moderate_question
from .sessions import get_question, question_payload, queue_state

END_DECISIONS = {"approve": "approve", "decline": "hide"}


@action
def end(actor: User, session: LiveSession, decisions=None) -> LiveSession:
    """End the session; nothing is dropped (archive.py). `decisions`: the hosts' last word on
    questions still waiting, {question id: "approve" | "decline"}, applied first; those left
    waiting are listed in the archive as not reached."""
    Guardian(actor).ensure_host_live(session)
    if session.state == "ended":
        raise Conflict(_("This session has already ended."))
    for question, decision in _end_decisions(session, decisions):
        moderate_question(actor, session, question, END_DECISIONS[decision])
    session.state = "ended"
    session.ended_at = utcnow()
    room = f"live:{session.id}"
    for question in archive.close(actor, session):
        # open pages list them as the archive does, before the state changes
        events.queue_event(room, "live.question", {"room": room, "question": question_payload(question)})
    queue_state(session)
    return session


def _end_decisions(session: LiveSession, decisions) -> list[tuple[LiveQuestion, str]]:
    if decisions is None or decisions == {}:
        return []
    if not isinstance(decisions, dict) or len(decisions) > 1000:
        raise Invalid(_("decisions must be an object: question id → \"approve\" or \"decline\"."),
                      field="decisions")
    chosen = []
    for key, decision in decisions.items():
        question = get_question(session, key)
        if decision not in END_DECISIONS:
            raise Invalid(_("decisions must be an object: question id → \"approve\" or \"decline\"."),
                          field="decisions")
        if question.state != "pending":
            raise Conflict(_("This question is not waiting for approval."))
        chosen.append((question, decision))
    return chosen
