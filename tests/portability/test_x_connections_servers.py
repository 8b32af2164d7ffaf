"""The X-connections lookup between two real Rostra servers (the gold standard).

Server A has alice, server B has bob; alice followed bob on X. Each imports their
archive through the CLI and opts in; A asks B (signed by A's instance actor,
verified by B against A's served key), alice finds bob and follows him across
servers; when bob opts out, A's next refresh drops him.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.federation.servers import (
    ROSTRA,
    RostraServer,
    logs_on_failure,
    running_servers,
    wait_for,
)
from tests.portability.test_x_connections import ALICE_X, BOB_X, x_archive

SHELL = """
import json
from rostra.accounts.models import User
from rostra.portability import x_connections as xc, x_lookup
user = User.objects.get(username={user!r})
{code}
"""


def shell(server: RostraServer, user: str, code: str):
    """Run ``code`` (which sets ``out``) in ``server``'s database; return ``out``."""
    script = SHELL.format(user=user, code=code) + "\nprint('OUT=' + json.dumps(out))\n"
    done = subprocess.run([*ROSTRA, "manage", "shell", "-c", script], env=server.env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("OUT="))
    return json.loads(line[4:])


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with running_servers(tmp_path_factory, ("alice",), ("bob",), name="xc-server") as started:
        yield started


def test_two_servers_reconnect_people_from_x(servers, tmp_path):
    a, b = servers
    with logs_on_failure(a, b):
        _run(a, b, tmp_path)


def _run(a: RostraServer, b: RostraServer, tmp_path) -> None:
    for server, user, path in (
            (a, "alice", x_archive(tmp_path, ALICE_X, "alice_x", following=[BOB_X])),
            (b, "bob", x_archive(tmp_path, BOB_X, "bob_x", followers=[ALICE_X]))):
        subprocess.run([*ROSTRA, "import", "x-archive", str(path), "--user", user, "--json"],
                       env=server.env, check=True, capture_output=True, timeout=120)
    # A knows of server B (here: alice once looked someone up there), not of bob's X id.
    alice = a.api("alice")
    assert alice.resolve(f"bob@{b.domain}")
    shell(b, "bob", "xc.set_findable(user, True); out = True")

    found = shell(a, "alice", "xc.set_findable(user, True)\n"
                  "out = [x_lookup.refresh_for(user),"
                  " [p.account.acct for p in xc.people_here(user)['following']]]")
    assert found == [{"servers": 1, "found": 1, "failed": 0}, [f"bob@{b.domain}"]], found

    # B learns of alice the same way: she appears among bob's X followers.
    bob = b.api("bob")
    assert bob.resolve(f"alice@{a.domain}")
    followers = shell(b, "bob", "x_lookup.refresh_for(user)\n"
                      "out = [p.account.acct for p in xc.people_here(user)['followers']]")
    assert followers == [f"alice@{a.domain}"], followers

    # Follow all on A reaches B.
    made = shell(a, "alice", "out = xc.follow_people(user, 'following')[0]")
    assert made == 1
    wait_for(lambda: bob.get("/api/v1/accounts/verify_credentials")["followers_count"] == 1,
             timeout=15, what="alice's follow to reach bob on B")

    # bob opts out on B: A's next refresh forgets him.
    shell(b, "bob", "xc.set_findable(user, False); out = True")
    gone = shell(a, "alice", "x_lookup.refresh_for(user)\n"
                 "out = [p.account.acct for p in xc.people_here(user)['following']]")
    assert gone == [], gone
