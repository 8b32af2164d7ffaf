"""Rostra against third-party ActivityPub implementations, over loopback:

* **fediverse-pasture** (PyPI): its ``one_actor`` server, set to require signed POSTs
  to its inbox (it answers 401 to a bad signature), and its ``send`` tool, which
  delivers a signed ``Create`` to Rostra;
* **Fedify** 2.3.6 (npm), through ``peers/fedify_peer.mjs``: its document loader
  (``allowPrivateAddress``) reads Rostra's actor and post, its ``signRequest`` signs a
  Follow to Rostra, and its ``verifyRequest`` checks what Rostra delivers back.

The peers are installed by the test setup: fediverse-pasture in its own virtualenv
(``peers/.venv-pasture``: its ``bovine`` pins ``cryptography<46``, which Rostra must
not be downgraded to) and Fedify with ``npm install`` in ``peers/``. Without network
or Node.js the tests are skipped with the reason.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from tests.federation.servers import RostraServer, free_port, wait_for

PEERS = Path(__file__).parent / "peers"
PASTURE_VENV = PEERS / ".venv-pasture"
PASTURE_VERSION = "0.2.25"
TIMEOUT = 20.0


def _locked(name: str):
    lock = Path(tempfile.gettempdir()) / f"rostra-federation-peers-{name}.lock"
    handle = open(lock, "w")  # noqa: SIM115 - held for the block (xdist workers)
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def _pasture_python() -> Path:
    python = PASTURE_VENV / "bin" / "python"
    with _locked("pasture"):
        ok = python.exists() and subprocess.run(
            [python, "-c", "import fediverse_pasture"], capture_output=True).returncode == 0
        if not ok:
            shutil.rmtree(PASTURE_VENV, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", PASTURE_VENV], check=True)
            done = subprocess.run([python, "-m", "pip", "install", "-q",
                                   f"fediverse-pasture=={PASTURE_VERSION}"],
                                  capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                pytest.skip(f"fediverse-pasture could not be installed: {done.stderr[-500:]}")
    return python


def _fedify_ready() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js and npm are needed for the Fedify peer")
    with _locked("npm"):
        if not (PEERS / "node_modules" / "@fedify" / "fedify").exists():
            done = subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=PEERS,
                                  capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                pytest.skip(f"@fedify/fedify could not be installed: {done.stderr[-500:]}")


@pytest.fixture(scope="module")
def rostra(tmp_path_factory):
    server = RostraServer(tmp_path_factory.mktemp("rostra-peers"), ("alice",))
    assert server.prepare().wait(timeout=120) == 0
    server.create_users()
    server.start()
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def deliveries(server: RostraServer, inbox_prefix: str) -> list[dict]:
    """Rostra's delivery log towards ``inbox_prefix`` (read from its SQLite file)."""
    db = sqlite3.connect(server.data_dir / "rostra.sqlite3")
    try:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT a.uri AS activity_id, d.inbox_url, a.payload, d.status, "
                          "d.attempts, d.last_status_code, d.last_error "
                          "FROM federation_delivery d "
                          "JOIN federation_outgoingactivity a ON a.id = d.activity_id "
                          "WHERE d.inbox_url LIKE ?", (inbox_prefix + "%",)).fetchall()
    finally:
        db.close()
    return [dict(r, type=json.loads(r["payload"])["type"]) for r in rows]


def delivered(server: RostraServer, prefix: str, kind: str):
    def check():
        rows = [r for r in deliveries(server, prefix) if r["type"] == kind]
        return rows if rows and all(r["status"] == "delivered" for r in rows) else None
    return check


