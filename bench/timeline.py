#!/usr/bin/env python
"""Home-timeline benchmark: seed a large instance, time the home timeline and posting.

    .venv/bin/python bench/timeline.py [--users 10000] [--posts 1000000]
        [--database sqlite|postgres|both] [--samples 200] [--postgres-url URL]

Seeds N accounts with a power-law follow graph (one account followed by 10% of
users, one "heavy" user following 1,000 accounts, a typical user following the
median number) and M posts over the last 90 days, then prints p50/p99 latency of

* ``timelines.services.home(viewer, Page(limit=40))`` -- the full service:
  graph lookups, the timeline query, relations, prefetches and viewer hydration;
* beside it, in the same run, the bare hand-written SQL returning the same 40
  post ids (asserted equal), and the ratio between the two;
* ``posts.services.create_post(author, text)`` -- the real write path.

Each database runs in its own subprocess (Django reads its settings at import).
See bench/README.md.
"""

from __future__ import annotations

import argparse
import bisect
import html
import itertools
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_MARK = "bench_heavy"  # username of the heavy follower; marks a seeded database

CELEBRITY_SHARE = 0.10  # one account is followed by this share of users
HEAVY_FOLLOWS = 1000  # one user follows this many accounts
MEDIAN_FOLLOWS = 50  # out-degree: log-normal around this median
FOLLOW_SIGMA = 0.9
MAX_FOLLOWS = 800  # for everyone but the heavy follower
IN_DEGREE_EXPONENT = 0.3  # popularity rank r gets follows with weight r**-a
POST_EXPONENT = 0.8  # author rank r writes posts with weight r**-b
DAYS = 90


