"""A server started on a port another one already listens on fails, saying so, instead of
quietly sharing it (eventlet.listen turns SO_REUSEPORT on unless told not to): only the
shared-port cluster (REUSE_PORT=1) shares a port, on purpose."""
from __future__ import annotations

import subprocess
import sys
import urllib.request

from tests.server import ROOT, LiveServer


def test_a_second_server_on_a_busy_port_fails_instead_of_sharing_it(tmp_path):
    first = LiveServer(tmp_path / "first", name="first")
    first.start()
    try:
        second = LiveServer(tmp_path / "second", name="second", port=first.port)
        second.cli("db", "upgrade")
        result = subprocess.run([sys.executable, "wsgi.py"], cwd=ROOT, env=second.environment(server=True),
                                capture_output=True, text=True, timeout=60)
        assert result.returncode != 0
        assert "Address already in use" in result.stdout + result.stderr
        # the first one is still the one answering, alone
        with urllib.request.urlopen(first.url + "/login", timeout=10) as response:
            assert response.status == 200
    finally:
        first.stop()