# --- Fedify -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fedify_peer(tmp_path_factory):
    _fedify_ready()
    port = free_port()
    log = tmp_path_factory.mktemp("fedify") / "peer.log"
    proc = subprocess.Popen(["node", "fedify_peer.mjs", "serve", str(port)], cwd=PEERS,
                            stdout=log.open("w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def up():
        if proc.poll() is not None:
            raise AssertionError(log.read_text())
        try:
            return httpx.get(base + "/received", timeout=2).status_code == 200
        except httpx.TransportError:
            return False
    wait_for(up, timeout=30, what="the Fedify peer")
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def _fedify_lookup(url: str) -> dict:
    done = subprocess.run(["node", "fedify_peer.mjs", "lookup", url], cwd=PEERS,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_fedify_reads_rostras_actor_and_post(rostra, fedify_peer):
    actor = _fedify_lookup(f"{rostra.base}/users/alice")
    assert actor["type"] == "Person" and actor["preferredUsername"] == "alice"
    assert actor["inbox"] == f"{rostra.base}/users/alice/inbox"
    assert actor["publicKeyId"] == f"{rostra.base}/users/alice#main-key"
    status = rostra.api("alice").post("/api/v1/statuses", status="Read me, Fedify",
                                      visibility="public")
    note = _fedify_lookup(status["uri"])
    assert note["type"] == "Note" and "Read me, Fedify" in note["content"]
    assert note["attributedTo"] == f"{rostra.base}/users/alice"


def test_fedify_follows_and_receives_verified_deliveries(rostra, fedify_peer):
    alice = rostra.api("alice")
    before = alice.get("/api/v1/accounts/verify_credentials")["followers_count"]
    sent = httpx.post(fedify_peer + "/send", params={
        "type": "Follow", "target": f"{rostra.base}/users/alice"}, timeout=30).json()
    assert sent["status"] in (200, 202), sent  # Rostra verified Fedify's signature
    wait_for(lambda: alice.get("/api/v1/accounts/verify_credentials")["followers_count"]
             == before + 1, timeout=TIMEOUT, what="the Fedify peer to follow alice")

    def received(kind):
        return lambda: [r for r in httpx.get(fedify_peer + "/received").json()
                        if r.get("type") == kind]
    accept = wait_for(received("Accept"), timeout=TIMEOUT, what="Rostra's Accept at Fedify")[0]
    assert accept["verified"] and accept["owner"] == f"{rostra.base}/users/alice"
    assert accept["object"]["id"] == sent["id"]

    alice.post("/api/v1/statuses", status="Hello, Fedify follower", visibility="public")
    create = wait_for(received("Create"), timeout=TIMEOUT, what="Rostra's Create at Fedify")
    assert create[0]["verified"] and "Hello, Fedify" in create[0]["object"]["content"]
    assert all(r["verified"] for r in httpx.get(fedify_peer + "/received").json())


def test_fedify_mention_reaches_rostra(rostra, fedify_peer):
    alice = rostra.api("alice")
    sent = httpx.post(fedify_peer + "/send", params={
        "type": "Create", "target": f"{rostra.base}/users/alice",
        "text": "<p>Hi alice, from Fedify</p>"}, timeout=30).json()
    assert sent["status"] in (200, 202), sent
    wait_for(lambda: [n for n in alice.notifications() if n["type"] == "mention"
                      and "from Fedify" in n["status"]["content"]],
             timeout=TIMEOUT, what="Fedify's mention to notify alice")


# --- fediverse-pasture ------------------------------------------------------------------

@pytest.fixture(scope="module")
def pasture(tmp_path_factory):
    python = _pasture_python()
    workdir = tmp_path_factory.mktemp("pasture")
    subprocess.run([python, "-m", "fediverse_pasture.one_actor", "--only_generate_config"],
                   cwd=workdir, check=True, capture_output=True)
    config = workdir / "data.toml"
    text = config.read_text()
    # The one actor answers 401 to an unsigned or badly signed POST to its inbox.
    head, sep, rest = text.partition("requires_signed_post_for_inbox = false")
    config.write_text(head + "requires_signed_post_for_inbox = true" + rest)
    port = free_port()
    log = workdir / "one_actor.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([python, "-m", "fediverse_pasture.one_actor", "--port", str(port)],
                            cwd=workdir, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            env=env)
    base = f"http://127.0.0.1:{port}"

    def up():
        if proc.poll() is not None:
            raise AssertionError(log.read_text())
        try:
            return httpx.get(base + "/actor", timeout=2).status_code == 200
        except httpx.TransportError:
            return False
    wait_for(up, timeout=30, what="pasture one_actor")
    yield {"base": base, "python": python, "workdir": workdir, "log": log, "port": port}
    proc.terminate()
    proc.wait(timeout=10)


def test_pasture_sends_a_signed_create_to_rostra(rostra, pasture):
    done = subprocess.run(
        [pasture["python"], "-m", "fediverse_pasture.send", "--domain", pasture["base"],
         "--text", "Hello from the pasture", "--mention", "--verbose",
         f"acct:alice@{rostra.domain}"],
        cwd=pasture["workdir"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    alice = rostra.api("alice")
    wait_for(lambda: [n for n in alice.notifications() if n["type"] == "mention"
                      and "Hello from the pasture" in n["status"]["content"]],
             timeout=TIMEOUT, what="the pasture's Create to notify alice")


def test_rostra_delivers_signed_activities_the_pasture_verifies(rostra, pasture):
    alice = rostra.api("alice")
    handle = f"actor@127.0.0.1:{pasture['port']}"
    account = alice.resolve(handle)
    assert account and account["acct"] == handle, account
    alice.post(f"/api/v1/accounts/{account['id']}/follow")
    alice.post("/api/v1/statuses", status=f"@{handle} a direct hello", visibility="direct")
    inbox = f"{pasture['base']}/actor/inbox"
    follow = wait_for(delivered(rostra, inbox, "Follow"), timeout=TIMEOUT,
                      what="the Follow to be accepted by the pasture's inbox")
    create = wait_for(delivered(rostra, inbox, "Create"), timeout=TIMEOUT,
                      what="the Create to be accepted by the pasture's inbox")
    # one_actor answers 401 unless the signature verifies with alice's published key.
    assert follow[0]["last_status_code"] == 202 and create[0]["last_status_code"] == 202
    log = pasture["log"].read_text()
    assert "'type': 'Follow'" in log and "a direct hello" in log
