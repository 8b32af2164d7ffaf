"""PostgreSQL restarted under load: the same server processes recover by themselves.

What this proves: while the database is down, requests fail cleanly (5xx, or the
connection refused at worst: never a wrong answer); once it is back, the same
``rostra serve`` answers normally without a restart, and the same ``rostra worker``
resumes (``core.worker.run_resilient``): a task queued after the restart runs, and
no task is left RUNNING. The test runs its own PostgreSQL cluster (``initdb`` in a
temporary folder, as ``.ci/run`` does), never the suite's.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.federation.servers import free_port, logs_on_failure, wait_for
from tests.ops.rig import serving


def postgres_bin() -> Path:
    """The newest ``/usr/lib/postgresql/*/bin`` (as ``.ci/run`` finds it)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                   key=lambda p: [int(x) for x in Path(p).parent.name.split(".") if x.isdigit()])
    if not found or not (Path(found[-1]) / "initdb").exists():
        pytest.fail("PostgreSQL binaries not found in /usr/lib/postgresql/*/bin: install the "
                    "postgresql package (.ci/run does) to run the database restart test")
    return Path(found[-1])


class Cluster:
    """A throw-away PostgreSQL cluster on a loopback port, run as ``postgres``."""

    def __init__(self):
        # Its own folder under /tmp: ``postgres`` cannot enter pytest's root-only ones.
        self.folder = Path(tempfile.mkdtemp(prefix="rostra-pg-"))
        self.bin, self.port = postgres_bin(), free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/rostra"

    def _as_postgres(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["su", "postgres", "-c", " ".join(f"'{a}'" for a in command)]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._as_postgres("initdb", "-D", f"{self.folder}/data", "-A", "trust", "-U",
                          "postgres", "-E", "UTF8")
        self.start()
        import psycopg

        with psycopg.connect(self.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
            c.execute("CREATE DATABASE rostra")

    def start(self) -> None:
        self._as_postgres("pg_ctl", "-D", f"{self.folder}/data", "-l", f"{self.folder}/log",
                          "-w", "start", "-o", f"-p {self.port} -k {self.folder} "
                          "-c listen_addresses=127.0.0.1 -c fsync=off")

    def stop(self) -> None:
        self._as_postgres("pg_ctl", "-D", f"{self.folder}/data", "-m", "fast", "-w", "stop")


ENQUEUE = """
from rostra.posts.tasks import close_poll
out = str(close_poll.enqueue(0).id)
"""


def test_the_same_processes_recover_after_postgresql_restarts(tmp_path):
    cluster = Cluster()
    cluster.init()
    try:
        with serving(tmp_path / "server", ("alice",), DATABASE_URL=cluster.url) as server, \
                logs_on_failure(server):
            token = server.token("alice")
            client = httpx.Client(base_url=server.base, timeout=10,
                                  headers={"Authorization": f"Bearer {token}"})
            web, worker = server.proc, server.worker
            outcomes: list[tuple[str, int | str]] = []
            down = threading.Event()
            stop = threading.Event()

            def load() -> None:  # bounded: stops when the test says so, or after 60 s
                deadline = time.monotonic() + 60
                while not stop.is_set() and time.monotonic() < deadline:
                    phase = "down" if down.is_set() else "up"
                    try:
                        code: int | str = client.get("/api/v1/timelines/home").status_code
                    except httpx.TransportError as exc:
                        code = type(exc).__name__
                    outcomes.append((phase, code))
                    time.sleep(0.1)

            thread = threading.Thread(target=load)
            thread.start()
            try:
                time.sleep(1)
                down.set()
                cluster.stop()
                time.sleep(2)
                cluster.start()
                down.clear()
                # Back: the same processes answer normally without a restart.
                wait_for(lambda: client.get("/api/v1/timelines/home").status_code == 200,
                         timeout=20, what="the web process to answer again")
                time.sleep(1)
            finally:
                stop.set()
                thread.join(timeout=15)
            assert server.proc is web and web.poll() is None
            assert server.worker is worker and worker.poll() is None, "the worker died"
            assert any(phase == "down" for phase, _ in outcomes)
            bad = [(p, c) for p, c in outcomes
                   if not (c == 200 or (p == "down" and (isinstance(c, str) or c >= 500)))]
            # A request sent just before the flag flipped may still see the other phase.
            assert len(bad) <= 2, bad
            assert client.get("/api/v1/timelines/home").status_code == 200
            status = client.post("/api/v1/statuses", json={"status": "Back again"})
            assert status.status_code == 200

            # The worker resumed: a task queued now runs, and none is stuck.
            task = server.shell(ENQUEUE)

            def finished() -> str:
                out = server.shell(
                    "from django_tasks_db.models import DBTaskResult\n"
                    f"out = DBTaskResult.objects.get(pk={task!r}).status")
                return out if out in {"SUCCESSFUL", "FAILED"} else ""
            assert wait_for(finished, timeout=30, what="the worker to run a task") == "SUCCESSFUL"
            assert server.shell("from django_tasks_db.models import DBTaskResult\n"
                                "out = DBTaskResult.objects.filter(status='RUNNING').count()") == 0
    finally:
        try:
            cluster.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(cluster.folder, ignore_errors=True)
