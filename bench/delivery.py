#!/usr/bin/env python
"""Delivery benchmark: one post to 10,000 remote followers on 500 servers.

    .venv/bin/python bench/delivery.py [--followers 10000] [--instances 500]
        [--workers 2] [--shared-inbox] [--inbound 2000] [--postgres-url URL]

What it does, in one run on one machine:

1. starts a loopback *sink*: one asyncio process listening on ``--instances`` ports of
   127.0.0.1 (one port = one server, so each has its own ``RemoteInstance``), which
   VERIFIES every delivery's HTTP signature with ``rostra.federation.signatures``
   and counts (it keeps connections alive, as real servers do); it also serves the
   remote actors' documents (for step 4);
2. seeds a fresh database (SQLite in a temporary data dir, or ``--postgres-url``):
   one local account followed by ``--followers`` remote accounts spread over the
   servers (personal inboxes, the worst case: one delivery per follower; with
   ``--shared-inbox`` one per server);
3. posts once through ``posts.services.create_post`` (the real write path, which
   queues the deliveries), starts ``--workers`` ``rostra worker`` processes and times
   until every delivery is delivered: deliveries per second and total time;
4. inbound: starts ``rostra serve --no-worker`` on the same database and POSTs
   ``--inbound`` signed ``Create`` activities from 50 remote actors to its shared
   inbox (16 at a time): verified activities per second, and, beside it,
   ``signatures.verify_request`` alone per second;
5. the signing bound: RSA-2048 draft-cavage signatures per second (``sign_request``)
   with one process per core, and the ratio deliveries/s ÷ signatures/s (target ≥ 0.5).

Prints the machine, the date and one table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--followers", type=int, default=10_000)
    p.add_argument("--instances", type=int, default=500)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="rostra worker processes (default: one per core)")
    p.add_argument("--shared-inbox", action="store_true",
                   help="followers share their server's inbox (one delivery per server)")
    p.add_argument("--inbound", type=int, default=2000, help="signed activities to POST")
    p.add_argument("--sign-seconds", type=float, default=3.0)
    p.add_argument("--postgres-url", default="", help="use this PostgreSQL database")
    p.add_argument("--timeout", type=float, default=600)
    return p.parse_args(argv)


# --- the sink: many "servers" on loopback, verifying signatures ---------------------

def run_sink(ports: list[int], keys_file: str, counts, ready) -> None:
    """Listen on ``ports``; verify each POST's signature; serve actor documents."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from rostra.federation import signatures

    keys: dict[str, object] = {}  # keyId -> parsed public key (as servers cache them)
    actors = json.loads(Path(keys_file).read_text()) if Path(keys_file).exists() else {}

    def key_resolver(key_id: str):
        if key_id not in keys:
            key_path = Path(keys_file + ".local")
            keys.update({k: load_pem_public_key(pem.encode())
                         for k, pem in json.loads(key_path.read_text()).items()})
        return keys.get(key_id)

    def answer(port: int, method: str, target: str, headers: dict, body: bytes) -> bytes:
        status, reply, ctype = 404, b"", "text/plain"
        if method == "POST":
            url = f"http://127.0.0.1:{port}{target}"
            try:
                signatures.verify_request(method, url, headers, body, key_resolver)
                counts[0] += 1
                status = 202
            except signatures.SignatureError:
                counts[1] += 1
                status = 401
        elif method == "GET" and target in actors:
            status, reply, ctype = 200, actors[target].encode(), "application/activity+json"
        return (f"HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(reply)}\r\n\r\n".encode() + reply)

    class Server(asyncio.Protocol):
        """HTTP/1.1 with kept-alive connections, as the servers Rostra delivers to
        speak it; requests are answered in order as they complete in the buffer."""

        def __init__(self, port: int):
            self.port, self.buffer, self.transport = port, b"", None

        def connection_made(self, transport):
            self.transport = transport

        def data_received(self, data: bytes):
            self.buffer += data
            while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
                lines = self.buffer[:end].decode("latin-1").split("\r\n")
                try:
                    method, target, _ = lines[0].split(" ", 2)
                    headers = {}
                    for line in lines[1:]:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                    length = int(headers.get("content-length") or 0)
                except ValueError:
                    self.transport.close()
                    return
                if len(self.buffer) < end + 4 + length:
                    return  # the body is still coming
                body = self.buffer[end + 4:end + 4 + length]
                self.buffer = self.buffer[end + 4 + length:]
                self.transport.write(answer(self.port, method, target, headers, body))

    async def main():
        loop = asyncio.get_running_loop()
        servers = []
        for port in ports:
            servers.append(await loop.create_server(
                lambda port=port: Server(port), "127.0.0.1", port, backlog=512))
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


