"""community.markup: Markdown in, HTML that can never run script out."""
from __future__ import annotations

import re

import pytest

from community.markup import LINK_REL, mentions, render, sanitize, to_text

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<div onclick="alert(1)">hi</div>',
    "<svg onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '![x](https://example.com/a.png" onerror="alert(1))',
    '[x](https://example.com "a" onmouseover="alert(1)")',
    "<a href='javascript:alert(1)'>click</a>",
    "<style>body{display:none}</style>",
    '<p style="position:fixed">x</p>',
    "<<script>script>alert(1)<</script>/script>",
    "<object data=x></object><embed src=x>",
    "javascript:alert(1)",
]


def tags_of(html: str) -> set[str]:
    return {t.lower() for t in re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", html)}


@pytest.mark.parametrize("source", XSS)
def test_nothing_executable_survives(source):
    html = render(source)
    assert tags_of(html) <= {"p", "a", "code", "pre", "em", "strong"}, html
    for tag in re.findall(r"<[a-zA-Z][^>]*>", html):  # real tags only: escaped text is harmless
        assert not re.search(r"\son\w+\s*=", tag, re.I), html  # no event handler attributes
        assert not re.search(r"""href\s*=\s*["']?\s*(javascript|vbscript|data):""", tag, re.I), html
        assert "style=" not in tag, html
    assert "<script" not in html.lower()


def test_raw_html_is_shown_as_text():
    assert render("<b>bold?</b>") == "<p>&lt;b&gt;bold?&lt;/b&gt;</p>"
    assert to_text(render("<script>alert(1)</script>")) == "<script>alert(1)</script>"


def test_markdown_basics_are_kept():
    html = render("**bold** _em_ ~~gone~~\n\n> quoted\n\n- one\n- two\n\n## Heading")
    for tag in ("<strong>bold</strong>", "<em>em</em>", "<s>gone</s>", "<blockquote>", "<li>one</li>", "<h2>Heading</h2>"):
        assert tag in html
    table = render("| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<table>" in table and "<td>1</td>" in table


def test_code_blocks_keep_their_text_exactly():
    html = render("```\n<b>not bold</b> & http://example.com/x\n```")
    assert html == "<pre><code>&lt;b&gt;not bold&lt;/b&gt; &amp; http://example.com/x\n</code></pre>"
    assert render("use `a<b && c>d` here") == "<p>use <code>a&lt;b &amp;&amp; c&gt;d</code> here</p>"
    assert to_text(render("`<i>x</i>`")) == "<i>x</i>"


def test_links_get_rel_nofollow_noopener_ugc():
    html = render('[docs](https://example.com/guide "The guide")')
    assert html == ('<p><a href="https://example.com/guide" title="The guide" rel="nofollow noopener ugc">'
                    'docs</a></p>')
    assert LINK_REL == "nofollow noopener ugc"
    for source in ("<https://example.com>", "see https://example.com/a?b=1&c=2 now", "www.example.org",
                   "[m](mailto:someone@example.com)"):
        html = render(source)
        anchors = re.findall(r"<a [^>]*>", html)
        assert anchors, source
        assert all('rel="nofollow noopener ugc"' in a for a in anchors), html


def test_autolinks():
    assert render("see https://example.com/a?b=1&c=2 now") == (
        '<p>see <a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener ugc">'
        "https://example.com/a?b=1&amp;c=2</a> now</p>")
    assert 'href="http://www.example.org"' in render("www.example.org")
    assert "<a" not in render("```\nhttps://example.com\n```")  # not inside code


def test_images_are_dropped():
    assert "<img" not in render("![chart](https://example.com/chart.png)")


def test_sanitize_applies_the_same_rules_to_outside_html():
    html = sanitize('<a href="http://x.example" onclick="y()">l</a><script>z()</script>'
                    '<a href="javascript:x()">j</a><pre>&lt;b&gt;</pre>')
    assert "onclick" not in html and "<script" not in html and "javascript" not in html
    assert 'rel="nofollow noopener ugc"' in html and "<pre>&lt;b&gt;</pre>" in html


def test_empty_input():
    assert render("") == "" and render(None) == ""


@pytest.mark.parametrize("body, handles", [
    ("hi @member2, thanks", {"member2"}),
    ("@bob.smith. and @ann_lee- and @Member2", {"bob.smith", "ann_lee", "member2"}),
    ("write to x@example.com", set()),
    ("@@double @a", set()),
    ("(@supplier2)", {"supplier2"}),
    ("", set()),
])
def test_mentions(body, handles):
    assert mentions(body) == handles
