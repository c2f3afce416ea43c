"""Bounded rendering (community/rendering.py): complexity limits, the worker processes and
their deadline, the size of the HTML, and the linear helpers around them.

Times are compared as ratios (never against absolute figures): a linear step takes about
10x as long on 10x the text, a quadratic one 100x.
"""
from __future__ import annotations

import time

import pytest

from community import language, markup, rendering
from community.actions.posts import reply
from community.errors import TooComplex
from community.extensions import db
from community.models import Post
from tests.actions.support import start

SLOW_BUT_ALLOWED = ("[" * 999 + "*a" * 1249 + "|a|b|\n|-|-|\n" + "|a|b|\n" * 330 + "<" * 2999
                    + "&amp;" * 1999 + "`x`" * 660)


@pytest.fixture
def workers(app):
    """One render worker for this test's app (tests otherwise render in-process)."""
    app.config.update(RENDER_WORKERS=1, RENDER_TIMEOUT_SECONDS=5.0)
    with app.app_context():
        yield rendering.pool(app)
    rendering.close_pools()


@pytest.mark.parametrize("name,chars,limit", markup.COMPLEXITY_LIMITS)
def test_each_expensive_construct_has_a_limit_named_to_the_author(app, name, chars, limit):
    body = chars[0] * (limit + 1) + " words"
    with app.test_request_context():
        rendering.check_complexity(chars[0] * limit)  # at the limit: fine
        with pytest.raises(TooComplex) as refused:
            rendering.render_post(body)
    error = refused.value
    assert error.status == 422 and error.code == "too_complex" and error.field == "body"
    assert str(rendering.CONSTRUCT_NAMES[name]) in error.message and "kept" in error.message
    assert f"{limit + 1:,}" in error.message and f"{limit:,}" in error.message


def test_the_issue_shapes_are_refused_or_rendered_quickly(app):
    """20,000 characters of "[", "![", "[x", "*a": refused by the limits in microseconds."""
    with app.test_request_context():
        for unit in ("[", "![", "[x", "*a"):
            body = (unit * 20_000)[:20_000]
            started = time.perf_counter()
            with pytest.raises(TooComplex):
                rendering.render_post(body)
            refused = time.perf_counter() - started
            started = time.perf_counter()
            rendering.render_post("word " * 4000)  # the same length of plain prose
            plain = time.perf_counter() - started
            assert refused < plain * 2 + 0.01, unit


def test_bare_addresses_are_linked_by_the_sanitiser_not_by_markdown(app):
    html = markup.render("see www.example.org and https://example.com/a?b=1 or write to a@b.co")
    assert 'href="http://www.example.org"' in html and 'href="https://example.com/a?b=1"' in html
    assert "mailto:" not in html  # e-mail addresses stay text (linkify-it took 6.5 s on 2,857 of them)
    assert "<code>www.example.org</code>" in markup.render("`www.example.org`")


def test_the_worker_renders_exactly_what_the_process_would(workers, app):
    sources = ["**bold** _em_ [x](https://example.com) www.example.org", "| a | b |\n|---|---|\n| 1 | 2 |",
               "<script>alert(1)</script>", "```\n<b>code</b>\n```", "مرحبا **بالعالم**", "😀 " * 50]
    with app.test_request_context():
        for source in sources:
            assert rendering.render_post(source) == markup.render(source)
    assert len(workers.pids()) == 1


def test_a_render_past_its_cpu_budget_is_refused_and_the_worker_carries_on(workers, app):
    with app.test_request_context():
        rendering.render_post("warm")
        first = workers.pids()
        workers.timeout = 0.01  # CPU seconds
        with pytest.raises(TooComplex) as refused:
            rendering.render_post(SLOW_BUT_ALLOWED)
        assert "took too long" in refused.value.message and "kept" in refused.value.message
        assert refused.value.field == "body"
        workers.timeout = 5.0
        assert rendering.render_post("*after*") == "<p><em>after</em></p>"
        assert rendering.render_post(SLOW_BUT_ALLOWED) == markup.render(SLOW_BUT_ALLOWED)  # a fresh parser
        assert workers.pids() == first


def test_a_worker_that_does_not_answer_is_killed_and_replaced(workers, app, monkeypatch):
    import os
    import signal

    monkeypatch.setattr(rendering, "BACKSTOP_MIN_SECONDS", 0.5)
    workers.timeout = 0.1  # CPU seconds: the backstop is 0.5 + 3 x 0.1 s of waiting
    with app.test_request_context():
        rendering.render_post("warm")
        wedged = workers.pids()[0]
        os.kill(wedged, signal.SIGSTOP)  # as if it hung
        with pytest.raises(TooComplex):
            rendering.render_post("anything")
        assert rendering.render_post("*next*") == "<p><em>next</em></p>"
        assert wedged not in workers.pids()


def test_html_past_its_limit_is_refused(app, monkeypatch):
    monkeypatch.setattr(markup, "MAX_HTML_CHARS", 1000)
    with app.test_request_context():
        rendering.render_post("short")
        with pytest.raises(TooComplex) as refused:
            rendering.render_post("www.example.org " * 40)
    assert "too large once formatted" in refused.value.message


def test_a_refused_post_writes_nothing(world, app):
    with app.test_request_context():
        thread, _opening = start(world, "member")
        with pytest.raises(TooComplex):
            reply(world.user("supplier"), thread, "[" * 5000)
        db.session.rollback()
        assert db.session.query(Post).count() == 1


def test_a_reply_through_the_worker_is_stored_with_its_html(workers, world, app):
    with app.test_request_context():
        thread, _opening = start(world, "member")
        post = reply(world.user("supplier"), thread, "Rendered **elsewhere**, www.example.org")
        assert post.html == markup.render("Rendered **elsewhere**, www.example.org")


def test_trusted_text_skips_the_limits(workers, app):
    with app.test_request_context():
        html = rendering.render_trusted("line\n" * 3000)  # more lines than a post may have
    assert html.startswith("<p>line")


def _ratio(func, small: str, large: str) -> float:
    """How much longer `func` takes on `large` (10x `small`) than on `small`, best of 5, in CPU
    time of this process (wall time would count the other processes of a loaded machine)."""
    def best(text):
        times = []
        for _ in range(5):
            started = time.process_time()
            func(text)
            times.append(time.process_time() - started)
        return max(min(times), 1e-5)
    return best(large) / best(small)


@pytest.mark.parametrize("unit", ["[", "![", "[x", "\n", "\n\n>", "`a", "```a"])
def test_language_detection_is_linear_in_the_text(unit):
    language.warm_up()
    small, large = unit * (2000 // len(unit)), unit * (20_000 // len(unit))
    assert _ratio(language.detect, small, large) < 40  # linear: ~10; the old "[" regex: ~100


def test_to_text_is_linear_and_keeps_attribute_values_out():
    html = markup.render('[docs](https://example.com "a>b") and *more*')
    assert markup.to_text(html) == "docs and more"
    big = markup.render("<b> & **x** " * 2000)
    assert _ratio(markup.to_text, big[: len(big) // 10], big) < 40
    assert markup.to_text(markup.render("<script>alert(1)</script>")) == "<script>alert(1)</script>"
