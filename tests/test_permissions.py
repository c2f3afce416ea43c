"""The Guardian as a matrix: persona × rule × object state.

The expected answers are data (`CASES`: one row per rule and object, with the
set of personas allowed), not code repeating the rules. Every row is checked
for all nine personas (the eight of the `world` fixture and "anonymous", a
visitor who is not signed in), so one failing row reports every persona that
differs from the table.

The scene, built straight from the models (no actions involved):

  grievance (open, anonymous allowed; moderated by `moderator`)
    g_disc        discussion by supplier: opening g_open, replies g_member (member),
                  g_supplier (supplier), g_held / g_hidden / g_deleted / g_anon (supplier2),
                  g_mod_deleted (supplier2, deleted by the moderator: audited),
                  g_flagged (supplier2, hidden by flags)
    g_merged      discussion by supplier2, merged (into g_disc or m_disc as the case says)
    g_question    question by supplier2: g_q_open, answer g_answer (member), held g_answer_held (member2)
    g_locked      locked discussion by supplier, reply g_locked_reply (supplier2)
    g_held_thread discussion by supplier2 awaiting review (opening g_held_open held)
  members-lounge (members only)     m_disc by member, reply m_reply and deleted m_deleted (member2);
                                    m_merged by member2, merged
  textiles-circle (Textiles Ltd)    t_disc by supplier, reply t_reply (supplier)
  announcements (members start)     no threads
  other-hub (open, anonymous allowed; moderated by `member2`)
                  o_disc by supplier2: o_reply (member), o_deleted (member), o_anon (supplier, anonymous)
"""
from __future__ import annotations

import pytest

from community.errors import Forbidden, Locked, NotFound
from community.extensions import db
from community.models import ModerationAction, Organisation, Post, Thread, Topic, TopicModerator
from community.permissions import Guardian

PERSONAS = ("admin", "member", "member2", "moderator", "supplier", "supplier2",
            "pending", "suspended", "anonymous")

NOBODY: frozenset[str] = frozenset()
ACTIVE = frozenset({"admin", "member", "member2", "moderator", "supplier", "supplier2"})
MEMBERS = frozenset({"admin", "member", "member2", "moderator"})
TEXTILES = frozenset({"admin", "supplier"})          # textiles-circle lists Textiles Ltd only
G_MODS = frozenset({"admin", "moderator"})          # who moderates grievance
O_MODS = frozenset({"admin", "member2"})            # who moderates other-hub


def _(*names: str) -> frozenset[str]:
    return frozenset(names)


