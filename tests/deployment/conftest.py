"""Every test here boots real server processes (and the cluster its own PostgreSQL database):
they run once, in the SQLite pass of `make test` (`-m "not server"` leaves them out)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import mark_tests_below

HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    mark_tests_below(items, HERE, pytest.mark.server)
