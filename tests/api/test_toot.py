"""toot, the command-line Mastodon client, against a real ``rostra serve``:
log in from the console, post, read the home timeline and the notifications."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.api.live import PASSWORD, password_token, running_server

TOOT = shutil.which("toot", path=str(Path(sys.executable).parent)) or shutil.which("toot")
pytestmark = pytest.mark.skipif(TOOT is None, reason="toot is not installed (dev extras)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("rostra-toot"), ("alice", "bob")) as base:
        yield base


@pytest.fixture(scope="module")
def toot(server, tmp_path_factory):
    """``toot(*args)`` runs toot logged in as alice (its config in a temp folder,
    no terminal, no stdin); returns stdout, failing the test on a non-zero exit."""
    config_home = tmp_path_factory.mktemp("toot-config")
    env = {**os.environ, "XDG_CONFIG_HOME": str(config_home), "NO_COLOR": "1",
           "COLUMNS": "200"}

    def run(*args: str) -> str:
        done = subprocess.run([TOOT, *args], env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"toot {args[0]}: {done.stdout}\n{done.stderr}"
        return done.stdout

    # toot takes a plain-http instance when the URL says so (it adds https:// only
    # to bare domains); the password is a hidden option, so no prompt is needed.
    out = run("login_cli", "--instance", server, "--email", "alice@example.org",
              "--password", PASSWORD)
    assert "Successfully logged in" in out
    return run


def test_toot_posts_a_status(server, toot):
    out = toot("post", "Hello from toot on Rostra")
    assert "Toot posted" in out
    token = password_token(server, "alice")
    statuses = httpx.get(server + "/api/v1/timelines/home",
                         headers={"Authorization": f"Bearer {token}"}).json()
    assert any("Hello from toot on Rostra" in s["content"] for s in statuses)


def test_toot_reads_the_home_timeline(server, toot):
    toot("post", "A second toot for the timeline")
    out = toot("timelines", "home")
    assert "A second toot for the timeline" in out
    assert "@alice" in out


def test_toot_shows_a_mention_by_another_user(server, toot):
    bob = password_token(server, "bob")
    httpx.post(server + "/api/v1/statuses", headers={"Authorization": f"Bearer {bob}"},
               json={"status": "@alice have you tried toot?"}).raise_for_status()
    out = toot("notifications")
    assert "bob" in out and "mentioned you" in out.lower()
    assert "have you tried toot?" in out
    assert "alice" in toot("whoami")