# (rule, object(s), allowed personas). Objects are scene keys: "topic:<slug>", a
# thread or post key, or a tuple of them (extra positional arguments, e.g. a kind).
CASES: list[tuple[str, tuple, frozenset[str]]] = [
    ("use_site", (), ACTIVE),
    ("admin", (), _("admin")),
    # reading topics: open, members only, listed organisations
    ("read_topic", ("topic:grievance",), ACTIVE),
    ("read_topic", ("topic:members-lounge",), MEMBERS),
    ("read_topic", ("topic:textiles-circle",), TEXTILES),
    ("read_topic", ("topic:announcements",), ACTIVE),
    # starting threads, by kind
    ("start_thread", ("topic:grievance", "discussion"), ACTIVE),
    ("start_thread", ("topic:grievance", "question"), ACTIVE),
    ("start_thread", ("topic:grievance", "announcement"), MEMBERS),
    ("start_thread", ("topic:announcements", "discussion"), MEMBERS),
    ("start_thread", ("topic:announcements", "question"), MEMBERS),
    ("start_thread", ("topic:announcements", "announcement"), MEMBERS),
    ("start_thread", ("topic:members-lounge", "discussion"), MEMBERS),
    ("start_thread", ("topic:textiles-circle", "discussion"), TEXTILES),
    ("start_thread", ("topic:textiles-circle", "announcement"), _("admin")),
    ("start_thread", ("topic:other-hub", "announcement"), MEMBERS),
    # anonymous posting is a topic setting, for people who may write there
    ("post_anonymously", ("topic:grievance",), ACTIVE),
    ("post_anonymously", ("topic:other-hub",), ACTIVE),
    ("post_anonymously", ("topic:members-lounge",), NOBODY),
    ("post_anonymously", ("topic:textiles-circle",), NOBODY),
    # reading threads
    ("read_thread", ("g_disc",), ACTIVE),
    ("read_thread", ("g_locked",), ACTIVE),
    ("read_thread", ("g_held_thread",), G_MODS | _("supplier2")),
    ("read_thread", ("m_disc",), MEMBERS),
    ("read_thread", ("t_disc",), TEXTILES),
    # seeing posts by state
    ("see_post", ("g_member",), ACTIVE),
    ("see_post", ("g_anon",), ACTIVE),
    ("see_post", ("g_held",), G_MODS | _("supplier2")),
    ("see_post", ("g_hidden",), G_MODS | _("supplier2")),
    ("see_post", ("g_deleted",), G_MODS | _("supplier2")),
    ("see_post", ("g_held_open",), G_MODS | _("supplier2")),
    ("see_post", ("t_reply",), TEXTILES),
    ("see_post", ("m_deleted",), _("admin", "member2")),
    # replying: open, locked, held, restricted topics, questions
    ("reply", ("g_disc",), ACTIVE),
    ("reply", ("g_question",), ACTIVE),
    ("reply", ("g_locked",), G_MODS),
    ("reply", ("g_held_thread",), G_MODS | _("supplier2")),
    ("reply", ("m_disc",), MEMBERS),
    ("reply", ("t_disc",), TEXTILES),
    # editing: own vs others', states, locked thread, other topics' moderators
    ("edit_post", ("g_member",), G_MODS | _("member")),
    ("edit_post", ("g_supplier",), G_MODS | _("supplier")),
    ("edit_post", ("g_open",), G_MODS | _("supplier")),
    ("edit_post", ("g_anon",), G_MODS | _("supplier2")),
    ("edit_post", ("g_held",), G_MODS | _("supplier2")),
    # the author of a hidden (or rejected) post may edit it: that sends it back to the moderators
    ("edit_post", ("g_hidden",), G_MODS | _("supplier2")),
    ("edit_post", ("g_flagged",), G_MODS | _("supplier2")),
    ("edit_post", ("g_deleted",), G_MODS),
    ("edit_post", ("g_locked_reply",), G_MODS),
    ("edit_post", ("m_reply",), _("admin", "member2")),
    ("edit_post", ("o_reply",), O_MODS | _("member")),
    ("edit_post", ("t_reply",), TEXTILES),
    # soft delete
    ("delete_post", ("g_member",), G_MODS | _("member")),
    ("delete_post", ("g_anon",), G_MODS | _("supplier2")),
    ("delete_post", ("g_held",), G_MODS | _("supplier2")),
    ("delete_post", ("g_hidden",), G_MODS | _("supplier2")),
    ("delete_post", ("g_deleted",), NOBODY),
    ("delete_post", ("m_reply",), _("admin", "member2")),
    ("delete_post", ("o_reply",), O_MODS | _("member")),
    # restore: only deleted posts
    ("restore_post", ("g_deleted",), G_MODS | _("supplier2")),
    ("restore_post", ("g_mod_deleted",), G_MODS),  # a moderator's removal is not the author's to undo
    ("restore_post", ("g_member",), NOBODY),
    ("restore_post", ("g_hidden",), NOBODY),
    ("restore_post", ("m_deleted",), _("admin", "member2")),
    ("restore_post", ("o_deleted",), O_MODS | _("member")),
    # appeals: the author of a post a moderator hid or rejected (not one hidden by flags: no decision yet)
    ("appeal", ("g_hidden",), _("supplier2")),
    ("appeal", ("g_flagged",), NOBODY),
    ("appeal", ("g_held",), NOBODY),
    ("appeal", ("g_deleted",), NOBODY),
    ("appeal", ("g_member",), NOBODY),
    # renaming a thread: its moderators, or its author while they may reply
    ("rename_thread", ("g_disc",), G_MODS | _("supplier")),
    ("rename_thread", ("g_locked",), G_MODS),
    ("rename_thread", ("g_held_thread",), G_MODS | _("supplier2")),
    ("rename_thread", ("m_disc",), _("admin", "member")),
    # a merged thread's old address leads to the target for those who may read both
    ("follow_merged", ("g_merged", "g_disc"), ACTIVE),
    ("follow_merged", ("m_merged", "g_disc"), MEMBERS),
    ("follow_merged", ("g_merged", "m_disc"), MEMBERS),
    # flags: visible posts of others
    ("flag", ("g_member",), ACTIVE - {"member"}),
    ("flag", ("g_anon",), ACTIVE - {"supplier2"}),
    ("flag", ("g_held",), NOBODY),
    ("flag", ("g_hidden",), NOBODY),
    ("flag", ("g_deleted",), NOBODY),
    ("flag", ("m_reply",), MEMBERS - {"member2"}),
    ("flag", ("t_reply",), _("admin")),
    # accepted answers: questions only, the asker or a moderator, a visible reply of that thread
    ("accept_answer", ("g_question", "g_answer"), G_MODS | _("supplier2")),
    ("accept_answer", ("g_question", None), G_MODS | _("supplier2")),
    ("accept_answer", ("g_question", "g_answer_held"), NOBODY),
    ("accept_answer", ("g_question", "g_q_open"), NOBODY),
    ("accept_answer", ("g_question", "g_member"), NOBODY),
    ("accept_answer", ("g_disc", "g_member"), NOBODY),
    # reactions: published posts of others one may see; a locked thread takes the moderators' only
    ("react", ("g_member",), ACTIVE - {"member"}),
    ("react", ("g_anon",), ACTIVE - {"supplier2"}),
    ("react", ("g_q_open",), ACTIVE - {"supplier2"}),
    ("react", ("g_held",), NOBODY),
    ("react", ("g_hidden",), NOBODY),
    ("react", ("g_deleted",), NOBODY),
    ("react", ("g_locked_reply",), G_MODS),
    ("react", ("m_reply",), MEMBERS - {"member2"}),
    ("react", ("t_reply",), _("admin")),
    # bookmarks: anything one may see (a bookmark is its owner's alone)
    ("bookmark", ("g_disc",), ACTIVE),
    ("bookmark", ("g_held_thread",), G_MODS | _("supplier2")),
    ("bookmark", ("m_disc",), MEMBERS),
    ("bookmark", ("t_disc",), TEXTILES),
    ("bookmark", ("g_member",), ACTIVE),
    ("bookmark", ("g_anon",), ACTIVE),
    ("bookmark", ("g_held",), G_MODS | _("supplier2")),
    ("bookmark", ("g_deleted",), G_MODS | _("supplier2")),
    ("bookmark", ("m_deleted",), _("admin", "member2")),
    # moderation, per topic
    ("moderate", ("topic:grievance",), G_MODS),
    ("moderate", ("topic:members-lounge",), _("admin")),
    ("moderate", ("topic:textiles-circle",), _("admin")),
    ("moderate", ("topic:other-hub",), O_MODS),
    # who is behind an anonymous post: its author only; the topic's moderators (and the
    # administrators) may reveal it, a logged act, after which they see it too (test_identity_*)
    ("see_identity", ("g_anon",), _("supplier2")),
    ("see_identity", ("o_anon",), _("supplier")),
    ("reveal_identity", ("g_anon",), G_MODS),
    ("reveal_identity", ("o_anon",), O_MODS),
    ("see_identity", ("g_member",), ACTIVE),
    ("see_identity", ("t_reply",), TEXTILES),
    ("see_identity", ("g_disc",), ACTIVE),
    # profiles: of everyone who took part, for everyone signed in; a registration pending is "not there"
    ("view_profile", ("user:supplier2",), ACTIVE),
    ("view_profile", ("user:admin",), ACTIVE),
    ("view_profile", ("user:suspended",), ACTIVE),
    ("view_profile", ("user:pending",), NOBODY),
]


