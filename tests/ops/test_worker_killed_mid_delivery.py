"""A worker SIGKILLed in the middle of a delivery batch loses nothing.

The guarantee (``rostra.federation.delivery``): **at least once, every inbox**. The
batch's answers are written as they come, so a restarted worker (which reclaims the
dead one's task at start, ``core.worker.reclaim_orphans``, and releases its leases)
sends again only the deliveries whose answer had not been recorded at the kill: the
requests in flight and at most ``FLUSH_EVERY`` answered just before. Those repeats
carry the same activity id, which a receiving inbox drops (Rostra's does:
``tests/federation/test_inbox.py::test_a_replayed_activity_changes_nothing``).
"""

from __future__ import annotations

import time

from rostra.federation.delivery import FLUSH_EVERY, SEND_THREADS
from tests.federation.servers import logs_on_failure, wait_for
from tests.ops.rig import Receiver, add_remote_followers, serving

FOLLOWERS = 60  # above INLINE_LIMIT: one fan-out, then one batch of 60
DELAY = 0.4  # each inbox answers after this: 60 / 8 threads * 0.4 s ≈ 3 s a batch


def test_every_follower_gets_the_post_after_the_worker_is_killed_mid_batch(tmp_path):
    with Receiver(delay=DELAY) as receiver, serving(tmp_path, ("author",)) as server, \
            logs_on_failure(server):
        add_remote_followers(server, "author", receiver.base, FOLLOWERS)
        server.api("author").post("/api/v1/statuses", status="To all of you")

        def create_id() -> str:
            rows = server.sql("SELECT uri FROM federation_outgoingactivity WHERE type='Create'")
            return rows[0][0] if rows else ""

        activity_id = wait_for(create_id, what="the Create to be queued")

        def mid_batch() -> bool:
            states = dict(server.sql(
                "SELECT status, count(*) FROM federation_delivery d JOIN "
                "federation_outgoingactivity a ON a.id = d.activity_id "
                "WHERE a.uri = ? GROUP BY status", activity_id))
            return (states.get("delivered", 0) > 0 and states.get("pending", 0) > FLUSH_EVERY // 2
                    if sum(states.values()) == FOLLOWERS else False)

        wait_for(mid_batch, timeout=30, what="the batch to be half sent")
        server.kill_worker()
        recorded = {inbox for (inbox,) in server.sql(
            "SELECT inbox_url FROM federation_delivery d JOIN federation_outgoingactivity a "
            "ON a.id = d.activity_id WHERE a.uri = ? AND d.status = 'delivered'", activity_id)}
        assert server.sql("SELECT count(*) FROM django_tasks_database_dbtaskresult "
                          "WHERE status = 'RUNNING'")[0][0] >= 1, "the kill left no task running"
        assert 0 < len(recorded) < FOLLOWERS

        server.start_worker()
        started = time.monotonic()
        wait_for(lambda: len(receiver.of(activity_id)) == FOLLOWERS, timeout=30,
                 what="every inbox to receive the post")
        wait_for(lambda: server.sql(
            "SELECT count(*) FROM federation_delivery WHERE status != 'delivered'")[0][0] == 0,
            timeout=15, what="every delivery to be recorded")
        # Resumed at once (the task reclaimed), not after the 5-minute lease.
        assert time.monotonic() - started < 20

        counts = receiver.of(activity_id)
        repeated = {path for path, n in counts.items() if n > 1}
        assert max(counts.values()) <= 2
        # Only deliveries whose answer was not yet written at the kill went twice.
        assert not {receiver.base + path for path in repeated} & recorded
        assert len(repeated) <= SEND_THREADS + FLUSH_EVERY
        assert server.sql("SELECT count(*) FROM django_tasks_database_dbtaskresult "
                          "WHERE status IN ('RUNNING', 'FAILED')")[0][0] == 0
