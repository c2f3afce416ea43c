"""File sizes are written one way, in the reader's language: |filesize (community/i18n.py
file_size) on every page, the same CLDR units as fileSize() in static/js/attachments.js."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from community.extensions import db
from community.i18n import file_size
from community.models import Upload
from tests.files.test_resources_pages import add_page


@pytest.mark.parametrize(("lang", "size", "text"), [
    ("en", 0, "0 bytes"), ("en", 1, "1 byte"), ("en", 380, "380 bytes"),
    ("en", 11674, "11.4 kB"), ("en", 10 * 1024 * 1024, "10 MB"), ("en", 2621440, "2.5 MB"),
    ("ar", 380, "380 بايت"), ("ar", 11674, "11.4 كيلوبايت"), ("ar", 2621440, "2.5 م.ب"),
    ("fr", 11674, "11,4\u202fko"), ("es", 2621440, "2,5 MB"),
])
def test_sizes_in_the_readers_language(app, lang, size, text):
    with app.test_request_context(f"/?lang={lang}"):
        assert file_size(size) == text


def test_no_template_uses_jinjas_english_only_filesizeformat():
    from pathlib import Path
    templates = Path(__file__).resolve().parents[2] / "templates"
    assert not [p.name for p in templates.rglob("*.html") if "filesizeformat" in p.read_text()]


def test_the_resource_page_writes_the_size_and_isolates_the_cite_path(app, login_as):
    member = login_as("member")
    resource_id = add_page(member)
    with app.app_context():
        size = db.session.scalars(select(Upload.size).order_by(Upload.id.desc())).first()
    for lang, unit in (("en", "bytes"), ("ar", "بايت")):
        page = member.get(f"/resources/{resource_id}?lang={lang}").get_data(as_text=True)
        with app.test_request_context(f"/?lang={lang}"):
            expected = file_size(size)
        assert unit in expected and f"({expected})" in page
        # The path is left to right inside the sentence, whatever the page's direction.
        assert f'<bdi dir="ltr">/resources/{resource_id}</bdi>' in page