def case_id(case) -> str:
    rule, objects, _allowed = case
    return "-".join([rule, *(str(o) for o in objects)])


# --- the scene ---------------------------------------------------------------------
class Scene:
    def __init__(self, world):
        self.world = world
        self.ids: dict[str, tuple[type, int]] = {}

    def obj(self, key):
        if key is None or key in ("discussion", "question", "announcement"):
            return key
        if key.startswith("user:"):
            return self.world.user(key[5:])
        if key.startswith("topic:"):
            return self.world.topic(key[6:]) if key[6:] in self.world.topic_ids else \
                db.session.get(Topic, self.ids[key][1])
        model, ident = self.ids[key]
        return db.session.get(model, ident)

    def user(self, persona: str):
        return None if persona == "anonymous" else self.world.user(persona)


@pytest.fixture
def scene(app, world) -> Scene:
    s = Scene(world)
    with app.app_context():
        u = world.user
        other = Topic(slug="other-hub", name="Other hub", kind="hub", allow_anonymous=True)
        db.session.add(other)
        db.session.flush()
        db.session.add(TopicModerator(topic_id=other.id, user_id=u("member2").id))
        made: dict[str, object] = {}

        def thread(key, topic, author, **kw):
            made[key] = Thread(topic=topic, author=u(author), title=f"Thread {key}", **kw)
            db.session.add(made[key])

        def post(key, thread_key, author, **kw):
            made[key] = Post(thread=made[thread_key], author=u(author), body=f"Body of {key}",
                             html=f"<p>Body of {key}</p>", **kw)
            db.session.add(made[key])

        g = world.topic("grievance")
        thread("g_disc", g, "supplier")
        post("g_open", "g_disc", "supplier", is_opening=True)
        post("g_member", "g_disc", "member")
        post("g_supplier", "g_disc", "supplier")
        post("g_held", "g_disc", "supplier2", state="held")
        post("g_hidden", "g_disc", "supplier2", state="hidden")
        post("g_deleted", "g_disc", "supplier2", state="deleted", deleted_from="visible")
        post("g_anon", "g_disc", "supplier2", anonymous=True)
        post("g_mod_deleted", "g_disc", "supplier2", state="deleted", deleted_from="visible")
        post("g_flagged", "g_disc", "supplier2", state="hidden", state_cause="flags")
        thread("g_merged", g, "supplier2", state="merged", locked=True)
        thread("g_question", g, "supplier2", kind="question")
        post("g_q_open", "g_question", "supplier2", is_opening=True)
        post("g_answer", "g_question", "member")
        post("g_answer_held", "g_question", "member2", state="held")
        thread("g_locked", g, "supplier", locked=True)
        post("g_locked_open", "g_locked", "supplier", is_opening=True)
        post("g_locked_reply", "g_locked", "supplier2")
        thread("g_held_thread", g, "supplier2", state="held")
        post("g_held_open", "g_held_thread", "supplier2", is_opening=True, state="held")
        m = world.topic("members-lounge")
        thread("m_disc", m, "member")
        post("m_open", "m_disc", "member", is_opening=True)
        post("m_reply", "m_disc", "member2")
        post("m_deleted", "m_disc", "member2", state="deleted", deleted_from="visible")
        thread("m_merged", m, "member2", state="merged", locked=True)
        t = world.topic("textiles-circle")
        thread("t_disc", t, "supplier")
        post("t_open", "t_disc", "supplier", is_opening=True)
        post("t_reply", "t_disc", "supplier")
        thread("o_disc", other, "supplier2")
        post("o_open", "o_disc", "supplier2", is_opening=True)
        post("o_reply", "o_disc", "member")
        post("o_deleted", "o_disc", "member", state="deleted", deleted_from="visible")
        post("o_anon", "o_disc", "supplier", anonymous=True)
        db.session.flush()
        db.session.add(ModerationAction(actor_id=u("moderator").id, topic_id=g.id, action="delete_post",
                                        target_type="post", target_id=made["g_mod_deleted"].id,
                                        target_user_id=u("supplier2").id, before={"state": "visible"},
                                        after={"state": "deleted"}))
        db.session.commit()
        s.ids = {key: (type(o), o.id) for key, o in made.items()}
        s.ids["topic:other-hub"] = (Topic, other.id)
    return s


