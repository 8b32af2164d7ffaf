#!/usr/bin/env python
"""Load benchmark: simulated users against a real ``rostra serve`` (issue 11).

    .venv/bin/python bench/load.py [--users 200] [--duration 300] [--spawn-rate 20]
        [--database-url postgres://USER@HOST:PORT/ANY] [--web-processes 1] [--wait 1.0]

The script starts everything itself on loopback: a fresh data directory (SQLite), or
a fresh database created beside the one ``--database-url`` names (dropped after);
``rostra migrate``; the users and their OAuth tokens seeded in one process before the
run (so no password hashing happens under load); ``rostra serve --no-worker`` and one
``rostra worker``. Rate limits are lifted for the run (``ROSTRA_RATE_LIMITS_ENABLED=0``
and high ``ROSTRA_THROTTLES``): every simulated user comes from 127.0.0.1 and would
otherwise be refused by design. The output says so.

Each simulated user (locust, in this process only: locust patches the standard
library with gevent when imported) waits ``--wait`` seconds on average between
actions, picked by weight: home timeline, public timeline, notifications, a post, a
post with an image (``/api/v2/media`` then the status), follow or unfollow, like.

Printed: machine (CPUs), date, database, requests/s, p50/p99 latency overall and per
request type, error count and kinds. Target: 0 errors. The load generator shares
the machine with the server: on a small machine it takes a good part of one CPU.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROSTRA = [sys.executable, "-m", "rostra.cli"]
THROTTLES = ("sign_up=1000000/60,log_in=1000000/60,log_in_account=1000000/60,"
             "statuses=1000000/60,notice=1000000/60")

SEED = """
import json, os
from rostra.accounts.services import register
from rostra.api import oauth
n = int(os.environ["LOAD_USERS"])
app, _ = oauth.create_application("bench/load.py", "urn:ietf:wg:oauth:2.0:oob",
                                  "read write follow")
users = []
for i in range(n):
    user = register(f"load{i}", f"load{i}@example.org", os.environ["LOAD_PASSWORD"],
                    bypass_policy=True)
    token = oauth.issue_token(app, user, ["read", "write", "follow"]).access_token
    users.append({"token": token, "account": str(user.account.pk)})
print("SEED=" + json.dumps(users))
"""


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=200, help="concurrent simulated users")
    p.add_argument("--duration", type=int, default=300, help="seconds of load")
    p.add_argument("--spawn-rate", type=float, default=20, help="users started per second")
    p.add_argument("--wait", type=float, default=1.0,
                   help="mean seconds a user waits between actions")
    p.add_argument("--database-url", default="",
                   help="PostgreSQL server to use (a fresh database is created on it)")
    p.add_argument("--web-processes", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args(argv)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def fresh_database(url: str):
    """A new PostgreSQL database on the server of ``url`` (None: SQLite), dropped after."""
    if not url:
        yield None
        return
    import psycopg

    base = url.rpartition("/")[0]
    name = f"rostra_load_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_up(base: str, procs: list[subprocess.Popen], timeout: float = 90) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            sys.exit("rostra exited while starting; see the log in the data directory")
        try:
            with urllib.request.urlopen(base + "/api/v1/instance", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    sys.exit("rostra did not start in time")


def run_load(base: str, seeded: list[dict], args: argparse.Namespace):
    """Run the locust users for ``args.duration`` s; return locust's stats."""
    import gevent  # noqa: F401  (locust's own dependency; imported with it)
    from locust import HttpUser, between, task
    from locust.env import Environment

    rng = random.Random(args.seed)
    accounts = [u["account"] for u in seeded]
    tokens = iter(seeded * (args.users // max(len(seeded), 1) + 1))
    image = _png()

    class Member(HttpUser):
        host = base
        wait_time = between(args.wait * 0.5, args.wait * 1.5)

        def on_start(self) -> None:
            me = next(tokens)
            self.me = me["account"]
            self.client.headers["Authorization"] = f"Bearer {me['token']}"
            self.seen: list[str] = []
            self.following: set[str] = set()

        @task(30)
        def home(self) -> None:
            self._timeline("/api/v1/timelines/home?limit=20", "home timeline")

        @task(15)
        def public(self) -> None:
            self._timeline("/api/v1/timelines/public?limit=20", "public timeline")

        @task(10)
        def notifications(self) -> None:
            self.client.get("/api/v1/notifications?limit=20", name="notifications")

        @task(10)
        def post(self) -> None:
            self.client.post("/api/v1/statuses", name="post",
                             json={"status": f"Load test post {rng.random():.6f}"})

        @task(3)
        def post_image(self) -> None:
            with self.client.post("/api/v2/media", name="upload image",
                                  files={"file": ("load.png", image, "image/png")},
                                  data={"description": "a small test picture"},
                                  catch_response=True) as answer:
                if answer.status_code not in (200, 202):
                    answer.failure(f"upload: HTTP {answer.status_code}")
                    return
                media_id = answer.json()["id"]
            self.client.post("/api/v1/statuses", name="post with image",
                             json={"status": "A picture", "media_ids": [media_id]})

        @task(5)
        def follow_or_unfollow(self) -> None:
            other = rng.choice(accounts)
            if other == self.me:
                return
            if other in self.following:
                self.client.post(f"/api/v1/accounts/{other}/unfollow", name="unfollow")
                self.following.discard(other)
            else:
                self.client.post(f"/api/v1/accounts/{other}/follow", name="follow")
                self.following.add(other)

        @task(8)
        def like(self) -> None:
            if self.seen:
                status = rng.choice(self.seen)
                self.client.post(f"/api/v1/statuses/{status}/favourite", name="like")

        def _timeline(self, path: str, name: str) -> None:
            with self.client.get(path, name=name, catch_response=True) as answer:
                if answer.status_code == 200:
                    self.seen = [s["id"] for s in answer.json()][:20] or self.seen

    env = Environment(user_classes=[Member])
    runner = env.create_local_runner()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    started = time.monotonic()
    while time.monotonic() - started < args.duration:
        gevent_sleep(1)
    runner.quit()
    return env.stats, time.monotonic() - started


def gevent_sleep(seconds: float) -> None:
    import gevent

    gevent.sleep(seconds)


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 120, 200)).save(out, "PNG")
    return out.getvalue()


