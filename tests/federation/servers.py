"""Real ``rostra serve`` processes for end-to-end federation tests.

Each server has its own data directory (SQLite), its own port and ``ROSTRA_DOMAIN``
``127.0.0.1:<port>``, HTTP and loopback federation allowed, and its in-process
worker polling every 0.2 s, so deliveries leave within a second.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

ROSTRA = [sys.executable, "-m", "rostra.cli"]
PASSWORD = "a long enough secret phrase"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check: Callable[[], object], *, timeout: float = 15.0, what: str = "") -> object:
    """Call ``check`` until it returns something truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.2)
    raise AssertionError(f"Timed out waiting for {what or check.__name__} (last: {last!r})")


class RostraServer:
    """One Rostra server: ``start()``, ``token(user)``, ``api(token)``, ``stop()``."""

    def __init__(self, data_dir: Path, users: tuple[str, ...] = ()):
        self.data_dir = data_dir
        self.port = free_port()
        self.domain = f"127.0.0.1:{self.port}"
        self.base = f"http://{self.domain}"
        self.users = users
        self.env = {k: v for k, v in os.environ.items()
                    if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
        self.env.update(
            ROSTRA_DATA_DIR=str(data_dir), ROSTRA_DOMAIN=self.domain,
            ROSTRA_FEDERATION_ALLOW_HTTP="1", ROSTRA_FEDERATION_ALLOW_PRIVATE="1",
            ROSTRA_RATE_LIMITS_ENABLED="0",
        )
        self.proc: subprocess.Popen | None = None
        self.log = data_dir / "server.log"
        self._client: tuple[str, str] | None = None

    def prepare(self) -> subprocess.Popen:
        """Start migrating (returns the process, to run several servers' in parallel)."""
        return subprocess.Popen([*ROSTRA, "migrate", "-v", "0"], env=self.env)

    def create_users(self) -> None:
        for name in self.users:
            subprocess.run([*ROSTRA, "createuser", name, "--email", f"{name}@example.org",
                            "--password-stdin"], env=self.env, input=PASSWORD + "\n",
                           text=True, check=True, capture_output=True)

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [*ROSTRA, "serve", "--port", str(self.port), "--worker-interval", "0.2"],
            env=self.env, stdout=self.log.open("w"), stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 30.0) -> None:
        def up() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"{self.base} exited: {self.log.read_text()[-3000:]}")
            try:
                return httpx.get(self.base + "/api/v1/instance", timeout=2).status_code == 200
            except httpx.TransportError:
                return False
        wait_for(up, timeout=timeout, what=f"{self.base} to start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def rostra(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        """Run ``rostra ARGS`` against this server's database (fails with its output)."""
        done = subprocess.run([*ROSTRA, *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        assert done.returncode == 0, f"rostra {' '.join(args)}: {done.stderr[-3000:]}"
        return done

    def shell(self, code: str, timeout: float = 120) -> object:
        """Run Python ``code`` (which sets ``out``, JSON-able) in this server's
        database through ``rostra manage shell``; return ``out``."""
        script = f"import json\n{code}\nprint('OUT=' + json.dumps(out))\n"
        done = self.rostra("manage", "shell", "-c", script, timeout=timeout)
        line = next(x for x in done.stdout.splitlines() if x.startswith("OUT="))
        return json.loads(line[4:])

    # --- the Mastodon API ---------------------------------------------------------

    def token(self, username: str) -> str:
        if self._client is None:
            app = httpx.post(self.base + "/api/v1/apps", data={
                "client_name": "federation tests", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                "scopes": "read write follow"}).raise_for_status().json()
            self._client = (app["client_id"], app["client_secret"])
        answer = httpx.post(self.base + "/oauth/token", data={
            "grant_type": "password", "username": username, "password": PASSWORD,
            "client_id": self._client[0], "client_secret": self._client[1],
            "scope": "read write follow"})
        answer.raise_for_status()
        return answer.json()["access_token"]

    def api(self, username: str) -> Api:
        return Api(self.base, self.token(username))


@contextmanager
def running_servers(tmp_path_factory, *users: tuple[str, ...],
                    name: str = "server") -> Iterator[list[RostraServer]]:
    """Servers with ``users`` each (one tuple per server), migrated in parallel,
    started, and stopped afterwards: the body of a module-scoped fixture."""
    servers = [RostraServer(tmp_path_factory.mktemp(f"{name}-{n}"), names)
               for n, names in enumerate(users)]
    for proc in [s.prepare() for s in servers]:
        assert proc.wait(timeout=120) == 0, "migrate failed"
    with ThreadPoolExecutor(len(servers)) as pool:
        list(pool.map(lambda s: s.create_users(), servers))
    for server in servers:
        server.start()
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


@contextmanager
def logs_on_failure(*servers: RostraServer, tail: int = 3000) -> Iterator[None]:
    """Re-raise a failed assertion with the end of each server's log."""
    try:
        yield
    except AssertionError as exc:
        logs = "".join(f"\n--- {s.base} ---\n{s.output()[-tail:]}" for s in servers)
        raise AssertionError(f"{exc}{logs}") from exc


class Api:
    """A thin Mastodon API client that raises on errors (except where asked)."""

    def __init__(self, base: str, token: str):
        self.client = httpx.Client(base_url=base, timeout=20,
                                   headers={"Authorization": f"Bearer {token}"})

    def get(self, path: str, **params):
        response = self.client.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def status_code(self, path: str) -> int:
        return self.client.get(path).status_code

    def post(self, path: str, **data):
        response = self.client.post(path, json=data)
        if response.status_code >= 400:
            raise AssertionError(f"POST {path} → {response.status_code}: {response.text[:500]}")
        return response.json()

    def put(self, path: str, **data):
        response = self.client.put(path, json=data)
        if response.status_code >= 400:
            raise AssertionError(f"PUT {path} → {response.status_code}: {response.text[:500]}")
        return response.json()

    def delete(self, path: str):
        response = self.client.delete(path)
        if response.status_code >= 400:
            raise AssertionError(f"DELETE {path} → {response.status_code}: {response.text}")
        return response.json() if response.content else None

    def resolve(self, acct: str) -> dict | None:
        """The account ``user@domain`` as this server knows it, fetched if needed."""
        found = self.get("/api/v2/search", q=acct, resolve="true", type="accounts")
        accounts = found.get("accounts", [])
        return accounts[0] if accounts else None

    def resolve_status(self, url: str) -> dict | None:
        found = self.get("/api/v2/search", q=url, resolve="true", type="statuses")
        statuses = found.get("statuses", [])
        return statuses[0] if statuses else None

    def relationship(self, account_id: str) -> dict:
        return self.get("/api/v1/accounts/relationships", **{"id[]": account_id})[0]

    def home(self) -> list[dict]:
        return self.get("/api/v1/timelines/home", limit=40)

    def notifications(self) -> list[dict]:
        return self.get("/api/v1/notifications", limit=40)
