"""Leaving, seen from another real server: while the deletion is pending the other
server keeps its copies (nothing was sent); once deleted, its ``Delete`` reaches the
other server, which drops the account and its posts."""

from __future__ import annotations

import subprocess

import pytest

from tests.federation.servers import (
    ROSTRA,
    RostraServer,
    logs_on_failure,
    running_servers,
    wait_for,
)

TIMEOUT = 15.0


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with running_servers(tmp_path_factory, ("leaver",), ("bob",), name="leaving") as started:
        yield started


def deleteuser(server: RostraServer, *flags: str) -> str:
    done = subprocess.run([*ROSTRA, "deleteuser", "leaver", *flags], env=server.env,
                          capture_output=True, text=True, check=True)
    return done.stdout


def test_the_other_server_keeps_its_copy_during_grace_and_drops_it_after(servers):
    a, b = servers
    leaver, bob = a.api("leaver"), b.api("bob")
    acct = f"leaver@{a.domain}"
    with logs_on_failure(a, b):
        found = bob.resolve(acct)
        assert found, "resolve leaver on B"
        bob.post(f"/api/v1/accounts/{found['id']}/follow")
        wait_for(lambda: bob.relationship(found["id"])["following"], timeout=TIMEOUT,
                 what="bob following leaver")
        leaver.post("/api/v1/statuses", status="A last word", visibility="public")

        def copy_on_b():
            return next((s for s in bob.home() if "A last word" in s["content"]), None)
        copy = wait_for(copy_on_b, timeout=TIMEOUT, what="the post on B")

        assert "will be deleted on" in deleteuser(a)
        assert leaver.status_code("/api/v1/accounts/verify_credentials") == 403
        lookup = f"/api/v1/accounts/lookup?acct={acct}"
        assert bob.status_code(lookup) == 200 and copy_on_b(), "B keeps it during grace"
        assert bob.status_code(f"/api/v1/statuses/{copy['id']}") == 200

        assert "Deleted @leaver" in deleteuser(a, "--now")
        wait_for(lambda: bob.status_code(lookup) == 404, timeout=TIMEOUT,
                 what="B to drop leaver after the Delete")
        assert copy_on_b() is None
        assert bob.status_code(f"/api/v1/statuses/{copy['id']}") == 404
