"""Every field that holds user-written text sets dir="auto" (issue #15): a name typed in
Arabic in an English page, or an English reason on an Arabic page, then runs the way it is
written. A maintained check: every template under templates/, every field scripts create,
and a few rendered pages (where a macro picks the type)."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Inputs whose value is not free text (or is laid out by the browser) need no direction.
NOT_TEXT = {"email", "password", "url", "number", "hidden", "checkbox", "radio", "submit", "button", "file",
            "date", "time", "datetime-local", "month", "week", "color", "range", "tel", "reset", "image"}
FIELD = re.compile(r"<(textarea|input)\b", re.I)


def field_tags(source: str):
    """(tag, the whole start tag, line) of each <input>/<textarea> in a Jinja template; a '>'
    inside {{ }}, {% %} or {# #} does not end the tag."""
    at = 0
    while match := FIELD.search(source, at):
        end = match.end()
        while end < len(source) and source[end] != ">":
            for opening, closing in (("{{", "}}"), ("{%", "%}"), ("{#", "#}")):
                if source.startswith(opening, end):
                    end = source.index(closing, end) + 1
                    break
            end += 1
        yield match.group(1).lower(), source[match.start():end + 1], source.count("\n", 0, match.start()) + 1
        at = end + 1


def needs_direction(tag: str, text: str) -> bool:
    if tag == "textarea":
        return True
    kind = re.search(r'\btype="([^"]*)"', text)
    return kind is None or kind.group(1).lower() not in NOT_TEXT


def test_every_text_field_in_the_templates_sets_dir_auto():
    templates = sorted((ROOT / "templates").rglob("*.html"))
    assert len(templates) > 50
    missing, checked = [], 0
    for path in templates:
        for tag, text, line in field_tags(path.read_text(encoding="utf-8")):
            if not needs_direction(tag, text):
                continue
            checked += 1
            if 'dir="auto"' not in text:
                missing.append(f"{path.relative_to(ROOT)}:{line}: {' '.join(text.split())[:100]}")
    assert checked > 40
    assert not missing, "text fields without dir=\"auto\":\n" + "\n".join(missing)


def test_the_scanner_reads_jinja_inside_a_tag():
    source = '<input type="{{ kind }}" {%- if a > b %} required{% endif %} dir="auto">\n<textarea id="x">'
    found = list(field_tags(source))
    assert [(tag, line) for tag, _text, line in found] == [("input", 1), ("textarea", 2)]
    assert 'dir="auto"' in found[0][1]
    assert not needs_direction("input", '<input type="email">')
    assert needs_direction("input", '<input type="search">') and needs_direction("input", "<input name=q>")


def test_fields_that_scripts_create_set_their_direction():
    """A script that creates a <textarea>, or an <input> that is not a checkbox/radio/hidden
    one, sets its dir to "auto" too."""
    missing = []
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        source = path.read_text(encoding="utf-8")
        for match in re.finditer(r'(?:const|let)\s+(\w+)\s*=\s*document\.createElement\("(input|textarea)"\)', source):
            name, tag = match.groups()
            kind = re.search(rf'\b{name}\.type\s*=\s*"([^"]+)"', source)
            if tag == "input" and kind and kind.group(1) in NOT_TEXT:
                continue
            if not re.search(rf'\b{name}\.dir\s*=\s*"auto"|\b{name}\.setAttribute\("dir",\s*"auto"\)', source):
                missing.append(f"{path.name}: {name} ({tag})")
    assert not missing, missing


class Fields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.without = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in ("input", "textarea"):
            return
        if tag == "input" and (attrs.get("type") or "text").lower() in NOT_TEXT:
            return
        if attrs.get("dir") != "auto":
            self.without.append(attrs.get("id") or attrs.get("name"))


@pytest.mark.parametrize("who,paths", [
    (None, ["/register", "/login"]),
    ("supplier", ["/", "/t/grievance/new", "/search?q=hotline", "/settings/tokens", "/settings/profile"]),
    ("admin", ["/admin/users", "/admin/topics/new", "/moderation/log"]),
])
def test_rendered_pages_set_dir_auto_on_text_fields(client, login_as, who, paths):
    browser = login_as(who) if who else client
    for path in paths:
        response = browser.get(path)
        assert response.status_code == 200, path
        fields = Fields()
        fields.feed(response.get_data(as_text=True))
        assert not fields.without, f"{path}: {fields.without}"
