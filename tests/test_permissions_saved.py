"""The Guardian on reactions and bookmarks beyond the matrix (tests/test_permissions.py has their
rows): who reacts unnamed, and that refusals about someone else's things reveal nothing."""
from __future__ import annotations

import pytest

from community.errors import Forbidden, Locked, NotFound
from community.permissions import Guardian, reacts_unnamed
from tests.test_permissions import scene  # noqa: F401  (the matrix's scene, as a fixture)

# (persona, thread) -> reacts unnamed there: wrote an anonymous post in it
UNNAMED = [
    ("supplier2", "g_disc", True),    # g_anon
    ("supplier", "g_disc", False),    # wrote there, never anonymously
    ("member", "g_disc", False),
    ("supplier", "o_disc", True),     # o_anon
    ("supplier2", "o_disc", False),   # the thread's (named) author
    ("supplier2", "g_question", False),
]


@pytest.mark.parametrize("persona,thread,expected", UNNAMED)
def test_who_reacts_unnamed(app, scene, persona, thread, expected):  # noqa: F811
    with app.app_context():
        assert reacts_unnamed(scene.user(persona), scene.obj(thread)) is expected


def test_refusals_say_not_found_for_what_one_may_not_see(app, scene):  # noqa: F811
    with app.app_context():
        supplier = Guardian(scene.user("supplier"))
        for key in ("m_reply", "g_held", "g_hidden"):
            with pytest.raises(NotFound):
                supplier.ensure_react(scene.obj(key))
            with pytest.raises(NotFound):
                supplier.ensure_bookmark(scene.obj(key))
        with pytest.raises(NotFound):
            supplier.ensure_bookmark(scene.obj("m_disc"))
        with pytest.raises(Forbidden, match="your own post"):
            supplier.ensure_react(scene.obj("g_supplier"))
        with pytest.raises(Locked):
            Guardian(scene.user("member")).ensure_react(scene.obj("g_locked_reply"))
        # the anonymous author is refused as any author is: "your own post" is said to them only
        with pytest.raises(Forbidden, match="your own post"):
            Guardian(scene.user("supplier2")).ensure_react(scene.obj("g_anon"))
        assert Guardian(scene.user("member")).why_not_react(scene.obj("g_anon")) is None