# --- command line -----------------------------------------------------------------

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=10_000)
    p.add_argument("--posts", type=int, default=1_000_000)
    p.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--samples", type=int, default=200, help="timed calls per case")
    p.add_argument("--warmup", type=int, default=20, help="untimed calls per case first")
    p.add_argument("--postgres-url", default=os.environ.get("DATABASE_URL", ""),
                   help="PostgreSQL URL (default: $DATABASE_URL); its tables are created "
                        "by migrate; an already seeded benchmark database is reused")
    p.add_argument("--data-dir", default="",
                   help="SQLite data dir to keep (and reuse when already seeded); "
                        "default: a temporary folder removed afterwards")
    p.add_argument("--reset", action="store_true",
                   help="PostgreSQL: drop every table of the database first")
    p.add_argument("--no-analyze", action="store_true",
                   help="skip ANALYZE after seeding (to see what planner statistics bring)")
    p.add_argument("--gc-freeze", action="store_true",
                   help="gc.collect() and gc.freeze() before measuring, as a server could "
                        "after start-up (shows what cyclic GC adds to p99)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    p.add_argument("--results", help=argparse.SUPPRESS)
    return p.parse_args(argv)


# --- parent: machine, subprocesses, final table -----------------------------------

def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = "?"
    return {
        "cpu": cpu, "cores": os.cpu_count(), "ram": ram,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(), "commit": commit,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def run_parent(args) -> int:
    info = machine()
    print("Rostra home-timeline benchmark")
    print(f"  date     {info['date']}   commit {info['commit']} (working tree as is)")
    print(f"  machine  {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, {info['os']}")
    print(f"  python   {info['python']}; niceness {os.nice(0)}; load average at start "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"  size     {args.users:,} users, {args.posts:,} posts; "
          f"{args.samples} samples per case after {args.warmup} warm-up calls")
    print(flush=True)
    dbs = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    if "postgres" in dbs and not args.postgres_url:
        print("PostgreSQL needs --postgres-url or DATABASE_URL", file=sys.stderr)
        return 2
    results, failed = [], False
    for db in dbs:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
            out = fh.name
        cmd = [sys.executable, __file__, "--child", db, "--results", out, *sys.argv[1:]]
        print(f"=== {db} ===", flush=True)
        rc = subprocess.call(cmd, cwd=ROOT)
        if rc != 0:
            print(f"{db}: the run failed (exit {rc})", flush=True)
            failed = True
        else:
            results.append(json.loads(Path(out).read_text()))
        os.unlink(out)
        print(flush=True)
    if results:
        print_table(results)
    return 1 if failed else 0


def print_table(results: list[dict]) -> None:
    print("=== results (milliseconds; ratio = home / bare SQL) ===")
    for r in results:
        print(f"  {r['database']}: {r['versions']}; seeded in {r['seed_seconds']:.0f} s"
              f"{' (reused)' if r['reused'] else ''}; analyze: {r['analyze']}; {r['gc']}")
    head = (f"{'database':<9} {'case':<27} {'p50':>7} {'p99':>7} | {'bare p50':>8} "
            f"{'p99':>7} {'ratio':>11} | {'window p50':>10} {'p99':>6} {'ratio':>11} "
            f"| {'queries':>7}  ids")
    print(head)
    print("-" * len(head))
    for r in results:
        for c in r["cases"]:
            cols = ""
            for key, width, width99 in (("bare", 8, 7), ("window", 10, 6)):
                ref = c.get(key)
                if ref:
                    cols += (f"| {ref['p50']:>{width}.2f} {ref['p99']:>{width99}.2f} "
                             f"{c['p50'] / ref['p50']:>4.1f}/{c['p99'] / ref['p99']:<4.1f}x ")
                else:
                    cols += f"| {'-':>{width}} {'-':>{width99}} {'-':>11} "
            print(f"{r['database']:<9} {c['case']:<27} {c['p50']:>7.2f} {c['p99']:>7.2f} "
                  f"{cols}| {c.get('queries', ''):>7}  {c.get('ids', '')}")
    print("ratio = home / bare, p50/p99. bare: the brief's minimal query (account_id IN "
          "(...) + the same rules, ORDER BY id DESC LIMIT 40);")
    print("window: the same query also bounded by the id window home() settles on.")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"{os.getloadavg()[2]:.2f} (other processes share this machine)")
    print()
    for r in results:
        for c in r["cases"]:
            if not c.get("bare"):
                continue
            ratio = c["p99"] / c["bare"]["p99"]
            ok = ratio <= 3 and (r["database"] != "sqlite" or c["p99"] < 50)
            limit = "p99 < 50 ms and " if r["database"] == "sqlite" else ""
            print(f"target {r['database']} {c['case']}: {limit}p99 within 3x of bare: "
                  f"{'MET' if ok else 'NOT MET'} (p99 {c['p99']:.1f} ms, {ratio:.1f}x bare, "
                  f"{c['p99'] / c['window']['p99']:.1f}x windowed bare)")


# --- child: Django set-up --------------------------------------------------------

def setup_django(args) -> tuple[str, bool]:
    """Point the settings at the database, then import Django. Returns (data dir, temp?)."""
    temp = False
    if args.child == "sqlite":
        data_dir = args.data_dir
        if not data_dir:
            data_dir, temp = tempfile.mkdtemp(prefix="rostra-bench-sqlite-"), True
        os.environ.pop("DATABASE_URL", None)
    else:
        data_dir, temp = tempfile.mkdtemp(prefix="rostra-bench-pg-"), True
        os.environ["DATABASE_URL"] = args.postgres_url
    os.environ["ROSTRA_DATA_DIR"] = data_dir
    os.environ.setdefault("ROSTRA_SECRET_KEY", "bench-not-secret")
    os.environ["DJANGO_SETTINGS_MODULE"] = "rostra.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return data_dir, temp


def log(msg: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --- child: seeding --------------------------------------------------------------
# Seeding bypasses the services on purpose (1,000,000 posts through create_post
# would take hours): rows go in with bulk INSERTs (SQLite) or COPY (PostgreSQL),
# ids come from core.ids.make_id(published) as the models would make them, and the
# SQLite full-text index is filled in one statement. Only the measured create_post
# goes through the real service.

WORDS = (
    "the of and to a in is it you that he was for on are with as I his they be at one "
    "have this from or had by not word but what some we can out other were all there "
    "when up use your how said an each she which do their time if will way about many "
    "then them write would like so these her long make thing see him two has look more "
    "day could go come did number sound no most people my over know water than call "
    "first who may down side been now find any new work part take get place made live "
    "where after back little only round man year came show every good me give our "
    "under name very through just form sentence great think say help low line differ "
    "turn cause much mean before move right boy old too same tell does set three want "
    "air well also play small end put home read hand port large spell add even land "
    "here must big high such follow act why ask men change went light kind off need "
    "house picture try us again animal point mother world near build self earth father "
    "coffee train rain server federation fediverse release weekend garden cat dog "
    "bike code bug deploy music concert book film city morning tonight lunch photo"
).split()
TAGS = ["caturday", "photography", "python", "django", "fediverse", "music", "books",
        "gardening", "climate", "linux", "art", "news", "til", "opensource", "coffee"]


def make_text(rng: random.Random, usernames=None) -> str:
    n = max(3, min(80, int(rng.lognormvariate(math.log(18), 0.7))))
    words = rng.choices(WORDS, k=n)
    words[0] = words[0].capitalize()
    text = " ".join(words)
    # Sentence breaks.
    if n > 12:
        cut = rng.randrange(6, n - 3)
        parts = text.split(" ")
        parts[cut] += "."
        parts[cut + 1] = parts[cut + 1].capitalize()
        text = " ".join(parts)
    text += rng.choice([".", ".", "!", "?", "", " :)"])
    r = rng.random()
    if r < 0.15:
        text += " #" + rng.choice(TAGS)
    elif r < 0.22:
        text += f" https://example.{rng.choice(['org', 'com', 'net'])}/{rng.randrange(10**6)}"
    if usernames and rng.random() < 0.1:
        text = f"@{rng.choice(usernames)} " + text
    return text


def as_html(text: str) -> str:
    return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"


class Writer:
    """Bulk inserts into a model's table: columns we vary are given per row, every
    other column takes the field's default (so new fields with defaults need no
    change here)."""

    def __init__(self, model, varying: list[str], constants: dict | None = None):
        from django.db import connection

        self.connection = connection
        self.table = model._meta.db_table
        fields = model._meta.concrete_fields
        by_column = {f.column: f for f in fields}
        missing = [c for c in varying if c not in by_column]
        if missing:
            raise RuntimeError(f"{self.table} has no columns {missing}")
        const = {}
        now = datetime.now(UTC)
        for f in fields:
            if f.column in varying or f is model._meta.auto_field:
                continue
            if constants and f.column in constants:
                value = constants[f.column]
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            else:
                value = f.get_default()
            const[f.column] = f.get_db_prep_save(value, connection)
        self.columns = [*varying, *const]
        self.const = tuple(const.values())
        self.vendor = connection.vendor

    def write(self, rows) -> int:
        """Insert ``rows`` (tuples of the varying columns, already database values)."""
        raw = self.connection.connection
        cols = ", ".join(f'"{c}"' for c in self.columns)
        count = 0
        if self.vendor == "postgresql":
            with raw.cursor() as cur, cur.copy(f'COPY "{self.table}" ({cols}) FROM STDIN') as cp:
                for row in rows:
                    cp.write_row(row + self.const)
                    count += 1
            return count
        marks = ", ".join("?" * len(self.columns))
        sql = f'INSERT INTO "{self.table}" ({cols}) VALUES ({marks})'
        cur = raw.cursor()
        for batch in batched(rows, 20_000):
            cur.executemany(sql, [row + self.const for row in batch])
            count += len(batch)
        cur.close()
        return count


def batched(iterable, n):
    it = iter(iterable)
    while batch := list(itertools.islice(it, n)):
        yield batch


def dbtime(dt: datetime):
    from django.db import connection

    return connection.ops.adapt_datetimefield_value(dt)


def weighted_ranks(n: int, exponent: float) -> list[float]:
    """Cumulative weights of ranks 1..n with weight r**-exponent."""
    return list(itertools.accumulate((r + 1) ** -exponent for r in range(n)))


def seed(args, rng: random.Random) -> dict:
    from django.db import connection, transaction

    from rostra.accounts.models import Account, Block, Follow, Mute, User
    from rostra.core.ids import make_id
    from rostra.posts.models import Bookmark, Favourite, Media, Mention, Poll, Post

    n, m = args.users, args.posts
    now = datetime.now(UTC).replace(microsecond=0)
    start_posts = now - timedelta(days=DAYS)
    timings = {}

    # Accounts. Index 0 is the celebrity, 1 the heavy follower.
    t = time.perf_counter()
    names = ["bench_celebrity", BENCH_MARK] + [f"user{i:05d}" for i in range(2, n)]
    created = [start_posts - timedelta(seconds=rng.randrange(1, 2 * 365 * 86400))
               for _ in range(n)]
    acc_ids = [make_id(c) for c in created]

    # Follow graph. Out-degree: log-normal (median MEDIAN_FOLLOWS); targets drawn by a
    # power law over a random popularity ranking (a Chung-Lu style graph), except the
    # celebrity, followed by exactly CELEBRITY_SHARE of users, and the heavy follower.
    popularity = list(range(2, n)) + [1]
    rng.shuffle(popularity)
    cum = weighted_ranks(len(popularity), IN_DEGREE_EXPONENT)
    total = cum[-1]
    out_degree = [0] * n
    edges: list[tuple[int, int]] = []
    for u in range(1, n):
        if u == 1:
            k = HEAVY_FOLLOWS - 1  # plus the celebrity below
        else:
            k = max(1, min(MAX_FOLLOWS, round(rng.lognormvariate(math.log(MEDIAN_FOLLOWS),
                                                                 FOLLOW_SIGMA))))
        k = min(k, len(popularity) - 1)
        chosen: set[int] = set()
        while len(chosen) < k:
            for _ in range(k - len(chosen)):
                v = popularity[bisect.bisect(cum, rng.random() * total)]
                if v != u:
                    chosen.add(v)
        edges.extend((u, v) for v in chosen)
    fans = set(rng.sample(range(2, n), max(0, round(CELEBRITY_SHARE * n) - 1))) | {1}
    edges.extend((u, 0) for u in fans)
    for u, _ in edges:
        out_degree[u] += 1
    in_degree = [0] * n
    for _, v in edges:
        in_degree[v] += 1
    # The typical user: median out-degree among ordinary users, not following the celebrity.
    ordinary = sorted(out_degree[2:])
    median = ordinary[len(ordinary) // 2]
    typical = next(u for u in range(2, n) if out_degree[u] == median and u not in fans)
    names[typical] = "bench_typical"

    # Posting activity: power law over another random ranking; the celebrity is
    # fairly active, the heavy follower writes little.
    activity = list(range(2, n))
    rng.shuffle(activity)
    activity.insert(min(20, len(activity)), 0)
    activity.insert(len(activity) // 2, 1)
    post_cum = weighted_ranks(n, POST_EXPONENT)
    post_total = post_cum[-1]
    timings["graph"] = time.perf_counter() - t

    statuses = [0] * n
    last_status = [None] * n
    # Post skeleton first (authors, times), to fill account counters.
    t = time.perf_counter()
    times = sorted(rng.random() for _ in range(m))
    span = (now - timedelta(minutes=1) - start_posts).total_seconds()
    authors = array("i", (activity[bisect.bisect(post_cum, rng.random() * post_total)]
                          for _ in range(m)))
    for a in authors:
        statuses[a] += 1
    for i in range(m):  # times ascending, so the last one wins
        last_status[authors[i]] = i

    with transaction.atomic():
        w = Writer(Account, ["id", "username", "display_name", "note", "note_html",
                             "created_at", "uri", "url", "followers_count",
                             "following_count", "statuses_count", "last_status_at"])

        def account_rows():
            for i in range(n):
                note = make_text(rng)
                last = last_status[i]
                yield (acc_ids[i], names[i], names[i].replace("_", " ").title(), note,
                       as_html(note), dbtime(created[i]),
                       f"https://bench.example/users/{names[i]}",
                       f"https://bench.example/@{names[i]}", in_degree[i], out_degree[i],
                       statuses[i],
                       dbtime(start_posts + timedelta(seconds=times[last] * span))
                       if last is not None else None)

        w.write(account_rows())
        # The measured accounts are real local users (with a User, as after sign-up).
        for i in (0, 1, typical):
            user = User(username=names[i], email=f"{names[i]}@bench.example",
                        account_id=acc_ids[i])
            user.set_unusable_password()
            user.save()
        timings["accounts"] = time.perf_counter() - t

        t = time.perf_counter()
        edge_time = dbtime(now - timedelta(days=DAYS + 1))
        w = Writer(Follow, ["account_id", "target_account_id", "show_reblogs", "notify",
                            "created_at"])
        w.write((acc_ids[u], acc_ids[v], rng.random() > 0.03, rng.random() < 0.005, edge_time)
                for u, v in edges)
        follows_of: dict[int, list[int]] = {1: [], typical: []}
        for u, v in edges:
            if u in follows_of:
                follows_of[u].append(v)
        # Blocks and mutes: some random ones, and a few for the two viewers.
        blocks = {(rng.randrange(n), rng.randrange(n)) for _ in range(n // 5)}
        mutes = {(rng.randrange(n), rng.randrange(n)) for _ in range(n // 3)}
        blocks |= {(1, v) for v in rng.sample(range(2, n), 2)}
        mutes |= {(1, v) for v in rng.sample(follows_of[1], 5)}
        mutes |= {(typical, v) for v in rng.sample(follows_of[typical], 1)}
        Writer(Block, ["account_id", "target_account_id", "created_at"]).write(
            (acc_ids[a], acc_ids[b], edge_time) for a, b in blocks if a != b)
        Writer(Mute, ["account_id", "target_account_id", "created_at"]).write(
            (acc_ids[a], acc_ids[b], edge_time) for a, b in mutes if a != b)
        timings["follows"] = time.perf_counter() - t

    # Posts in batches, each in its own transaction. 10% boosts, 20% replies
    # (mentioning the parent's author), visibility 75% public, 12% unlisted, 10%
    # followers-only, 3% direct (mentioning someone); 1% quiet imports; 3% with a
    # content warning; 8% with media; 0.5% with a poll.
    t = time.perf_counter()
    post_ids = array("q", bytes(8 * m))
    roots = array("q", bytes(8 * m))  # thread root id, 0 for none
    boost = bytearray(m)
    seen_ids: set[int] = set()
    pw = Writer(Post, ["id", "account_id", "text", "content", "spoiler_text", "sensitive",
                       "visibility", "language", "in_reply_to_id", "in_reply_to_account_id",
                       "thread_root_id", "reblog_of_id", "published", "source", "quiet"])
    mw = Writer(Mention, ["post_id", "account_id", "acct"])
    mediaw = Writer(Media, ["id", "account_id", "post_id", "position", "kind", "remote_url",
                            "mime_type", "description", "blurhash", "width", "height",
                            "created_at"])
    pollw = Writer(Poll, ["post_id", "options", "multiple", "expires_at", "closed"])
    batch = 50_000
    for start in range(0, m, batch):
        rows, mentions, media, polls = [], [], [], []
        for i in range(start, min(m, start + batch)):
            published = start_posts + timedelta(seconds=times[i] * span)
            pid = make_id(published)
            while pid in seen_ids:
                pid = make_id(published)
            seen_ids.add(pid)
            post_ids[i] = pid
            author = authors[i]
            r = rng.random()
            reply_to = reblog = None
            if r < 0.10 and i > 100:
                j = rng.randrange(max(0, i - 20_000), i)
                while boost[j]:
                    j -= 1
                reblog = j
            elif r < 0.30 and i > 100:
                j = rng.randrange(max(0, i - 5_000), i)
                while boost[j]:
                    j -= 1
                reply_to = j
            if reblog is not None:
                boost[i] = 1
                rows.append((pid, acc_ids[author], "", "", "", False, "public", "", None, None,
                             None, post_ids[reblog], dbtime(published), "web", False))
                continue
            v = rng.random()
            visibility = ("public" if v < 0.75 else "unlisted" if v < 0.87
                          else "private" if v < 0.97 else "direct")
            text = make_text(rng)
            mentioned = []
            if reply_to is not None:
                mentioned.append(authors[reply_to])
            if visibility == "direct" or (reply_to is None and rng.random() < 0.05):
                mentioned.append(rng.randrange(n))
            mentioned = list(dict.fromkeys(a for a in mentioned if a != author))
            if mentioned:
                text = " ".join(f"@{names[a]}" for a in mentioned) + " " + text
                mentions.extend((pid, acc_ids[a], names[a]) for a in mentioned)
            cw = "spoilers" if rng.random() < 0.03 else ""
            quiet = rng.random() < 0.01
            root = roots[reply_to] or post_ids[reply_to] if reply_to is not None else 0
            roots[i] = root
            rows.append((pid, acc_ids[author], text, as_html(text), cw, bool(cw), visibility,
                         "en", post_ids[reply_to] if reply_to is not None else None,
                         acc_ids[authors[reply_to]] if reply_to is not None else None,
                         root or None, None, dbtime(published),
                         "import" if quiet else "web", quiet))
            x = rng.random()
            if x < 0.08:
                for pos in range(rng.choice([1, 1, 1, 2, 4])):
                    media.append((make_id(published), acc_ids[author], pid, pos, "image",
                                  f"https://files.bench.example/{pid}/{pos}.jpg", "image/jpeg",
                                  "a photo", "LEHV6nWB2yk8pyo0adR*.7kCMdnj", 1200, 800,
                                  dbtime(published)))
            elif x < 0.085:
                ends = published + timedelta(days=1)
                polls.append((pid, json.dumps(["yes", "no", "maybe"]), False, dbtime(ends),
                              ends < now))
        with transaction.atomic():
            pw.write(rows)
            mw.write(mentions)
            mediaw.write(media)
            pollw.write(polls)
        if (start // batch) % 4 == 3 or start + batch >= m:
            log(f"posts: {min(m, start + batch):,} / {m:,}")
    del seen_ids
    timings["posts"] = time.perf_counter() - t

    # Some likes and bookmarks, and the viewers' own.
    t = time.perf_counter()
    favs = {(rng.randrange(n), rng.randrange(m)) for _ in range(m // 5)}
    marks = {(rng.randrange(n), rng.randrange(m)) for _ in range(m // 50)}
    for viewer in (1, typical):
        favs |= {(viewer, rng.randrange(max(0, m - 50_000), m)) for _ in range(300)}
        marks |= {(viewer, rng.randrange(max(0, m - 50_000), m)) for _ in range(50)}
    fav_time = dbtime(now - timedelta(days=1))
    with transaction.atomic():
        Writer(Favourite, ["account_id", "post_id", "created_at"]).write(
            (acc_ids[a], post_ids[p], fav_time) for a, p in favs)
        Writer(Bookmark, ["account_id", "post_id", "created_at"]).write(
            (acc_ids[a], post_ids[p], fav_time) for a, p in marks)
    timings["likes"] = time.perf_counter() - t

    if connection.vendor == "sqlite":
        t = time.perf_counter()
        from rostra.posts.search import FTS_TABLE

        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"INSERT INTO {FTS_TABLE}(rowid, body) SELECT id, "
                        "trim(text || char(10) || spoiler_text) FROM posts_post "
                        "WHERE reblog_of_id IS NULL")
        timings["fts"] = time.perf_counter() - t
    return timings


def analyze() -> str:
    from django.db import connection

    t = time.perf_counter()
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("ANALYZE")
            cur.execute("PRAGMA optimize")
            what = "ANALYZE"
        else:
            cur.execute("VACUUM ANALYZE")
            what = "VACUUM ANALYZE"
    return f"{what} ({time.perf_counter() - t:.1f} s)"


# --- child: measuring --------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def timed(fn, samples: int, warmup: int) -> dict:
    for _ in range(warmup):
        fn()
    out, cpu = [], []
    for _ in range(samples):
        c = time.process_time()
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return {"p50": statistics.median(out), "p99": percentile(out, 0.99),
            "max": max(out), "mean": statistics.fmean(out),
            "cpu_p50": statistics.median(cpu), "cpu_p99": percentile(cpu, 0.99)}


def bare_home_sql(viewer_id: int, floor: int | None = None):
    """The minimal hand-written SQL returning the 40 ids ``home()`` returns: the
    author list (follows minus blocked/muted, plus the viewer) and the same rules,
    with the graph looked up once beforehand (not timed)."""
    from rostra.accounts.models import Account, Follow
    from rostra.accounts.services import blocked_account_ids, muted_account_ids

    viewer = Account.objects.get(pk=viewer_id)
    follows = list(Follow.objects.filter(account_id=viewer_id)
                   .values_list("target_account_id", "show_reblogs"))
    hidden = blocked_account_ids(viewer) | muted_account_ids(viewer)
    authors = [viewer_id, *(a for a, _ in follows if a not in hidden)]
    no_boosts = [a for a, show in follows if not show]

    def marks(values):
        return ", ".join(["%s"] * len(values))

    sql = [
        "SELECT p.id FROM posts_post p",
        f"WHERE p.account_id IN ({marks(authors)})",
        "AND (p.account_id = %s OR (p.visibility IN ('public', 'unlisted', 'private')"
        " AND NOT p.quiet) OR p.id IN (SELECT post_id FROM posts_mention WHERE account_id = %s))",
        f"AND (p.in_reply_to_account_id IS NULL OR p.in_reply_to_account_id IN ({marks(authors)}))",
    ]
    params = [*authors, viewer_id, viewer_id, *authors]
    if no_boosts:
        sql.append(f"AND NOT (p.reblog_of_id IS NOT NULL AND p.account_id IN ({marks(no_boosts)}))")
        params += no_boosts
    if floor is not None:
        sql.append("AND p.id >= %s")
        params.append(floor)
    if hidden:
        sql.append("AND (p.reblog_of_id IS NULL OR NOT EXISTS (SELECT 1 FROM posts_post r "
                   f"WHERE r.id = p.reblog_of_id AND r.account_id IN ({marks(hidden)})))")
        params += sorted(hidden)
    sql.append("ORDER BY p.id DESC LIMIT 40")
    return " ".join(sql), params, len(follows)


def window_floor(ids: list[int]) -> int:
    """The lower id bound of the narrowest window of ``HOME_WINDOWS`` holding ``ids``."""
    from rostra.core.ids import id_floor

    try:
        from rostra.timelines.services import HOME_WINDOWS
    except ImportError:
        HOME_WINDOWS = (timedelta(hours=6), timedelta(days=3), timedelta(days=30),
                        timedelta(days=365))
    now = datetime.now(UTC)
    for window in HOME_WINDOWS:
        floor = id_floor(now - window)
        if ids and ids[-1] >= floor:
            return floor
    return 0


def measure(args, data: dict) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rostra.accounts.models import Account
    from rostra.posts.services import create_post
    from rostra.timelines.pagination import Page
    from rostra.timelines.services import home

    cases = []
    page = Page(limit=40)
    for label, username in (("home typical user", "bench_typical"),
                            ("home heavy follower", BENCH_MARK)):
        viewer = Account.objects.get(username=username, domain="")
        sql, params, n_follows = bare_home_sql(viewer.pk)

        def run_sql(sql, params):
            with connection.cursor() as cur:
                cur.execute(sql, params)
                return [row[0] for row in cur.fetchall()]

        def full(viewer=viewer):
            return home(viewer, page)

        with CaptureQueriesContext(connection) as ctx:
            got = [p.pk for p in full()]
        queries = len(ctx.captured_queries)
        expected = run_sql(sql, params)
        # The same query bounded below by the narrowest window of ids, from now back,
        # that holds the 40 (what home() does when HOME_WINDOWS exists).
        floor = window_floor(expected)
        wsql, wparams, _ = bare_home_sql(viewer.pk, floor)
        same = got == expected == run_sql(wsql, wparams)
        if not same:
            differ = next((i for i, (a, b) in enumerate(zip(got, expected, strict=False))
                           if a != b), "-")
            print(f"  MISMATCH {label}: home() returned {len(got)} ids, bare SQL "
                  f"{len(expected)}; first differing at {differ}", flush=True)
        b = timed(lambda sql=sql, params=params: run_sql(sql, params),
                  args.samples, args.warmup)
        bw = timed(lambda sql=wsql, params=wparams: run_sql(sql, params),
                   args.samples, args.warmup)
        f = timed(full, args.samples, args.warmup)
        log(f"{label} ({n_follows} follows): home p50 {f['p50']:.2f} p99 {f['p99']:.2f} ms "
            f"(this process's CPU time p50 {f['cpu_p50']:.2f} p99 {f['cpu_p99']:.2f}); "
            f"bare p50 {b['p50']:.2f} p99 {b['p99']:.2f} ms; windowed bare p50 {bw['p50']:.2f} "
            f"p99 {bw['p99']:.2f} ms; {queries} queries")
        cases.append({"case": f"{label} ({n_follows})", **f, "bare": b, "window": bw,
                      "queries": queries, "ids": f"{len(got)} equal" if same else "MISMATCH"})

    author = Account.objects.get(username="bench_typical", domain="")
    rng = random.Random(args.seed + 7)
    names = list(Account.objects.order_by("?").values_list("username", flat=True)[:200])

    def post():
        create_post(author, make_text(rng, names))

    with CaptureQueriesContext(connection) as ctx:
        post()
    c = timed(post, args.samples, min(args.warmup, 10))
    log(f"create_post: p50 {c['p50']:.2f} p99 {c['p99']:.2f} ms (CPU time p50 "
        f"{c['cpu_p50']:.2f} p99 {c['cpu_p99']:.2f}); "
        f"{len(ctx.captured_queries)} queries")
    cases.append({"case": "create_post", **c, "queries": len(ctx.captured_queries)})
    return cases


def versions() -> str:
    import sqlite3

    import django
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}, Django {django.get_version()}"
    import psycopg

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        server = cur.fetchone()[0]
        cur.execute("SHOW shared_buffers")
        buffers = cur.fetchone()[0]
        cur.execute("SHOW synchronous_commit")
        sync = cur.fetchone()[0]
    return (f"PostgreSQL {server} (shared_buffers {buffers}, synchronous_commit {sync}), "
            f"psycopg {psycopg.__version__}, Django {django.get_version()}")


def run_child(args) -> int:
    data_dir, temp = setup_django(args)
    from django.core.management import call_command
    from django.db import connection

    from rostra.accounts.models import Account
    from rostra.posts.models import Post

    try:
        tables = connection.introspection.table_names()
        if args.child == "postgres" and args.reset and tables:
            with connection.cursor() as cur:
                cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            tables = []
        reused = False
        if "accounts_account" in tables:
            call_command("migrate", verbosity=0)
            seeded = Account.objects.filter(username=BENCH_MARK).exists()
            if not seeded or Account.objects.count() != args.users or \
                    Post.objects.count() < args.posts:
                print(f"The database already has data but not this benchmark's "
                      f"({args.users} users, {args.posts} posts): use a fresh database "
                      f"or --reset.", file=sys.stderr)
                return 2
            reused = True
            log("reusing the seeded database")
            timings = {}
        else:
            log("migrating")
            call_command("migrate", verbosity=0)
            log(f"seeding {args.users:,} users and {args.posts:,} posts")
            timings = seed(args, random.Random(args.seed))
        seed_seconds = sum(timings.values())
        if timings:
            log("seeded in " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
                + f"; total {seed_seconds:.1f} s")
        how = "skipped" if args.no_analyze else analyze()
        log(f"analyze: {how}")
        if args.gc_freeze:
            import gc

            gc.collect()
            gc.freeze()
            log(f"gc.freeze(): {gc.get_freeze_count():,} objects left out of collections")
        cases = measure(args, {})
        result = {"database": args.child, "versions": versions(), "seed_seconds": seed_seconds,
                  "gc": "gc.freeze() before measuring" if args.gc_freeze else "gc as default",
                  "reused": reused, "analyze": how, "cases": cases}
        Path(args.results).write_text(json.dumps(result))
        return 0
    finally:
        connection.close()
        if temp:
            import shutil

            shutil.rmtree(data_dir, ignore_errors=True)


def main() -> int:
    args = parse_args()
    if args.child:
        return run_child(args)
    return run_parent(args)


if __name__ == "__main__":
    sys.exit(main())
