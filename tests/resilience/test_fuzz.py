"""Schemathesis against the real server with the published OpenAPI document: no answer may be
a 500, and every answer must match the document (status, content type, schema). Seeded and
bounded (a fixed number of examples per operation), as an administrator and as a supplier."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


# Examples per operation: every operation still gets its examples and coverage phases; the fuzzing
# phase is kept short (the whole suite has 10 minutes; 20 took 93 s as an administrator).
@pytest.mark.parametrize("who,examples", [("admin@roundtable.example", 10), ("ravi@shakti.example", 5)])
def test_the_api_survives_schema_driven_fuzzing(live_server, tmp_path, who, examples):
    # A token of the fuzzer's own (the package's shared tokens must outlive it), and revoking
    # tokens left out: the first revocation would leave the rest of the run unauthenticated
    # (tests/api/test_api_tokens.py covers it).
    token = live_server.cli("users", "token", "--email", who, "--name", "fuzz").stdout.strip().splitlines()[-1]
    result = subprocess.run(
        [str(SCHEMATHESIS), "run", f"{live_server.url}/api/v1/openapi.json",
         "-H", f"Authorization: Bearer {token}", "--exclude-operation-id", "revoke_token", "--checks", CHECKS,
         "--max-examples", str(examples), "--seed", "13", "--workers", "1",
         "--phases", "examples,coverage,fuzzing", "--request-timeout", "30", "--no-shrink",
         "--report", "junit", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, (result.stdout[-15000:] + result.stderr[-3000:]
                                    + "\n--- server log ---\n" + live_server.log_tail(60))
    assert "passed" in result.stdout
    assert "Traceback" not in live_server.log_tail(2000)
