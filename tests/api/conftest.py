"""Fixtures for the JSON API tests: `api` (calls as a named persona) and `in_db`."""
from __future__ import annotations

import pytest

from tests.api.helpers import Api


@pytest.fixture
def api(client, token_for) -> Api:
    return Api(client, token_for)


@pytest.fixture
def in_db(app):
    """in_db(fn) runs fn() inside an app context, commits, and returns its result."""
    from community.extensions import db

    def run(fn):
        with app.app_context():
            result = fn()
            db.session.commit()
            return result

    return run