def allowed_personas(scene: Scene, rule: str, objects: tuple) -> frozenset[str]:
    args = [scene.obj(o) for o in objects]
    return frozenset(p for p in PERSONAS
                     if getattr(Guardian(scene.user(p)), "can_" + rule)(*args))


def _diff(expected: frozenset[str], actual: frozenset[str]) -> str:
    return (f"wrongly allowed: {sorted(actual - expected)}; "
            f"wrongly refused: {sorted(expected - actual)}")


# --- the matrix ----------------------------------------------------------------------
RULES = sorted({rule for rule, _o, _a in CASES})


@pytest.mark.parametrize("rule", RULES)
def test_matrix(app, scene, rule):
    """Every row of `rule` in the table, for all nine personas (one scene per rule keeps it fast)."""
    wrong = []
    with app.app_context():
        for case in CASES:
            if case[0] != rule:
                continue
            _rule, objects, expected = case
            actual = allowed_personas(scene, rule, objects)
            if actual != expected:
                wrong.append(f"{case_id(case)}: {_diff(expected, actual)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p in ACTIVE])
def test_a_profile_never_makes_an_anonymous_author_findable(app, scene, persona):
    """Whoever looks (the author, the topic's moderators, administrators), a profile lists no
    anonymous post, counts none, and nothing from a topic the viewer cannot read."""
    from community.actions import people

    with app.app_context():
        viewer = Guardian(scene.user(persona))
        for author, anonymous_key in (("supplier2", "g_anon"), ("supplier", "o_anon")):
            found = people.profile(viewer, scene.user(author), limit=100)
            shown = {p.id for p in found.posts + found.answers}
            assert scene.obj(anonymous_key).id not in shown, (persona, author)
            assert all(not p.anonymous and p.state == "visible" for p in found.posts + found.answers)
            readable = set(db.session.scalars(viewer.readable_topic_ids()))
            assert all(p.thread.topic_id in readable for p in found.posts)
            assert found.post_count == len(found.posts)


def test_table_shape():
    """Every rule of the brief is in the table, and nobody outside the site is ever allowed."""
    rules = {rule for rule, _o, _a in CASES}
    assert rules >= {"read_topic", "start_thread", "read_thread", "reply", "edit_post", "delete_post",
                     "restore_post", "flag", "accept_answer", "moderate", "see_identity", "reveal_identity",
                     "post_anonymously", "admin", "see_post", "use_site", "react", "bookmark", "view_profile"}
    for rule, objects, allowed in CASES:
        assert not allowed & {"pending", "suspended", "anonymous"}, (rule, objects)


def test_admin_is_allowed_wherever_anyone_is(app, scene):
    """Admins can do everything somebody can do (what nobody may do stays refused)."""
    with app.app_context():
        for rule, objects, _expected in CASES:
            if rule == "see_identity":
                continue  # an anonymous author is theirs alone until a logged reveal, admins included
            if rule == "appeal":
                continue  # only its author appeals a decision about a post
            actual = allowed_personas(scene, rule, objects)
            if actual:
                assert "admin" in actual, (rule, objects)


def test_pending_suspended_and_visitors_can_do_nothing(app, scene):
    with app.app_context():
        for rule, objects, _expected in CASES:
            actual = allowed_personas(scene, rule, objects)
            assert not actual & {"pending", "suspended", "anonymous"}, (rule, objects, actual)


def test_moderator_of_one_topic_is_a_plain_member_in_another(app, scene):
    """`moderator` moderates grievance only: in other-hub and members-lounge it has no powers."""
    with app.app_context():
        mod = Guardian(scene.user("moderator"))
        assert mod.is_moderator(scene.obj("topic:grievance"))
        for slug in ("members-lounge", "other-hub", "textiles-circle", "announcements"):
            topic = scene.obj(f"topic:{slug}")
            assert not mod.is_moderator(topic)
            assert not mod.can_moderate(topic)
        for key in ("m_reply", "o_reply"):
            post = scene.obj(key)
            assert not mod.can_edit_post(post)
            assert not mod.can_delete_post(post)
        assert not mod.can_restore_post(scene.obj("o_deleted"))
        assert not mod.can_see_post(scene.obj("m_deleted"))
        assert not mod.can_reveal_identity(scene.obj("o_anon"))
        assert not mod.can_read_topic(scene.obj("topic:textiles-circle"))
        # ... while in grievance the same kinds of objects are in reach
        assert mod.can_edit_post(scene.obj("g_member"))
        assert mod.can_restore_post(scene.obj("g_deleted"))
        assert mod.can_reveal_identity(scene.obj("g_anon")) and not mod.can_see_identity(scene.obj("g_anon"))


def test_organisations_visibility_follows_the_list(app, scene):
    """Adding an organisation to the list opens the topic to it; removing it closes it again."""
    with app.app_context():
        topic = scene.obj("topic:textiles-circle")
        rubber = db.session.scalar(db.select(Organisation).where(Organisation.name == "Rubber Works"))
        supplier2 = Guardian(scene.user("supplier2"))
        assert not supplier2.can_read_thread(scene.obj("t_disc"))
        topic.organisations.append(rubber)
        db.session.commit()
        assert Guardian(scene.user("supplier2")).can_read_thread(scene.obj("t_disc"))
        topic.organisations.remove(rubber)
        db.session.commit()
        assert not Guardian(scene.user("supplier2")).can_read_topic(topic)


@pytest.mark.parametrize("org_name, personas", [
    ("Textiles Ltd", {"supplier", "pending"}),
    ("Brand Co", {"member", "moderator"}),
    ("Consortium Secretariat", {"admin"}),
])
def test_removed_organisation_means_nothing(app, scene, org_name, personas):
    """When an organisation is removed its people can do nothing, moderators and admins included."""
    with app.app_context():
        org = db.session.scalar(db.select(Organisation).where(Organisation.name == org_name))
        org.removed = True
        db.session.commit()
        for rule, objects, _expected in CASES:
            actual = allowed_personas(scene, rule, objects)
            assert not actual & personas, (rule, objects, sorted(actual & personas))
        for persona in personas:
            guardian = Guardian(scene.user(persona))
            assert not guardian.is_moderator(scene.obj("topic:grievance"))
            assert not guardian.is_admin


# --- how refusals are raised -----------------------------------------------------------
def test_refusals_hide_what_the_reader_may_not_know(app, scene):
    """Reading something out of reach is NotFound (it does not confirm it exists)."""
    with app.app_context():
        supplier2 = Guardian(scene.user("supplier2"))
        with pytest.raises(NotFound):
            supplier2.ensure_read_thread(scene.obj("t_disc"))
        with pytest.raises(NotFound):
            supplier2.ensure_read_topic(scene.obj("topic:textiles-circle"))
        with pytest.raises(NotFound):
            Guardian(scene.user("member")).ensure_see_post(scene.obj("g_held"))
        with pytest.raises(NotFound):
            Guardian(scene.user("member")).ensure_read_thread(scene.obj("g_held_thread"))


def test_acting_on_an_unreadable_thread_does_not_reveal_it(app, scene):
    """Replying to or flagging something one cannot read answers like a missing object,
    without naming the topic's audience."""
    with app.app_context():
        supplier2 = Guardian(scene.user("supplier2"))
        with pytest.raises(NotFound) as err:
            supplier2.ensure_reply(scene.obj("t_disc"))
        assert "organisation" not in err.value.message.lower()
        with pytest.raises(NotFound):
            supplier2.ensure_flag(scene.obj("t_reply"))
        with pytest.raises(NotFound):
            supplier2.ensure_start_thread(scene.obj("topic:textiles-circle"), "discussion")


def test_locked_and_forbidden_errors(app, scene):
    with app.app_context():
        with pytest.raises(Locked):
            Guardian(scene.user("member")).ensure_reply(scene.obj("g_locked"))
        with pytest.raises(Forbidden):
            Guardian(scene.user("member")).ensure_edit_post(scene.obj("g_supplier"))
        with pytest.raises(Forbidden):
            Guardian(scene.user("member")).ensure_moderate(scene.obj("topic:grievance"))
        with pytest.raises(Forbidden):
            Guardian(scene.user("supplier")).ensure_admin()
        # signed-out, pending and suspended people are told why, never "not found"
        for persona in ("anonymous", "pending", "suspended"):
            with pytest.raises(Forbidden) as err:
                Guardian(scene.user(persona)).ensure_read_thread(scene.obj("g_disc"))
            assert err.value.message
