"""Fixtures for the files tests: storage in the test's own folder, uploads and posts made through
the real actions."""
from __future__ import annotations

import io

import pytest

from community.extensions import db
from community.models import Upload


@pytest.fixture(autouse=True)
def stored_files(app, tmp_path):
    """Files stored under this test's own folder (the app fixture restores the setting)."""
    app.config["FILE_STORAGE_PATH"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


class FileStream(io.BytesIO):
    """What a form or the API hands the action: bytes with the name they were sent under."""

    def __init__(self, data: bytes, filename: str | None):
        super().__init__(data)
        self.filename = filename


@pytest.fixture
def upload(app, world):
    """upload("supplier", data, "photo.jpg") -> the Upload's id, stored through the real action."""
    from community.actions.uploads import upload_file

    def _upload(who: str, data: bytes, name: str | None = "file") -> int:
        with app.app_context():
            return upload_file(world.user(who), FileStream(data, name)).id

    return _upload


@pytest.fixture
def post_with(app, world):
    """post_with("supplier", [upload ids], topic="grievance", anonymous=False) -> (thread id, post id):
    a new thread whose opening post holds those uploads."""
    from community.actions.threads import start_thread
    from community.actions.uploads import attach_uploads

    def _post(who: str, upload_ids: list[int], topic: str = "grievance", anonymous: bool = False):
        with app.app_context():
            thread, post = start_thread(world.user(who), world.topic(topic), title="Dormitory photos",
                                        body="See the files.", anonymous=anonymous)
            attach_uploads(world.user(who), post, upload_ids)
            db.session.commit()
            return thread.id, post.id

    return _post


def load(app, upload_id: int) -> Upload:
    with app.app_context():
        found = db.session.get(Upload, upload_id)
        db.session.expunge(found)
        return found
