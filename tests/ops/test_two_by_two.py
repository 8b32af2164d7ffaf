"""Two web processes and two workers on one database lose no work and do none twice.

The scale path of docs/deploy.md in miniature: two ``rostra serve --no-worker``
processes and two ``rostra worker`` processes share one database (a fresh
PostgreSQL database when ``DATABASE_URL`` names PostgreSQL, else one SQLite file in
WAL mode). Four people follow each other, post, mention and like through the
Mastodon API, every request alternating between the two web processes, while each
has remote followers on a loopback "server" that records every delivery. When the
queue has drained: every post exists once, every home timeline holds each post
once, every notification exists once, every delivery arrived once, every task ran
once on one worker, and none is left running.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import permutations

import httpx
import pytest

from tests.api.live import ROSTRA, _database, free_port, password_token, stop
from tests.federation.servers import wait_for

USERS = ("alice", "bob", "carol", "dave")
POSTS_EACH = 10
REMOTE_FOLLOWERS_EACH = 3
PERIODIC = ("sweep_task", "check_alerts_task", "detect_task", "purge_audit_task",
            "pull_feeds_task")

# The world: the local accounts, and remote followers whose inboxes are the sink's.
_SEED = """
import os
from rostra.accounts.models import Account, Follow
from rostra.accounts.services import register
from rostra.core.ids import make_id
sink, each = os.environ["SINK"], int(os.environ["EACH"])
for name in os.environ["USERS"].split():
    local = register(name, name + "@example.org", os.environ["PASSWORD"],
                     bypass_policy=True).account
    for n in range(each):
        handle = f"{name}fan{n}"
        remote = Account.objects.create(
            id=make_id(), username=handle, domain=sink, uri=f"http://{sink}/users/{handle}",
            inbox_url=f"http://{sink}/users/{handle}/inbox")
        Follow.objects.create(account=remote, target_account=local)
"""


class Sink:
    """A remote server on loopback that accepts every delivery and remembers it."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, str]] = []  # (inbox path, type, object id)
        lock, received = threading.Lock(), self.received

        class Inbox(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                obj = body.get("object")
                with lock:
                    received.append((self.path, body.get("type", ""),
                                     obj.get("id", "") if isinstance(obj, dict) else str(obj)))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Inbox)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


class Database:
    """Plain SQL on the shared database, read from the test process."""

    def __init__(self, url: str | None, sqlite_path: str):
        self.url, self.sqlite_path = url, sqlite_path

    def rows(self, sql: str) -> list[tuple]:
        if self.url:
            import psycopg

            with psycopg.connect(self.url) as conn:
                return conn.execute(sql).fetchall()
        with sqlite3.connect(self.sqlite_path, timeout=20) as conn:
            return conn.execute(sql).fetchall()


def _when(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _tasks(db: Database) -> list[dict]:
    rows = db.rows("SELECT task_path, status, run_after, worker_ids "
                   "FROM django_tasks_database_dbtaskresult")
    return [{"task": path.rsplit(".", 1)[-1], "status": status, "run_after": _when(after),
             "workers": json.loads(ids) if isinstance(ids, str) else ids}
            for path, status, after, ids in rows]


def _drained(db: Database) -> bool:
    now = datetime.now(UTC)
    due = [t for t in _tasks(db) if t["status"] == "RUNNING" or (
        t["status"] == "READY" and (t["run_after"].year == 9999 or t["run_after"] <= now))]
    pending = db.rows("SELECT count(*) FROM federation_delivery WHERE status = 'pending'")
    return not due and pending[0][0] == 0


def _start(env: dict, args: list[str], log) -> subprocess.Popen:
    return subprocess.Popen([*ROSTRA, *args], env=env, stdout=log, stderr=subprocess.STDOUT)


@pytest.fixture
def cluster(tmp_path):
    """Two web processes and two workers on one database; yields what tests need."""
    sink = Sink()
    ports = [free_port(), free_port()]
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(ROSTRA_DATA_DIR=str(tmp_path), ROSTRA_DOMAIN=f"127.0.0.1:{ports[0]}",
               ROSTRA_RATE_LIMITS_ENABLED="0", ROSTRA_FEDERATION_ALLOW_HTTP="1",
               ROSTRA_FEDERATION_ALLOW_PRIVATE="1", ROSTRA_INTEGRITY_INTERVAL_MINUTES="0")
    with ExitStack() as stack:
        stack.callback(sink.close)
        db_url = stack.enter_context(_database(tmp_path))
        if db_url:
            env["DATABASE_URL"] = db_url
        subprocess.run([*ROSTRA, "migrate", "-v", "0"], env=env, check=True)
        subprocess.run([*ROSTRA, "manage", "shell", "-c", _SEED], check=True,
                       capture_output=True, env={
                           **env, "SINK": sink.host, "EACH": str(REMOTE_FOLLOWERS_EACH),
                           "USERS": " ".join(USERS), "PASSWORD": "a long enough secret phrase"})
        log = stack.enter_context((tmp_path / "processes.log").open("w"))
        procs = [_start(env, ["serve", "--no-worker", "--port", str(port)], log)
                 for port in ports]
        procs += [_start(env, ["worker", "--interval", "0.2"], log) for _ in range(2)]
        stack.callback(stop, procs)
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            wait_for(lambda base=base: _answers(base), timeout=60, what=f"{base} to start")
        db = Database(db_url, str(tmp_path / "rostra.sqlite3"))
        yield {"bases": bases, "sink": sink, "db": db, "procs": procs,
               "log": tmp_path / "processes.log"}


def _answers(base: str) -> bool:
    try:
        return httpx.get(base + "/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _api(base: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"})


