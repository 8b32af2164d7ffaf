"""A real ``rostra serve`` (and optionally ``rostra worker``) in subprocesses,
for tests that drive real clients: ``running_server(...)`` yields its base URL;
the web process writes its output to ``server.log`` in the data folder.

On PostgreSQL (``DATABASE_URL`` set to postgres) the server gets a database of
its own, created here and dropped afterwards; otherwise SQLite in a temp folder.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid

import httpx

ROSTRA = [sys.executable, "-m", "rostra.cli"]
PASSWORD = "a long enough secret phrase"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@contextlib.contextmanager
def _database(data_dir):
    url = _postgres_url()
    if url is None:
        yield None
        return
    import psycopg

    base, _, _ = url.rpartition("/")
    name = f"rostra_live_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# One process creates every user (a process per user cost seconds each).
_CREATE_USERS = """
import os
from rostra.accounts.services import register
admins = set(os.environ["LIVE_ADMINS"].split())
for name in os.environ["LIVE_USERS"].split():
    register(name, name + "@example.org", os.environ["LIVE_PASSWORD"], admin=name in admins,
             bypass_policy=True)
"""


def create_users(env: dict, users, admins=()) -> None:
    """Create ``users`` and ``admins`` (staff) with ``PASSWORD`` in the server's database."""
    names = [*admins, *[u for u in users if u not in admins]]
    if names:
        subprocess.run([*ROSTRA, "manage", "shell", "-c", _CREATE_USERS],
                       env={**env, "LIVE_USERS": " ".join(names),
                            "LIVE_ADMINS": " ".join(admins), "LIVE_PASSWORD": PASSWORD},
                       check=True, capture_output=True)


@contextlib.contextmanager
def running_server(data_dir, users=("alice", "bob", "carol"), *, web_processes=1,
                   worker=False, extra_env=None, admins=()):
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(ROSTRA_DATA_DIR=str(data_dir), ROSTRA_DOMAIN=f"127.0.0.1:{port}",
               # Every test client logs in from 127.0.0.1: lift the per-address log-in
               # and sign-up limits (tests/web/test_throttles.py tests them).
               ROSTRA_THROTTLES="log_in=100000/300,log_in_account=100000/3600,"
                                "sign_up=100000/1800",
               **(extra_env or {}))
    with _database(data_dir) as db_url:
        if db_url:
            env["DATABASE_URL"] = db_url
        subprocess.run([*ROSTRA, "migrate", "-v", "0"], env=env, check=True)
        create_users(env, users, admins)
        log = open(os.path.join(data_dir, "server.log"), "w")  # noqa: SIM115 (closed below)
        procs = [subprocess.Popen(
            [*ROSTRA, "serve", "--no-worker", "--port", str(port),
             "--workers", str(web_processes)],
            env=env, stdout=log, stderr=subprocess.STDOUT, text=True)]
        if worker:
            procs.append(subprocess.Popen([*ROSTRA, "worker"], env=env,
                                          stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, procs[0], os.path.join(data_dir, "server.log"))
            yield base
        finally:
            stop(procs, timeout=10)
            log.close()


def _wait_until_up(base: str, server: subprocess.Popen, log_path: str,
                   timeout: float = 90) -> None:
    """Wait for ``server`` to answer. A server that exited (a taken port, a crash)
    fails at once with the end of its log; one that only starts slowly (a busy
    machine) gets ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(base + "/api/v1/instance", timeout=2)
            return
        except httpx.TransportError:
            exited = server.poll() is not None
            if exited or time.monotonic() > deadline:
                with open(log_path, errors="replace") as log:
                    tail = log.read()[-2000:]
                why = f"exited with {server.returncode}" if exited else "did not start"
                raise RuntimeError(f"the server {why}:\n{tail}") from None
            time.sleep(0.2)


def stop(procs: list[subprocess.Popen], timeout: float = 15) -> None:
    """Ask every process to end, then kill whichever has not after ``timeout``."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()


def password_token(base: str, username: str, scopes: str = "read write follow") -> str:
    app = httpx.post(base + "/api/v1/apps", json={
        "client_name": "live tests", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
        "scopes": scopes}).json()
    answer = httpx.post(base + "/oauth/token", data={
        "grant_type": "password", "client_id": app["client_id"],
        "client_secret": app["client_secret"], "username": username, "password": PASSWORD,
        "scope": scopes})
    answer.raise_for_status()
    return answer.json()["access_token"]
