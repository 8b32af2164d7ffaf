"""A remote server that accepts connections and never answers does not slow local
users, and does not hold back the deliveries to healthy servers.

What this proves: requests never wait on a remote (posting queues deliveries; a
known remote profile is served from the database), the hanging delivery times out
(``delivery.TIMEOUT``) and is kept pending for a retry after ``backoff``, while the
same batch's delivery to a healthy server goes out at once (parallel sending),
and the next batch does not wait for it either: a batch leaves a request that got no
answer for ``delivery.HANDOFF_AFTER`` seconds to its sending thread.
"""

from __future__ import annotations

import time

import httpx

from rostra.federation import delivery
from tests.federation.servers import logs_on_failure, wait_for
from tests.ops.rig import Receiver, serving

# Seconds: a generous bound for a local request on a loaded CI machine, and far below
# the 15 s a request would take if it waited for the hanging remote.
QUICK = 5.0

REMOTES = """
from rostra.accounts.models import Account, Follow
author = Account.objects.get(username="author", domain="")
ids = {{}}
for name, base in (("hangs", {hang!r}), ("healthy", {ok!r})):
    domain = base.split("://", 1)[1]
    remote = Account.objects.create(
        username=name, domain=domain, uri=f"{{base}}/users/{{name}}", url=f"{{base}}/@{{name}}",
        inbox_url=f"{{base}}/users/{{name}}/inbox")
    Follow.objects.create(account=remote, target_account=author, uri=f"{{base}}/follow")
    ids[name] = str(remote.pk)
out = ids
"""


def timed(call, *args, **kwargs) -> tuple[float, httpx.Response]:
    started = time.monotonic()
    answer = call(*args, **kwargs)
    return time.monotonic() - started, answer


def test_a_hanging_remote_slows_neither_local_users_nor_healthy_deliveries(tmp_path):
    with Receiver(hang=True) as hangs, Receiver() as healthy, \
            serving(tmp_path, ("author",)) as server, logs_on_failure(server):
        ids = server.shell(REMOTES.format(hang=hangs.base, ok=healthy.base))
        hang_domain = hangs.base.split("://", 1)[1]
        api = httpx.Client(base_url=server.base, timeout=30,
                           headers={"Authorization": f"Bearer {server.token('author')}"})
        # Warm the fresh process (imports, the language model) before timing anything.
        assert api.post("/api/v1/statuses", json={"status": "Warming up"}).status_code == 200
        wait_for(lambda: any(hangs.received), timeout=15, what="the hanging server to be hit")
        seconds, answer = timed(api.post, "/api/v1/statuses",
                                json={"status": f"Hello @hangs@{hang_domain}, anyone there?"})
        assert answer.status_code == 200 and seconds < QUICK, (answer.status_code, seconds)
        first = answer.json()["id"]
        # The remote now holds connections open: local users go on as usual.
        for path in ("/api/v1/timelines/home", f"/api/v1/accounts/{ids['hangs']}",
                     f"/api/v1/accounts/{ids['hangs']}/statuses", "/api/v1/notifications"):
            seconds, answer = timed(api.get, path)
            assert answer.status_code == 200 and seconds < QUICK, (path, answer.status_code,
                                                                   seconds)
        seconds, answer = timed(httpx.get, f"{server.base}/@hangs@{hang_domain}", timeout=30)
        assert answer.status_code == 200 and seconds < QUICK, ("profile page", seconds)
        seconds, answer = timed(api.post, "/api/v1/statuses", json={
            "status": f"@hangs@{hang_domain} still waiting", "in_reply_to_id": first})
        assert answer.status_code == 200 and seconds < QUICK, ("reply", seconds)
        # The next batch does not wait for the hanging request of the one before: the
        # healthy server has the reply long before that request times out.
        reply = answer.json()["id"]
        started = time.monotonic()
        wait_for(lambda: [r for r in healthy.received if r[1] == "Create"
                          and f"/statuses/{reply}/" in r[2]],
                 timeout=delivery.TIMEOUT, what="the reply to reach the healthy server")
        assert time.monotonic() - started < QUICK, time.monotonic() - started

        # The healthy server got the same batch's post while the other one hung.
        hung_id = hangs.received[0][2]
        assert healthy.of(hung_id), "the healthy server waited for the hanging one"

        def retry_scheduled() -> list:
            return server.sql(
                "SELECT attempts, status, last_error FROM federation_delivery "
                "WHERE inbox_url LIKE ? AND attempts > 0 AND status = 'pending' "
                "AND next_attempt_at > strftime('%Y-%m-%d %H:%M:%f', 'now')",
                hangs.base + "%")
        rows = wait_for(retry_scheduled, timeout=40, what="the hanging delivery to time out")
        assert rows[0][0] == 1 and rows[0][2], rows
        assert server.sql("SELECT d.status FROM federation_delivery d JOIN "
                          "federation_outgoingactivity a ON a.id = d.activity_id "
                          "WHERE d.inbox_url LIKE ? AND a.uri = ?",
                          healthy.base + "%", hung_id) == [("delivered",)]
