"""The administrators' storage page and `flask files prune`."""
from __future__ import annotations

from datetime import timedelta

from tests.api.helpers import Api
from tests.files.test_files_in_posts import api, uploaded  # noqa: F401  (the fixture)


def test_the_storage_page_shows_usage_per_topic_and_the_largest_files(api: Api, login_as):
    photo = uploaded(api, "supplier", name="Named Person.jpg")
    api.start_thread("supplier", body="Anonymous photo.", anonymous=True, attachments=[photo["id"]])
    uploaded(api, "member", name="waiting.jpg")
    page = login_as("admin").get("/admin/storage")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-topic="grievance"' in html and f'data-upload-id="{photo["id"]}"' in html
    assert "Named Person" not in html and "(anonymous)" in html
    assert login_as("moderator").get("/admin/storage").status_code == 403


def test_files_prune_removes_old_files_in_nothing(api: Api, app, stored_files):
    from community.extensions import db
    from community.models import Upload, utcnow

    old = uploaded(api, "supplier")
    with app.app_context():
        db.session.get(Upload, old["id"]).created_at = utcnow() - timedelta(hours=48)
        db.session.commit()
    runner = app.test_cli_runner()
    with app.app_context():
        result = runner.invoke(args=["files", "prune"])
    assert result.exit_code == 0 and "Deleted 1 files" in result.output
    with app.app_context():
        assert db.session.get(Upload, old["id"]) is None


def test_the_storage_page_lists_topics_with_files_and_words_states_in_the_readers_language(api: Api, login_as):
    admin = login_as("admin")
    empty = admin.get("/admin/storage").get_data(as_text=True)
    assert "No topic holds files yet." in empty and "data-topic=" not in empty
    photo = uploaded(api, "supplier", name="dorm.jpg")
    api.start_thread("supplier", body="A photo.", attachments=[photo["id"]])
    page = admin.get("/admin/storage?lang=ar").get_data(as_text=True)
    per_topic = page[page.index('id="storage-per-topic"'):page.index('id="storage-largest"')]
    assert per_topic.count("data-topic=") == 1 and 'data-topic="grievance"' in per_topic
    assert "· 0 " not in per_topic and "—" in per_topic  # no resources in it: a dash, not "0 · 0 bytes"
    largest = page[page.index('id="storage-largest"'):]
    assert "<td>active</td>" not in largest and "<td>ظاهر</td>" in largest