def free_ports(n: int) -> list[int]:
    import socket

    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


# --- the signing bound ----------------------------------------------------------------

def _sign_loop(pem: str, seconds: float, out) -> None:
    from rostra.federation import signatures

    body = b'{"type":"Create","object":{"content":"' + b"x" * 800 + b'"}}'
    headers = {"Content-Type": "application/activity+json", "Host": "127.0.0.1:1"}
    count, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        signatures.sign_request("POST", "http://127.0.0.1:1/users/x/inbox", headers, body,
                                key_id="k", private_key_pem=pem)
        count += 1
    out.put(count)


def signing_rate(pem: str, seconds: float, processes: int) -> float:
    out = mp.Queue()
    procs = [mp.Process(target=_sign_loop, args=(pem, seconds, out)) for _ in range(processes)]
    for proc in procs:
        proc.start()
    total = sum(out.get() for _ in procs)
    for proc in procs:
        proc.join()
    return total / seconds


# --- the run ----------------------------------------------------------------------------

def main(argv=None) -> None:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="rostra-bench-delivery-"))
    rostra_port = free_ports(1)[0]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(ROSTRA_DATA_DIR=str(workdir / "data"), ROSTRA_DOMAIN=f"127.0.0.1:{rostra_port}",
               ROSTRA_FEDERATION_ALLOW_HTTP="1", ROSTRA_FEDERATION_ALLOW_PRIVATE="1",
               ROSTRA_RATE_LIMITS_ENABLED="0", DJANGO_SETTINGS_MODULE="rostra.settings")
    if args.postgres_url:
        env["DATABASE_URL"] = args.postgres_url
    else:
        env.pop("DATABASE_URL", None)
    os.environ.update(env)
    if not args.postgres_url:
        os.environ.pop("DATABASE_URL", None)

    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
          f"{platform.python_implementation()} {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M UTC}")
    database = "PostgreSQL" if args.postgres_url else "SQLite (WAL)"
    print(f"database: {database}; {args.followers:,} followers on {args.instances} servers, "
          f"{'shared' if args.shared_inbox else 'personal'} inboxes; "
          f"{args.workers} rostra worker processes")

    cli = [sys.executable, "-m", "rostra.cli"]
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    if args.postgres_url:
        subprocess.run([*cli, "flush", "--no-input", "-v", "0"], env=env, check=True, cwd=ROOT)

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Max, Min
    from django.utils import timezone

    from rostra.accounts.models import Account, Follow
    from rostra.core.ids import make_id
    from rostra.federation import keys, signatures
    from rostra.federation.models import Delivery
    from rostra.posts import services as posts
    from tests import factories

    ports = free_ports(args.instances)
    actors_file = workdir / "actors.json"
    remote_keys = [keys.generate_keypair() for _ in range(50)]
    actor_docs = {}
    for i, (_private, public) in enumerate(remote_keys):
        base = f"http://127.0.0.1:{ports[i % len(ports)]}"
        actor_id = f"{base}/users/sender{i}"
        actor_docs[f"/users/sender{i}"] = json.dumps({
            "@context": ["https://www.w3.org/ns/activitystreams",
                         "https://w3id.org/security/v1"],
            "id": actor_id, "type": "Person", "preferredUsername": f"sender{i}",
            "inbox": f"{actor_id}/inbox", "outbox": f"{actor_id}/outbox",
            "followers": f"{actor_id}/followers",
            "endpoints": {"sharedInbox": f"{base}/inbox"},
            "publicKey": {"id": f"{actor_id}#main-key", "owner": actor_id,
                          "publicKeyPem": public}})
    actors_file.write_text(json.dumps(actor_docs))

    counts = mp.Array("q", 2)
    ready = mp.Event()
    sink = mp.Process(target=run_sink, args=(ports, str(actors_file), counts, ready),
                      daemon=True)
    sink.start()
    ready.wait(30)

    # Seed: the local account and its remote followers.
    author = factories.make_user("bench_author", password="a long bench password").account
    keys.ensure_keys(author)
    Path(str(actors_file) + ".local").write_text(
        json.dumps({keys.key_id(author): author.public_key}))
    started = time.perf_counter()
    remote_accounts = []
    for n in range(args.followers):
        port = ports[n % args.instances]
        base = f"http://127.0.0.1:{port}"
        remote_accounts.append(Account(
            id=make_id(),
            username=f"f{n}", domain=f"127.0.0.1:{port}", uri=f"{base}/users/f{n}",
            inbox_url=f"{base}/users/f{n}/inbox",
            shared_inbox_url=f"{base}/inbox" if args.shared_inbox else ""))
    Account.objects.bulk_create(remote_accounts, batch_size=1000)
    followers = Account.objects.filter(username__startswith="f").exclude(domain="")
    Follow.objects.bulk_create([Follow(account=a, target_account=author) for a in followers],
                               batch_size=1000)
    print(f"seeded in {time.perf_counter() - started:.1f} s")
    connection.close()

    # The workers run already (as in production), idle; then one post queues it all.
    workers = [subprocess.Popen([*cli, "worker", "--interval", "0.1"], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(args.workers)]
    from django_tasks_db.models import DBTaskResult

    time.sleep(3)
    while DBTaskResult.objects.ready().exists() or DBTaskResult.objects.running().exists():
        time.sleep(0.2)
    time.sleep(1)
    connection.close()
    # The signing bound is measured just before and just after the deliveries (the
    # mean is used), so both see the same machine.
    sign_before = signing_rate(author.private_key, args.sign_seconds, os.cpu_count() or 1)
    # Progress is watched through the sink's shared counters (no database query
    # competing with the workers); the times come from the rows' ``delivered_at``.
    started = timezone.now()
    t0 = time.perf_counter()
    posts.create_post(author, "Hello, ten thousand followers!", visibility="public")
    t_queued = time.perf_counter() - t0
    expected = args.instances if args.shared_inbox else args.followers
    try:
        while counts[0] + counts[1] < expected and time.perf_counter() - t0 < args.timeout:
            time.sleep(0.05)
        while (Delivery.objects.filter(status=Delivery.Status.PENDING).exists()
               and time.perf_counter() - t0 < args.timeout):
            time.sleep(0.2)
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=20)
    span = Delivery.objects.filter(status=Delivery.Status.DELIVERED).aggregate(
        first=Min("delivered_at"), last=Max("delivered_at"))
    t_first = (span["first"] - started).total_seconds() if span["first"] else None
    t_all = ((span["last"] - started).total_seconds() if span["last"]
             else time.perf_counter() - t0)
    sign_after = signing_rate(author.private_key, args.sign_seconds, os.cpu_count() or 1)
    delivered = Delivery.objects.filter(status=Delivery.Status.DELIVERED).count()
    verified, refused = counts[0], counts[1]
    delivery_rate = delivered / t_all
    connection.close()

    # Inbound: signed Creates to Rostra's shared inbox.
    server = subprocess.Popen([*cli, "serve", "--no-worker", "--port", str(rostra_port)],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        inbound_rate, inbound_ok, inbound_status = inbound(
            rostra_port, ports, remote_keys, args.inbound)
    finally:
        server.terminate()
        server.wait(timeout=20)

    # verify_request alone (one core) and the signing bound (all cores).
    private, public = remote_keys[0]
    body = b'{"type":"Create","object":{"content":"' + b"x" * 800 + b'"}}'
    url = "http://127.0.0.1:1/inbox"
    headers = {"Content-Type": "application/activity+json", "Host": "127.0.0.1:1"}
    headers.update(signatures.sign_request("POST", url, headers, body, key_id="k",
                                           private_key_pem=private))
    n, end = 0, time.perf_counter() + 2
    while time.perf_counter() < end:
        signatures.verify_request("POST", url, headers, body, lambda _k: public)
        n += 1
    verify_rate = n / 2
    sign_rate = (sign_before + sign_after) / 2
    sign_one = signing_rate(author.private_key, args.sign_seconds, 1)

    rows = [
        ("create_post (queues the fan-out)", f"{t_queued:.2f} s", f"{expected:,} inboxes"),
        ("time to first delivery", f"{t_first or 0:.2f} s", "from the post"),
        ("time until all delivered", f"{t_all:.2f} s", f"{delivered:,} delivered"),
        ("deliveries per second", f"{delivery_rate:,.0f}", f"{args.workers} worker processes"),
        ("signatures verified at the sink", f"{verified:,}", f"{refused} refused"),
        ("inbound verified activities/s", f"{inbound_rate:,.0f}",
         f"{inbound_ok:,} accepted {inbound_status}"),
        ("verify_request alone /s (1 core)", f"{verify_rate:,.0f}", "RSA-2048, cavage"),
        ("RSA-2048 signatures/s (1 core)", f"{sign_one:,.0f}", "sign_request"),
        (f"RSA-2048 signatures/s ({os.cpu_count()} cores)", f"{sign_rate:,.0f}",
         f"the signing bound (before {sign_before:,.0f}, after {sign_after:,.0f})"),
        ("ratio deliveries/s ÷ signatures/s", f"{delivery_rate / sign_rate:.2f}",
         "target ≥ 0.5"),
    ]
    width = max(len(r[0]) for r in rows)
    print()
    print(f"{'measure'.ljust(width)}  {'value':>12}  note")
    print(f"{'-' * width}  {'-' * 12}  {'-' * 30}")
    for name, value, note in rows:
        print(f"{name.ljust(width)}  {value:>12}  {note}")
    sink.terminate()
    shutil.rmtree(workdir, ignore_errors=True)


def inbound(port: int, ports: list[int], remote_keys, total: int):
    """POST ``total`` signed Creates from 50 remote actors to Rostra's inbox, 16 at a
    time; return (accepted per second, accepted, status counts)."""
    import httpx

    from rostra.federation import signatures

    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/api/v1/instance", timeout=2)
            break
        except httpx.TransportError:
            time.sleep(0.2)
    requests = []
    for n in range(total):
        i = n % len(remote_keys)
        actor_base = f"http://127.0.0.1:{ports[i % len(ports)]}"
        actor_id = f"{actor_base}/users/sender{i}"
        note_id = f"{actor_id}/statuses/{n}"
        activity = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{note_id}/activity", "type": "Create", "actor": actor_id,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": {"id": note_id, "type": "Note", "attributedTo": actor_id,
                       "content": f"<p>Inbound {n}</p>",
                       "to": ["https://www.w3.org/ns/activitystreams#Public"],
                       "published": datetime.now(UTC).isoformat()}}
        requests.append((actor_id, remote_keys[i][0], json.dumps(activity).encode()))

    statuses: dict[int, int] = {}

    async def run():
        sem = asyncio.Semaphore(16)
        async with httpx.AsyncClient(timeout=60) as client:
            async def one(actor_id, private, body):
                url = base + "/inbox"
                headers = {"Content-Type": "application/activity+json",
                           "Host": urlsplit(url).netloc}
                headers.update(signatures.sign_request(
                    "POST", url, headers, body, key_id=f"{actor_id}#main-key",
                    private_key_pem=private))
                async with sem:
                    try:
                        r = await client.post(url, content=body, headers=headers)
                        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                    except httpx.HTTPError:
                        statuses[0] = statuses.get(0, 0) + 1
            # Warm up: each actor's key is fetched once (not part of the rate).
            await asyncio.gather(*(one(*r) for r in requests[:len(remote_keys)]))
            statuses.clear()
            t0 = time.perf_counter()
            await asyncio.gather(*(one(*r) for r in requests[len(remote_keys):]))
            return time.perf_counter() - t0

    elapsed = asyncio.run(run())
    accepted = sum(v for k, v in statuses.items() if 200 <= k < 300)
    return accepted / elapsed, accepted, dict(sorted(statuses.items()))


if __name__ == "__main__":
    main()