def report(stats, elapsed: float, args: argparse.Namespace, database: str) -> None:
    total = stats.total
    print(f"\nRostra load run, {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
          f"{platform.release()}, Python {platform.python_version()}")
    print(f"database: {database}; web processes: {args.web_processes}, workers: 1")
    print(f"users: {args.users} (spawn rate {args.spawn_rate}/s, mean wait {args.wait} s), "
          f"duration {elapsed:.0f} s")
    print("rate limits: OFF for the run (ROSTRA_RATE_LIMITS_ENABLED=0, ROSTRA_THROTTLES "
          "raised): every simulated user comes from 127.0.0.1")
    print(f"\n{'request':<18}{'count':>8}{'errors':>8}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}")
    for entry in sorted(stats.entries.values(), key=lambda e: -e.num_requests):
        print(f"{entry.name:<18}{entry.num_requests:>8}{entry.num_failures:>8}"
              f"{entry.num_requests / elapsed:>8.1f}"
              f"{entry.get_response_time_percentile(0.5):>8.0f}"
              f"{entry.get_response_time_percentile(0.99):>8.0f}")
    print(f"{'all':<18}{total.num_requests:>8}{total.num_failures:>8}"
          f"{total.num_requests / elapsed:>8.1f}{total.get_response_time_percentile(0.5):>8.0f}"
          f"{total.get_response_time_percentile(0.99):>8.0f}")
    print(f"\nerrors: {total.num_failures} (target 0)")
    for error in sorted(stats.errors.values(), key=lambda e: -e.occurrences):
        print(f"  {error.occurrences:>6} × {error.method} {error.name}: {error.error}")


def main(argv=None) -> None:
    args = parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="rostra-load-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(ROSTRA_DATA_DIR=str(data_dir), ROSTRA_DOMAIN=f"127.0.0.1:{port}",
               ROSTRA_RATE_LIMITS_ENABLED="0", ROSTRA_THROTTLES=THROTTLES)
    with fresh_database(args.database_url) as db_url:
        if db_url:
            env["DATABASE_URL"] = db_url
        database = "PostgreSQL" if db_url else "SQLite (WAL)"
        print(f"data directory {data_dir}; database {database}", flush=True)
        subprocess.run([*ROSTRA, "migrate", "-v", "0"], env=env, check=True)
        started = time.monotonic()
        seeded = subprocess.run(
            [*ROSTRA, "manage", "shell", "-c", SEED], check=True, capture_output=True,
            text=True, env={**env, "LOAD_USERS": str(args.users),
                            "LOAD_PASSWORD": uuid.uuid4().hex + uuid.uuid4().hex})
        users = json.loads(next(line for line in seeded.stdout.splitlines()
                                if line.startswith("SEED="))[5:])
        print(f"seeded {len(users)} users with tokens in {time.monotonic() - started:.0f} s",
              flush=True)
        log = (data_dir / "server.log").open("w")
        procs = [subprocess.Popen([*ROSTRA, "serve", "--no-worker", "--port", str(port),
                                   "--workers", str(args.web_processes)],
                                  env=env, stdout=log, stderr=subprocess.STDOUT),
                 subprocess.Popen([*ROSTRA, "worker"], env=env, stdout=log,
                                  stderr=subprocess.STDOUT)]
        try:
            wait_up(base, procs)
            print(f"load: {args.users} users for {args.duration} s against {base}", flush=True)
            stats, elapsed = run_load(base, users, args)
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
            log.close()
    report(stats, elapsed, args, database)


if __name__ == "__main__":
    main()
