"""The index follows every action that writes posts: replies, edits, deletes and restores,
moderation (hide, approve, reject, flags), and thread moves, merges and splits."""
from __future__ import annotations

from community import search
from community.extensions import db
from community.models import Post, Thread


def _row(app, post_id):
    with app.app_context():
        return search.indexed(post_id)


def test_a_new_thread_and_reply_are_indexed_as_plain_text_without_author(app, scene, world):
    thread, opening = scene.start("member", "grievance", "Rambutan sourcing", "**Bold** <b>raw</b> & [a link](https://x.example)",
                                  tags="fair-pay, rambutan")
    reply = scene.reply("supplier", thread, "A *rambutan* reply.")
    row = _row(app, opening)
    assert row["thread_id"] == thread
    assert row["title"] == "Rambutan sourcing fair pay rambutan"  # the title and tags, on the opening post only
    # The words readers see: no markup of ours, the user's literal "<b>" kept as the text it is.
    assert row["body"] == "Bold <b>raw</b> & a link"
    assert _row(app, reply) == {"thread_id": thread, "title": "", "body": "A rambutan reply."}
    for text in (row["title"] + row["body"], _row(app, reply)["body"]):
        assert "Member" not in text and "Supplier" not in text  # authors' names are never indexed


def test_edit_replaces_the_indexed_words(scene, found_ids):
    thread, _ = scene.start("member", title="Editing test thread")
    post = scene.reply("supplier", thread, "The first word is cantaloupe.")
    assert found_ids("member2", "cantaloupe") == {post}
    scene.edit("supplier", post, "Now it says honeydew instead.")
    assert found_ids("member2", "cantaloupe") == set()
    assert found_ids("member2", "honeydew") == {post}


def test_delete_and_restore(scene, found_ids):
    thread, _ = scene.start("member", title="Deleting test thread")
    post = scene.reply("supplier", thread, "Gooseberry remarks.")
    scene.delete("supplier", post)
    assert found_ids("member", "gooseberry") == set()
    assert found_ids("supplier", "gooseberry") == set()  # not even its author
    scene.restore("supplier", post)
    assert found_ids("member", "gooseberry") == {post}


def test_moderator_hide_and_restore(scene, found_ids):
    thread, _ = scene.start("member", title="Hiding test thread")
    post = scene.reply("supplier", thread, "Elderberry remarks.")
    scene.moderate("moderator", post, "hide", "Off topic")
    assert found_ids("moderator", "elderberry") == set()
    scene.moderate("moderator", post, "restore")
    assert found_ids("member", "elderberry") == {post}


def test_held_posts_appear_when_approved_and_never_when_rejected(scene, found_ids):
    scene.hold_word("boysenberry")
    thread, _ = scene.start("member", title="Holding test thread")
    approved = scene.reply("supplier", thread, "Boysenberry one.")
    rejected = scene.reply("supplier2", thread, "Boysenberry two.")
    assert found_ids("moderator", "boysenberry") == set()
    scene.moderate("moderator", approved, "approve")
    scene.moderate("moderator", rejected, "reject", "Please rephrase")
    assert found_ids("member", "boysenberry") == {approved}


def test_a_held_thread_appears_when_its_opening_post_is_approved(scene, found_ids, find):
    scene.hold_word("salak")
    thread, opening = scene.start("supplier", "grievance", "Salak questions", "About salak.")
    assert found_ids("moderator", "salak") == set()
    scene.moderate("moderator", opening, "approve")
    assert find("supplier2", "salak") == [("thread", opening)]


def test_flags_that_hide_a_post_take_it_out(app, scene, found_ids):
    thread, _ = scene.start("member", title="Flagging test thread")
    post = scene.reply("supplier", thread, "Feijoa spam.")
    for who in ("member", "member2", "supplier2"):  # FLAGS_TO_HIDE = 3
        scene.flag(who, post)
    assert found_ids("member", "feijoa") == set()


def test_moving_a_thread_changes_who_finds_it(scene, found_ids):
    thread, opening = scene.start("supplier", "grievance", "Pomelo dyeing", "Pomelo notes.")
    reply = scene.reply("member", thread, "Pomelo answer.")
    assert found_ids("supplier2", "pomelo") == {opening, reply}
    scene.moderate_thread("admin", thread, "move", topic_slug="textiles-circle")
    assert found_ids("supplier2", "pomelo") == set()
    assert found_ids("supplier", "pomelo") == {opening, reply}
    assert found_ids("supplier", "pomelo", topic="textiles-circle") == {opening, reply}


