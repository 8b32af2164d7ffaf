"""Schemathesis fuzzes every operation of ``/api/openapi.json`` against a real
``rostra serve`` process and fails on any 5xx answer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.api.live import password_token, running_server

ST = shutil.which("st", path=str(Path(sys.executable).parent))

pytestmark = pytest.mark.skipif(ST is None, reason="schemathesis is not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir: Path = tmp_path_factory.mktemp("rostra-st")
    with running_server(data_dir, users=("fuzzer",),
                        extra_env={"ROSTRA_RATE_LIMITS_ENABLED": "false"}) as base:
        yield base, data_dir / "server.log"


def test_openapi_document_is_served(server):
    base, _ = server
    doc = httpx.get(base + "/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/lists/{list_id}" in doc["paths"]


def test_no_operation_answers_with_a_server_error(server, tmp_path):
    base, log = server
    token = password_token(base, "fuzzer")
    run = subprocess.run(
        [ST, "run", base + "/api/openapi.json", "--url", base,
         "--checks", "not_a_server_error", "-H", f"Authorization: Bearer {token}",
         "--phases", os.environ.get("ROSTRA_ST_PHASES", "examples,fuzzing"),
         "--max-examples", os.environ.get("ROSTRA_ST_MAX_EXAMPLES", "6"), "--workers", "2",
         "--generation-database", "none",
         "--seed", "7", "--request-timeout", "10", "--no-color"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    output = run.stdout + run.stderr
    failures = output[max(0, output.find("FAILURES")):][:8000]
    server_errors = [line for line in log.read_text().splitlines()
                     if "Traceback" in line or "Error" in line][-40:]
    assert run.returncode == 0, failures + "\n--- server log ---\n" + "\n".join(server_errors)
