"""The Guardian's query scopes say in SQL exactly what its rules say object by object.

For every persona of the permission matrix's scene (tests/test_permissions.py), the topics,
threads, posts and live questions a scope lets through are the ones the rule admits one at a
time. A scope that drifts from its rule fails here, naming the persona and the objects.
"""
from __future__ import annotations

import inspect
from datetime import timedelta

from sqlalchemy import select

from community.extensions import db
from community.models import LiveQuestion, LiveSession, Organisation, Post, Thread, Topic, User, utcnow
from community.permissions import Guardian, silence_protected_ids
from tests.test_permissions import PERSONAS, scene  # noqa: F401  (the scene fixture)


def _ids(query) -> set[int]:
    return set(db.session.scalars(query))


def test_guardian_methods_are_written_out():
    """No generated methods: every rule has its can_ and ensure_ written in the class."""
    assert "__getattr__" not in {name for klass in Guardian.__mro__ for name in vars(klass)}
    rules = [name[len("why_not_"):] for name in dir(Guardian) if name.startswith("why_not_")]
    assert len(rules) >= 20
    for rule in rules:
        for prefix in ("can_", "ensure_"):
            method = getattr(Guardian, prefix + rule, None)
            assert method is not None and inspect.isfunction(method), prefix + rule


def test_topic_scope_matches_the_rule(app, scene):
    with app.app_context():
        topics = db.session.scalars(select(Topic)).all()
        for persona in PERSONAS:
            g = Guardian(scene.user(persona))
            expected = {t.id for t in topics if g.can_read_topic(t)}
            assert _ids(g.readable_topics(select(Topic.id))) == expected, persona
            assert _ids(g.readable_topic_ids()) == expected, persona
            assert _ids(g.moderated_topics(select(Topic.id))) == {t.id for t in topics if g.can_moderate(t)}, persona
            assert [t.id for t in db.session.scalars(g.readable_topics())] == \
                [t.id for t in sorted(topics, key=lambda t: (t.position, t.name)) if t.id in expected]


def test_public_posts_scope_is_what_anyone_may_see_signed_with_a_name(app, scene):
    """A profile's scope: posts the viewer may see (the rule), visible, in visible threads, and
    never anonymous (not to the author, not to a moderator who revealed it)."""
    with app.app_context():
        posts = db.session.scalars(select(Post)).all()
        for persona in PERSONAS:
            g = Guardian(scene.user(persona))
            expected = {p.id for p in posts if g.can_see_post(p) and not p.anonymous and p.state == "visible"
                        and p.thread.state == "visible"}
            query = select(Post.id).join(Thread, Thread.id == Post.thread_id)
            assert _ids(g.public_posts(query)) == expected, persona


def test_thread_scope_matches_the_rule(app, scene):
    with app.app_context():
        threads = db.session.scalars(select(Thread)).all()
        topics = db.session.scalars(select(Topic)).all()
        for persona in PERSONAS:
            g = Guardian(scene.user(persona))
            expected = {t.id for t in threads if g.can_read_thread(t)}
            assert _ids(g.readable_threads(select(Thread.id))) == expected, persona
            for topic in topics:  # the same, one topic at a time (the topic page's form)
                assert _ids(g.readable_threads(select(Thread.id), topic)) == \
                    {t.id for t in threads if t.topic_id == topic.id and t.id in expected}, (persona, topic.slug)


def test_post_scope_matches_the_rule(app, scene):
    with app.app_context():
        posts = db.session.scalars(select(Post)).all()
        threads = db.session.scalars(select(Thread)).all()
        for persona in PERSONAS:
            g = Guardian(scene.user(persona))
            expected = {p.id for p in posts if g.can_see_post(p)}
            assert _ids(g.visible_posts(select(Post.id))) == expected, persona
            joined = select(Post.id).join(Thread, Thread.id == Post.thread_id)
            assert _ids(g.visible_posts(joined, thread_joined=True)) == expected, persona
            for thread in threads:  # the thread page's form
                assert _ids(g.visible_posts(select(Post.id), thread)) == \
                    {p.id for p in posts if p.thread_id == thread.id and p.id in expected}, (persona, thread.id)


def test_post_scope_follows_a_removed_organisation(app, scene):
    """Staff of an organisation that left the consortium see nothing, through the scope too."""
    with app.app_context():
        moderator = scene.user("moderator")
        db.session.get(Organisation, moderator.organisation_id).removed = True
        db.session.commit()
        g = Guardian(scene.user("moderator"))
        assert not g.active
        assert _ids(g.visible_posts(select(Post.id))) == set()
        assert _ids(g.readable_topics(select(Topic.id))) == set()


def test_question_scope_and_silence_list_match_the_rules(app, scene):
    with app.app_context():
        topic = scene.obj("topic:grievance")
        now = utcnow()
        session = LiveSession(topic=topic, title="Live", starts_at=now, ends_at=now + timedelta(hours=1),
                              state="live", created_by_id=scene.user("member").id)
        db.session.add(session)
        db.session.flush()
        for i, (persona, state) in enumerate([("supplier", "visible"), ("supplier2", "pending"),
                                              ("member2", "hidden"), ("member", "answered")]):
            db.session.add(LiveQuestion(session_id=session.id, author_id=scene.user(persona).id, state=state,
                                        body=f"q{i}", html=f"<p>q{i}</p>"))
        db.session.commit()
        questions = db.session.scalars(select(LiveQuestion)).all()
        for persona in PERSONAS:
            g = Guardian(scene.user(persona))
            assert _ids(g.visible_questions(session, select(LiveQuestion.id))) == \
                {q.id for q in questions if g.can_see_question(q)}, persona
        everyone = db.session.scalars(select(User)).all()
        assert silence_protected_ids(session) == {u.id for u in everyone if not Guardian(u).can_be_silenced(session)}
        assert silence_protected_ids(session) >= {scene.user("admin").id, scene.user("moderator").id}