def test_merging_moves_the_posts_and_drops_the_merged_title(app, scene, find):
    source, source_opening = scene.start("member", "grievance", "Lychee logistics", "First lychee post.")
    source_reply = scene.reply("supplier", source, "Second lychee post.")
    target, target_opening = scene.start("member2", "grievance", "Cold chain for fruit", "Cold chain post.")
    scene.moderate_thread("moderator", source, "merge", target=target)
    found = find("supplier2", "lychee")
    assert sorted(found) == sorted([("post", source_opening), ("post", source_reply)])
    assert find("supplier2", "logistics") == []  # the merged thread's title is no longer a thread of its own
    with app.app_context():
        assert {db.session.get(Post, p).thread_id for _t, p in found} == {target}
        assert search.indexed(source_opening)["thread_id"] == target
        assert search.indexed(source_opening)["title"] == ""


def test_splitting_makes_a_new_thread_findable(scene, find):
    thread, _ = scene.start("member", "grievance", "Mixed thread", "Opening words.")
    first = scene.reply("supplier", thread, "Jabuticaba is off topic here.")
    second = scene.reply("supplier2", thread, "More about it.", reply_to=first)
    new = scene.moderate_thread("moderator", thread, "split", post_ids=[first, second],
                                title="Mangosteen and jabuticaba")
    assert find("member", "mangosteen") == [("thread", first)]
    assert ("thread", first) in find("member", "jabuticaba")
    assert new != thread


def test_a_thread_title_change_is_reindexed(app, scene, find):
    thread, opening = scene.start("member", "grievance", "Tangelo title", "Body words.")

    def rename():
        db.session.get(Thread, thread).title = "Clementine title"
        db.session.commit()

    scene.run(rename)
    assert find("member", "tangelo") == []
    assert find("member", "clementine") == [("thread", opening)]


def test_a_rolled_back_write_leaves_no_trace(app, scene, found_ids, world):
    thread, _ = scene.start("member", title="Rollback test thread")

    def write_then_roll_back():
        post = Post(thread_id=thread, author_id=world.ids["member"], body="Sapodilla", html="<p>Sapodilla</p>")
        db.session.add(post)
        db.session.flush()
        assert search.indexed(post.id) is not None  # indexed inside the transaction...
        db.session.rollback()

    scene.run(write_then_roll_back)
    assert found_ids("member", "sapodilla") == set()  # ...and gone with it


def test_an_accepted_answer_moves_the_question_between_answered_filters(scene, found_ids):
    thread, opening = scene.start("supplier", "grievance", "Who pays for medlar audits?", "Medlar audits.",
                                  kind="question")
    answer = scene.reply("member", thread, "The brand pays for medlar audits.")
    assert found_ids("member", "medlar", answered=False) == {opening, answer}
    scene.accept("supplier", thread, answer)
    assert found_ids("member", "medlar", answered=True) == {opening, answer}
    assert found_ids("member", "medlar", answered=False) == set()


def test_rebuild_gives_the_same_index(app, scene, found_ids):
    thread, opening = scene.start("member", "grievance", "Ackee rebuild", "Ackee body.")
    reply = scene.reply("supplier", thread, "Ackee reply.")
    hidden = scene.reply("supplier2", thread, "Ackee hidden.")
    scene.moderate("moderator", hidden, "hide")
    with app.app_context():
        search.clear_index()
        db.session.commit()
    assert found_ids("member", "ackee") == set()
    with app.app_context():
        assert search.rebuild_index() == 2  # the visible posts of the scene: opening and reply
        db.session.commit()
    assert found_ids("member", "ackee") == {opening, reply}


def test_index_post_and_remove_post(app, scene, found_ids):
    thread, opening = scene.start("member", "grievance", "Soursop title", "Soursop body.")
    with app.app_context():
        search.remove_post(db.session.get(Post, opening))
        db.session.commit()
    assert found_ids("member", "soursop") == set()
    with app.app_context():
        search.index_post(db.session.get(Post, opening))
        db.session.commit()
    assert found_ids("member", "soursop") == {opening}
