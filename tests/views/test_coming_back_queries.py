"""The pages with read state stay within a constant number of queries: one per list, never one
per row (home, a topic's list, the profile), whatever the number of threads and posts."""
from __future__ import annotations

import pytest

from tests.statements import statements
from tests.views.threads_support import answer, start


def _activity(app, world, member, n: int) -> None:
    """n threads by two authors, each opened by the member and then replied to."""
    for i in range(n):
        who = "supplier" if i % 2 else "supplier2"
        thread_id, _ = start(app, world, who, "grievance", title=f"Busy thread number {i}")
        member.get(f"/threads/{thread_id}")
        answer(app, world, "supplier2" if who == "supplier" else "supplier", thread_id, f"News {i}")
        start(app, world, who, "grievance", title=f"Unopened thread number {i}")


@pytest.mark.parametrize("path", ["/", "/?tab=latest", "/?tab=unread", "/t/grievance", "/users/{supplier}"])
def test_queries_do_not_grow_with_the_rows(app, world, login_as, path):
    member = login_as("member")
    path = path.format(supplier=world.ids["supplier"])
    _activity(app, world, member, 2)
    with statements(app) as few:
        assert member.get(path).status_code == 200
    _activity(app, world, member, 6)
    with statements(app) as many:
        assert member.get(path).status_code == 200
    assert len(many) == len(few), (path, len(few), len(many))
