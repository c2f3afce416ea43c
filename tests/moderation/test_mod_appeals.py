"""A second look: the author of a hidden or rejected post edits and resubmits it, or appeals the
decision; another moderator than the one who decided (when there is one) upholds or overturns
it; the author is told the outcome and why; every step is in the audit log; an anonymous
author stays anonymous throughout."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from community.actions.appeals import decide_appeal, file_appeal
from community.actions.moderation import moderate_post
from community.actions.posts import edit_post, flag_post
from community.errors import Conflict, Forbidden, Invalid, NotFound
from community.extensions import db
from community.models import Appeal, Notification, Post, Thread
from tests.actions.support import answer, start
from tests.moderation.support import audit_rows, text


@pytest.fixture
def hidden(app, world) -> dict:
    """A reply by supplier in grievance, hidden by `moderator` with a reason."""
    with app.app_context():
        thread, _ = start(world, "member")
        post = answer(world, "supplier", thread, "Our agent charges fees, everyone knows it")
        moderate_post(world.user("moderator"), post, "hide", "Please do not accuse without facts")
        return {"thread": thread.id, "post": post.id}


def _post(ids) -> Post:
    return db.session.get(Post, ids["post"])


def _notes(who_id: int) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == who_id)
                                   .order_by(Notification.id)))


# --- edit and resubmit -----------------------------------------------------------------------------
def test_the_author_edits_a_hidden_post_and_it_goes_back_to_the_queue(app, world, emitted, hidden):
    with app.app_context():
        post = _post(hidden)
        emitted.clear()
        edit_post(world.user("supplier"), post, "Our agent charged fees in March; here is the receipt.")
        assert (post.state, post.state_cause, post.state_reason) == ("held", "resubmitted", "")
        assert [r.action for r in audit_rows(target_id=post.id)][-1] == "resubmit_post"
        queued = emitted.named("moderation.queue", "mods:grievance")
        assert queued and queued[-1].payload["why"] == "resubmitted"
        state = emitted.named("post.state", f"user:{world.ids['supplier']}")
        assert state and state[-1].payload["state"] == "held" and state[-1].payload["state_cause"] == "resubmitted"
        # Readers still see nothing of it, and the thread room hears nothing.
        assert not emitted.to(f"thread:{hidden['thread']}")
        # A moderator approving it shows it to everyone; the author is told.
        moderate_post(world.user("moderator"), post, "approve")
        assert post.state == "visible" and post.state_cause is None
        assert emitted.named("post.created", f"thread:{hidden['thread']}")
        assert _notes(world.ids["supplier"])[-1].verb == "post_approved"


def test_resubmitting_unchanged_text_is_refused_with_the_way_out(app, world, hidden):
    with app.app_context():
        post = _post(hidden)
        with pytest.raises(Invalid) as refused:
            edit_post(world.user("supplier"), post, post.body)
        assert refused.value.field == "body" and "appeal" in refused.value.message
        db.session.rollback()
        assert _post(hidden).state == "hidden"


def test_a_rejected_post_is_resubmitted_the_same_way(app, world, set_topic):
    set_topic("grievance", moderation="all")
    with app.app_context():
        thread, _ = start(world, "moderator")  # a moderator's thread is visible at once
        post = answer(world, "supplier", thread, "Held until a moderator looks")
        assert (post.state, post.state_cause) == ("held", "policy")
        moderate_post(world.user("moderator"), post, "reject", "Please remove the names")
        assert (post.state, post.state_cause, post.state_reason) == ("hidden", "rejected", "Please remove the names")
        edit_post(world.user("supplier"), post, "Held until a moderator looks (names removed)")
        assert (post.state, post.state_cause) == ("held", "resubmitted")


# --- appeals ---------------------------------------------------------------------------------------
def test_an_appeal_goes_to_another_moderator_and_its_outcome_to_the_author(app, world, emitted, hidden):
    with app.app_context():
        post = _post(hidden)
        emitted.clear()
        appeal = file_appeal(world.user("supplier"), post, "I have the receipt; it is a fact, not an accusation.")
        assert (appeal.state, appeal.decided_by_id) == ("open", world.ids["moderator"])
        row = audit_rows("appeal_post")[-1]
        assert row.actor_id == world.ids["supplier"] and row.reason.startswith("I have the receipt")
        # Told: the topic's moderators other than the one who decided (here: the administrator).
        told = {n.user_id for n in db.session.scalars(select(Notification).where(Notification.verb == "appeal_filed"))}
        assert told == {world.ids["admin"]}
        assert emitted.named("moderation.appeal", "mods:grievance")[-1].payload["change"] == "added"
        # The moderator who decided may not decide the appeal while another is available.
        with pytest.raises(Forbidden):
            decide_appeal(world.user("moderator"), appeal, "overturn", "I was wrong")
        db.session.rollback()
        emitted.clear()
        appeal = db.session.get(Appeal, appeal.id)
        decide_appeal(world.user("admin"), appeal, "overturn", "A documented fact, fine to share")
        post = _post(hidden)
        assert appeal.state == "overturned" and appeal.reviewer_id == world.ids["admin"]
        assert post.state == "visible" and post.state_cause is None
        assert emitted.named("post.restored", f"thread:{hidden['thread']}")
        assert emitted.named("post.state", f"user:{world.ids['supplier']}")[-1].payload["state"] == "visible"
        note = _notes(world.ids["supplier"])[-1]
        assert note.verb == "appeal_overturned" and note.data["reason"] == "A documented fact, fine to share"
        assert "visible again" in note.text and "A documented fact" in note.text
        assert [r.action for r in audit_rows(target_id=post.id)][-1] == "overturn_appeal"


def test_an_upheld_appeal_keeps_the_post_hidden_and_says_why(app, world, hidden):
    with app.app_context():
        appeal = file_appeal(world.user("supplier"), _post(hidden), "Please look again")
        decide_appeal(world.user("admin"), appeal, "uphold", "Names of individuals are not allowed")
        assert _post(hidden).state == "hidden" and appeal.state == "upheld"
        note = _notes(world.ids["supplier"])[-1]
        assert note.verb == "appeal_upheld" and "stays hidden" in note.text and "Names of individuals" in note.text
        # One appeal per decision.
        with pytest.raises(Conflict):
            file_appeal(world.user("supplier"), _post(hidden), "And again")


def test_the_deciding_moderator_decides_when_nobody_else_can(app, world, hidden):
    with app.app_context():
        world.user("admin").state = "suspended"  # the only other moderator of grievance
        db.session.commit()
        appeal = file_appeal(world.user("supplier"), _post(hidden), "Please look again")
        told = {n.user_id for n in db.session.scalars(select(Notification).where(Notification.verb == "appeal_filed"))}
        assert told == {world.ids["moderator"]}
        decide_appeal(world.user("moderator"), appeal, "overturn", "On reflection it is fine")
        assert _post(hidden).state == "visible"


def test_who_may_appeal_and_decide(app, world, hidden):
    with app.app_context():
        post = _post(hidden)
        for who in ("member", "moderator", "admin"):
            with pytest.raises((Forbidden, NotFound)):
                file_appeal(world.user(who), post, "Not mine to appeal")
        with pytest.raises(Invalid):
            file_appeal(world.user("supplier"), post, "   ")
        appeal = file_appeal(world.user("supplier"), post, "Please")
        with pytest.raises(Conflict):
            file_appeal(world.user("supplier"), post, "Twice")
        for who in ("member", "supplier2", "supplier"):
            with pytest.raises((Forbidden, NotFound)):
                decide_appeal(world.user(who), appeal, "overturn", "Not mine to decide")
        with pytest.raises(Invalid):
            decide_appeal(world.user("admin"), appeal, "maybe", "A reason")
        with pytest.raises(Invalid):
            decide_appeal(world.user("admin"), appeal, "uphold", "")
        decide_appeal(world.user("admin"), appeal, "uphold", "Stays")
        with pytest.raises(Conflict):
            decide_appeal(world.user("admin"), appeal, "overturn", "Changed my mind")


def test_a_post_hidden_by_flags_awaits_a_moderator_first(app, world):
    app.config["FLAGS_TO_HIDE"] = 2
    with app.app_context():
        thread, _ = start(world, "member")
        post = answer(world, "supplier", thread, "Flag me")
        flag_post(world.user("member"), post, "spam")
        flag_post(world.user("member2"), post, "spam")
        assert (post.state, post.state_cause) == ("hidden", "flags")
        with pytest.raises(Forbidden) as refused:
            file_appeal(world.user("supplier"), post, "Not spam")
        assert "No moderator has decided" in refused.value.message
        db.session.rollback()
        # ...but its author may edit it: it goes to the queue as held.
        edit_post(world.user("supplier"), db.session.get(Post, post.id), "Flag me, edited")
        assert db.session.get(Post, post.id).state == "held"


def test_resubmitting_withdraws_an_open_appeal_and_a_moderators_action_closes_it(app, world, hidden):
    with app.app_context():
        appeal = file_appeal(world.user("supplier"), _post(hidden), "Please")
        edit_post(world.user("supplier"), _post(hidden), "Rephrased, with the receipt attached")
        assert db.session.get(Appeal, appeal.id).state == "withdrawn"
        moderate_post(world.user("moderator"), _post(hidden), "reject", "Still not suitable")
        second = file_appeal(world.user("supplier"), _post(hidden), "This decision too")  # a new decision
        assert second.decided_by_id == world.ids["moderator"]
        moderate_post(world.user("admin"), _post(hidden), "approve")
        assert db.session.get(Appeal, second.id).state == "closed"
        with pytest.raises(Conflict):
            decide_appeal(world.user("admin"), db.session.get(Appeal, second.id), "uphold", "Late")


def test_an_anonymous_authors_appeal_never_names_them(app, world, login_as):
    with app.app_context():
        thread, _ = start(world, "member")
        post = answer(world, "supplier", thread, "Anonymous report of fees", anonymous=True)
        moderate_post(world.user("moderator"), post, "hide", "Unverified")
        appeal = file_appeal(world.user("supplier"), post, "It is verified, see the audit")
        post_id, appeal_id = post.id, appeal.id
        for note in db.session.scalars(select(Notification).where(Notification.verb == "appeal_filed")):
            assert note.data["actors"] == [{"anonymous": "supplier"}]
            assert "Supplier " not in note.text.replace("Anonymous supplier", "") and "Textiles" not in note.text
    appeals_page = text(login_as("admin").get("/moderation/appeals"))
    assert f'id="appeal-{appeal_id}"' in appeals_page
    assert "Appeal by Anonymous supplier" in appeals_page and "Textiles Ltd" not in appeals_page
    with app.app_context():
        edit_post(world.user("supplier"), db.session.get(Post, post_id), "Anonymous report, with the audit reference")
    for who in ("moderator", "admin"):
        page = text(login_as(who).get("/moderation/log"))
        assert "Textiles Ltd" not in page and "supplier@example.com" not in page and "Supplier (the author)" not in page
        assert "The author" in page  # the appeal and the resubmission, as the author's
        history = text(login_as(who).get(f"/moderation/posts/{post_id}"))
        assert "by the author," in history and "by Supplier," not in history
        # Nor among the moderators one may filter the log by.
        assert f'value="{world.ids["supplier"]}"' not in login_as(who).get("/moderation/log").get_data(as_text=True)


def test_an_overturned_rejection_of_an_opening_post_brings_its_thread_out(app, world, emitted, set_topic):
    set_topic("grievance", moderation="all")
    with app.app_context():
        thread, opening = start(world, "supplier")
        assert thread.state == "held"
        moderate_post(world.user("moderator"), opening, "reject", "Too vague")
        appeal = file_appeal(world.user("supplier"), opening, "It is precise enough")
        emitted.clear()
        decide_appeal(world.user("admin"), appeal, "overturn", "Fine")
        thread = db.session.get(Thread, thread.id)
        assert thread.state == "visible"
        assert emitted.named("thread.created", "topic:grievance")
        approved = [e.payload for e in emitted.named("thread.updated") if e.payload.get("change") == "approved"]
        assert {p["room"] for p in approved} == {f"thread:{thread.id}", f"user:{world.ids['supplier']}"}
