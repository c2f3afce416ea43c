"""The upload actions (community/actions/uploads.py): attaching within the per-post limits, only
one's own files, anonymous posts forgetting names, and pruning files no post used."""
from __future__ import annotations

from datetime import timedelta

import pytest

from community.actions.threads import start_thread
from community.actions.uploads import attach_uploads, prune_unattached
from community.errors import Forbidden, Invalid, TooLarge
from community.extensions import db
from community.files.storage import storage
from community.models import Upload, utcnow
from tests.files import samples


@pytest.fixture
def new_post(app, world):
    def _new(who: str = "supplier", anonymous: bool = False):
        thread, post = start_thread(world.user(who), world.topic("grievance"), title="Files here",
                                    body="Body", anonymous=anonymous)
        return post

    return _new


def test_uploads_go_into_a_post_in_order(app, world, upload, new_post):
    first, second = upload("supplier", b"one\n", "one.txt"), upload("supplier", b"two\n", "two.txt")
    with app.app_context():
        post = new_post()
        attached = attach_uploads(world.user("supplier"), post, [second, first, second])
        db.session.commit()
        assert [u.id for u in attached] == [second, first]
        rows = db.session.query(Upload).order_by(Upload.position).all()
        assert [(u.id, u.post_id, u.position) for u in rows] == [(second, post.id, 0), (first, post.id, 1)]
        assert attach_uploads(world.user("supplier"), post, None) == []


def test_only_ones_own_unattached_active_files(app, world, upload, new_post):
    mine, theirs = upload("supplier", b"mine\n", "m.txt"), upload("supplier2", b"theirs\n", "t.txt")
    with app.app_context():
        post = new_post()
        with pytest.raises(Invalid, match="not one of yours"):
            attach_uploads(world.user("supplier"), post, [mine, theirs])
        with pytest.raises(Invalid, match="not one of yours"):
            attach_uploads(world.user("supplier"), post, [987654])
        for bad in ("1", [True], ["1"], {"id": mine}):
            with pytest.raises(Invalid, match="list of upload ids"):
                attach_uploads(world.user("supplier"), post, bad)
        attach_uploads(world.user("supplier"), post, [mine])
        db.session.commit()
        other = new_post()
        with pytest.raises(Invalid, match="already attached"):
            attach_uploads(world.user("supplier"), other, [mine])
        db.session.get(Upload, theirs).state = "hidden"
        with pytest.raises(Invalid):
            attach_uploads(world.user("supplier2"), new_post("supplier2"), [theirs])


def test_the_per_post_limits(app, world, upload, new_post):
    app.config.update(FILE_POST_MAX_COUNT=2, FILE_POST_MAX_BYTES=30)
    ids = [upload("supplier", f"file {i}\n".encode(), f"{i}.txt") for i in range(3)]
    big = upload("supplier", b"x" * 25 + b"\n", "big.txt")
    with app.app_context():
        post = new_post()
        with pytest.raises(Invalid, match="at most 2 files"):
            attach_uploads(world.user("supplier"), post, ids)
        attach_uploads(world.user("supplier"), post, ids[:1])
        with pytest.raises(Invalid, match="at most 2 files"):
            attach_uploads(world.user("supplier"), post, ids[1:])  # counting the one it holds
        with pytest.raises(TooLarge, match="add up to"):
            attach_uploads(world.user("supplier"), post, [big])


def test_an_anonymous_post_forgets_the_names(app, world, upload, new_post):
    photo = upload("supplier", samples.jpeg_with_gps(), "Ravi at Shakti.jpg")
    with app.app_context():
        assert db.session.get(Upload, photo).original_name == "Ravi at Shakti.jpg"
        attach_uploads(world.user("supplier"), new_post(anonymous=True), [photo])
        db.session.commit()
        assert db.session.get(Upload, photo).original_name is None


def test_the_guardian_refuses_a_post_of_someone_else(app, world, upload, new_post):
    mine = upload("supplier", b"mine\n", "m.txt")
    with app.app_context():
        from community.permissions import Guardian

        with pytest.raises(Forbidden, match="author"):
            Guardian(world.user("supplier")).ensure_attach_upload(db.session.get(Upload, mine), new_post("member"))


def test_pruning_removes_old_unattached_files_and_their_stored_bytes(app, world, upload, new_post):
    app.config["FILE_UNATTACHED_HOURS"] = 24
    old = upload("supplier", samples.jpeg_with_gps(), "old.jpg")
    kept_in_post = upload("supplier", b"in a post\n", "p.txt")
    same_bytes = upload("supplier2", samples.jpeg_with_gps(), "same.jpg")  # the same content as `old`
    recent = upload("supplier", b"recent\n", "r.txt")
    with app.app_context():
        attach_uploads(world.user("supplier"), new_post(), [kept_in_post])
        for upload_id in (old, kept_in_post, same_bytes):
            db.session.get(Upload, upload_id).created_at = utcnow() - timedelta(hours=25)
        db.session.commit()
        shared_key = db.session.get(Upload, old).storage_key
        assert prune_unattached() == 2
        assert {u.id for u in db.session.query(Upload)} == {kept_in_post, recent}
        assert not storage().exists(shared_key)
        db.session.get(Upload, recent).created_at = utcnow() - timedelta(hours=25)
        db.session.commit()
        key = db.session.get(Upload, recent).storage_key
        assert prune_unattached() == 1 and not storage().exists(key)
        assert storage().exists(db.session.get(Upload, kept_in_post).storage_key)


def test_the_same_content_is_stored_once_and_kept_while_used(app, world, upload):
    first = upload("supplier", samples.pdf(), "a.pdf")
    second = upload("supplier2", samples.pdf(), "b.pdf")
    with app.app_context():
        a, b = db.session.get(Upload, first), db.session.get(Upload, second)
        assert a.storage_key == b.storage_key and a.sha256 == b.sha256
        a.created_at = utcnow() - timedelta(days=2)
        db.session.commit()
        assert prune_unattached() == 1
        assert storage().exists(b.storage_key)  # still used by the second upload
