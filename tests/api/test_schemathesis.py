"""Schemathesis fuzzes every operation of ``/api/openapi.json`` against a real
``rostra serve`` process and fails on any 5xx answer."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROSTRA = [sys.executable, "-m", "rostra.cli"]
PASSWORD = "a long enough secret phrase"
ST = shutil.which("st", path=str(Path(sys.executable).parent))

pytestmark = pytest.mark.skipif(ST is None, reason="schemathesis is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir: Path = tmp_path_factory.mktemp("rostra-st")
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(ROSTRA_DATA_DIR=str(data_dir), ROSTRA_DOMAIN=f"127.0.0.1:{port}",
               ROSTRA_RATE_LIMITS_ENABLED="false")
    subprocess.run([*ROSTRA, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([*ROSTRA, "createuser", "fuzzer", "--email", "fuzzer@example.org",
                    "--password-stdin"], env=env, input=PASSWORD + "\n", text=True,
                   check=True, capture_output=True)
    log = (data_dir / "server.log").open("w")
    proc = subprocess.Popen([*ROSTRA, "serve", "--no-worker", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/api/v1/instance", timeout=2)
            break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        proc.terminate()
        pytest.fail("the server did not start")
    yield base, data_dir / "server.log"
    proc.terminate()
    proc.wait(timeout=10)


def _token(base: str) -> str:
    app = httpx.post(base + "/api/v1/apps", json={
        "client_name": "fuzz", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
        "scopes": "read write follow"}).json()
    answer = httpx.post(base + "/oauth/token", data={
        "grant_type": "password", "client_id": app["client_id"],
        "client_secret": app["client_secret"], "username": "fuzzer", "password": PASSWORD,
        "scope": "read write follow"})
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def test_openapi_document_is_served(server):
    base, _ = server
    doc = httpx.get(base + "/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/lists/{list_id}" in doc["paths"]


def test_no_operation_answers_with_a_server_error(server, tmp_path):
    base, log = server
    token = _token(base)
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
