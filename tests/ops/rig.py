"""The fault tests' rig: a real ``rostra serve --no-worker`` with a ``rostra worker``
the test can SIGKILL and restart, a loopback ActivityPub receiver that records what
it gets (and can answer slowly or never), and direct reads of the server's SQLite.

Every process and thread started here is stopped by the context managers, also when
a test fails.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.federation.servers import ROSTRA, RostraServer


class Server(RostraServer):
    """A ``RostraServer`` whose background work runs in a separate ``rostra worker``."""

    def __init__(self, data_dir: Path, users: tuple[str, ...] = (), **env: str):
        super().__init__(data_dir, users)
        self.env.update(env)
        self.worker: subprocess.Popen | None = None
        self.worker_log = data_dir / "worker.log"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [*ROSTRA, "serve", "--no-worker", "--port", str(self.port)],
            env=self.env, stdout=self.log.open("w"), stderr=subprocess.STDOUT)

    def start_worker(self) -> None:
        self.worker = subprocess.Popen(
            [*ROSTRA, "worker", "--interval", "0.2"], env=self.env,
            stdout=self.worker_log.open("a"), stderr=subprocess.STDOUT)

    def kill_worker(self) -> None:
        """SIGKILL the worker (no clean-up runs in it) and reap it."""
        assert self.worker is not None and self.worker.poll() is None, "the worker is not running"
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait(timeout=10)
        self.worker = None

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.kill()
            self.worker.wait(timeout=10)
            self.worker = None
        super().stop()

    def sql(self, query: str, *params) -> list[tuple]:
        """Read the server's SQLite database (WAL: safe beside the running server)."""
        with sqlite3.connect(self.data_dir / "rostra.sqlite3", timeout=10) as db:
            return db.execute(query, params).fetchall()


@contextmanager
def serving(data_dir: Path, users: tuple[str, ...], *, worker: bool = True,
            **env: str) -> Iterator[Server]:
    server = Server(data_dir, users, **env)
    try:
        assert server.prepare().wait(timeout=120) == 0, "migrate failed"
        server.create_users()
        server.start()
        if worker:
            server.start_worker()
        server.wait_ready(timeout=60)  # a loaded CI machine starts Django slowly
        yield server
    finally:
        server.stop()


class Receiver:
    """A loopback HTTP server standing in for remote inboxes: it records the
    ``(path, activity id)`` of every POST it read whole, then answers 202 after
    ``delay`` seconds (``hang=True``: never, until the test ends)."""

    def __init__(self, *, delay: float = 0.0, hang: bool = False):
        self.delay, self.hang = delay, hang
        self.received: list[tuple[str, str, str]] = []  # (path, type, id)
        self.lock = threading.Lock()
        self.released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    activity = json.loads(body)
                except ValueError:
                    activity = {}
                with receiver.lock:
                    receiver.received.append(
                        (self.path, str(activity.get("type", "")), str(activity.get("id", ""))))
                if receiver.hang:
                    receiver.released.wait(120)
                    return
                time.sleep(receiver.delay)
                try:
                    self.send_response(202)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender died meanwhile

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def of(self, activity_id: str) -> Counter:
        """How many times each inbox path received ``activity_id``."""
        with self.lock:
            return Counter(path for path, _, aid in self.received if aid == activity_id)


# Rows only: following through the service would also queue an Accept per follower,
# work the fault tests do not want in the queue ahead of the post.
FOLLOWERS = """
from rostra.accounts.models import Account, Follow
author = Account.objects.get(username={author!r}, domain="")
for n in range({count}):
    follower = Account.objects.create(
        username=f"f{{n}}", domain={domain!r}, uri=f"{base}/users/f{{n}}",
        inbox_url=f"{base}/users/f{{n}}/inbox")
    Follow.objects.create(account=follower, target_account=author,
                          uri=f"{base}/users/f{{n}}#follow")
out = Follow.objects.filter(target_account=author).count()
"""


def add_remote_followers(server: Server, author: str, base: str, count: int) -> None:
    """``count`` remote accounts at ``base`` (each with its own inbox) follow ``author``
    (rows only)."""
    domain = base.split("://", 1)[1]
    code = FOLLOWERS.format(author=author, count=count, domain=domain, base=base)
    assert server.shell(code) >= count