def _ok(response: httpx.Response) -> dict:
    assert response.status_code == 200, f"{response.request.url}: {response.text[:300]}"
    return response.json()


def test_two_web_processes_and_two_workers_lose_nothing_and_do_nothing_twice(cluster):
    bases, sink, db = cluster["bases"], cluster["sink"], cluster["db"]
    tokens = {name: password_token(bases[i % 2], name) for i, name in enumerate(USERS)}
    clients = {name: [_api(base, tokens[name]) for base in bases] for name in USERS}
    ids = {name: _ok(clients[name][0].get("/api/v1/accounts/verify_credentials"))["id"]
           for name in USERS}

    # Everyone follows everyone, alternating web processes.
    for n, (who, whom) in enumerate(permutations(USERS, 2)):
        _ok(clients[who][n % 2].post(f"/api/v1/accounts/{ids[whom]}/follow"))

    def post_all(index: int) -> list[dict]:
        name, nxt = USERS[index], USERS[(index + 1) % len(USERS)]
        return [_ok(clients[name][(index + n) % 2].post("/api/v1/statuses", json={
            "status": f"Post {n} by {name} for @{nxt}", "visibility": "public"}))
            for n in range(POSTS_EACH)]

    with ThreadPoolExecutor(len(USERS)) as pool:
        written = dict(zip(USERS, pool.map(post_all, range(len(USERS))), strict=True))

    def like_previous(index: int) -> None:
        name, prev = USERS[index], USERS[index - 1]
        for n, status in enumerate(written[prev]):
            _ok(clients[name][(index + n) % 2].post(f"/api/v1/statuses/{status['id']}/favourite"))

    with ThreadPoolExecutor(len(USERS)) as pool:
        list(pool.map(like_previous, range(len(USERS))))

    every_post = {s["id"] for statuses in written.values() for s in statuses}
    assert len(every_post) == len(USERS) * POSTS_EACH
    wait_for(lambda: _drained(db), timeout=90, what="the queue to drain")

    # Every post exists once.
    texts = db.rows("SELECT text, count(*) FROM posts_post GROUP BY text")
    assert len(texts) == len(USERS) * POSTS_EACH
    assert {count for _, count in texts} == {1}

    # Every home timeline holds every post once (everyone follows everyone).
    for n, name in enumerate(USERS):
        seen, max_id = [], None
        while True:
            page = _ok(clients[name][n % 2].get("/api/v1/timelines/home", params={
                "limit": 40, **({"max_id": max_id} if max_id else {})}))
            if not page:
                break
            seen += [s["id"] for s in page]
            max_id = page[-1]["id"]
        assert sorted(seen) == sorted(every_post), name

    # Every notification exists once: follows, mentions, likes.
    notes = db.rows("SELECT account_id, from_account_id, type, post_id, count(*) "
                    "FROM notifications_notification GROUP BY account_id, from_account_id, "
                    "type, post_id")
    assert {row[-1] for row in notes} == {1}
    kinds: dict[str, int] = {}
    for row in notes:
        kinds[row[2]] = kinds.get(row[2], 0) + 1
    pairs = len(USERS) * (len(USERS) - 1)
    assert kinds == {"follow": pairs, "mention": len(every_post), "favourite": len(every_post)}

    # Every post reached each of its author's remote followers once.
    creates = [(path, obj) for path, kind, obj in sink.received if kind == "Create"]
    assert len(creates) == len(set(creates)) == len(every_post) * REMOTE_FOLLOWERS_EACH
    for name, statuses in written.items():
        for status in statuses:
            inboxes = sorted(path for path, obj in creates if obj == status["uri"])
            assert inboxes == sorted(f"/users/{name}fan{n}/inbox"
                                     for n in range(REMOTE_FOLLOWERS_EACH))
    assert db.rows("SELECT status, count(*) FROM federation_delivery GROUP BY status") == [
        ("delivered", len(creates))]

    # Every task ran once, on one worker; none failed, none is left running, and the
    # periodic chains both workers keep alive at start exist once each.
    tasks = _tasks(db)
    done = [t for t in tasks if t["status"] == "SUCCESSFUL"]
    assert "deliver_batch" in {t["task"] for t in done}
    assert [t for t in done if len(t["workers"]) != 1] == []
    assert [t for t in tasks if t["status"] in ("RUNNING", "FAILED")] == []
    waiting = [t["task"] for t in tasks if t["status"] == "READY"]
    assert {name: waiting.count(name) for name in waiting if waiting.count(name) > 1} == {}
    assert set(waiting) <= set(PERIODIC)
    workers = {w for t in done for w in t["workers"]}
    assert len(workers) == 2, "both workers took work"
    for proc in cluster["procs"]:
        assert proc.poll() is None, cluster["log"].read_text()[-3000:]
