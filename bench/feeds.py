#!/usr/bin/env python
"""Feed benchmark: p50/p99 of each built-in feed for a user following 1,000 accounts.

    .venv/bin/python bench/feeds.py [--users 10000] [--posts 1000000]
        [--database sqlite|postgres] [--samples 100] [--data-dir DIR]

The world is ``bench/timeline.py``'s (imported, not copied): N accounts with a
power-law follow graph, M posts over 90 days, the heavy follower ``bench_heavy``
following 1,000 accounts. Two things a live server keeps up to date are filled in
once after seeding, since the timeline benchmark does not need them: the posts'
reply/boost/like counters (from the seeded replies, boosts and likes) and the
hashtag rows of posts whose text carries a ``#tag``. Then each feed is read through
``timelines.feeds.services.read`` (gather, rank, ranking hash, hydration through
the visibility rule) for the heavy follower, 40 posts a page, and timed.

Target (issue 9): p99 under 100 ms for every feed. Run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import timeline as world  # noqa: E402  (the world builder, reused)

FEEDS = ("chronological", "catch_up", "quiet_voices", "topic:tag:python", "trending_local",
         "trending_federated")
TARGET_MS = 100.0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=10_000)
    p.add_argument("--posts", type=int, default=1_000_000)
    p.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--postgres-url", default=os.environ.get("DATABASE_URL", ""))
    p.add_argument("--samples", type=int, default=100, help="timed reads per feed")
    p.add_argument("--warmup", type=int, default=10, help="untimed reads per feed first")
    p.add_argument("--data-dir", default="",
                   help="SQLite data dir to keep and reuse (default: a temporary one)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--followed-tags", type=int, default=5,
                   help="home is read once more with the viewer following this many of "
                        "the most used hashtags (0: not)")
    p.add_argument("--gc-freeze", action="store_true",
                   help="freeze the heap built before the reads (gc.freeze), as a server "
                        "that freezes its start-up heap would: Python's full collections "
                        "then skip it (they set the p99 otherwise)")
    args = p.parse_args(argv)
    # What bench/timeline.py's set-up and seeding read.
    args.child, args.reset, args.no_analyze = args.database, False, False
    return args


def prepare() -> dict[str, float]:
    """Fill the counters and hashtag rows a live server maintains (once: a reused
    database that has them is left alone)."""
    from django.db import connection, transaction

    from rostra.posts.models import Post, PostTag, Tag

    timings: dict[str, float] = {}
    if not Post.objects.filter(replies_count__gt=0).exists():
        t = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            for column, sql in (
                ("replies_count", "SELECT in_reply_to_id, COUNT(*) FROM posts_post "
                                  "WHERE in_reply_to_id IS NOT NULL GROUP BY in_reply_to_id"),
                ("reblogs_count", "SELECT reblog_of_id, COUNT(*) FROM posts_post "
                                  "WHERE reblog_of_id IS NOT NULL GROUP BY reblog_of_id"),
                ("favourites_count", "SELECT post_id, COUNT(*) FROM posts_favourite "
                                     "GROUP BY post_id"),
            ):
                cur.execute(sql)
                rows = [(n, pk) for pk, n in cur.fetchall()]
                cur.executemany(f"UPDATE posts_post SET {column} = %s WHERE id = %s", rows)
        timings["counters"] = time.perf_counter() - t
    if not PostTag.objects.exists():
        t = time.perf_counter()
        tags = {name: Tag.objects.get_or_create(name=name, defaults={"display_name": name})[0].pk
                for name in world.TAGS}
        rows = []
        for pk, text in Post.objects.filter(text__contains="#").values_list("id", "text"):
            name = text.rsplit("#", 1)[1].strip().lower()
            if name in tags:
                rows.append(PostTag(post_id=pk, tag_id=tags[name]))
        with transaction.atomic():
            PostTag.objects.bulk_create(rows, batch_size=5000)
        timings["hashtags"] = time.perf_counter() - t
    return timings


def measure(args) -> list[dict]:
    from rostra.accounts.models import Account, Follow
    from rostra.timelines.feeds import services as feeds
    from rostra.timelines.pagination import Page

    viewer = Account.objects.get(username=world.BENCH_MARK, domain="")
    follows = Follow.objects.filter(account=viewer).count()
    page = Page(limit=40)
    cases = []
    for key in FEEDS:
        def read(key=key):
            return feeds.read(viewer, key, page).posts

        cases.append(timed_case(args, key, read, follows)[0])
    if args.followed_tags:
        cases.append(followed_tags_case(args, viewer, follows))
    cases.append(generator_case(args, viewer, follows))
    return cases


def timed_case(args, label: str, read, follows: int, note=None) -> tuple[dict, list]:
    """One row of the table: ``read`` (returning the posts shown) run once counting
    its queries, then timed; logged with ``note(posts)`` when given. Returns the row
    and the posts of the first read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        posts = read()
    figures = world.timed(read, args.samples, args.warmup)
    queries = len(ctx.captured_queries)
    world.log(f"{label}: p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms (CPU "
              f"p50 {figures['cpu_p50']:.1f}, p99 {figures['cpu_p99']:.1f}), "
              f"{queries} queries, {len(posts)} posts{note(posts) if note else ''}")
    return ({"feed": label, "follows": follows, "queries": queries, "posts": len(posts),
             **figures}, posts)


def followed_tags_case(args, viewer, follows: int) -> dict:
    """Home (``chronological``) while the viewer follows the ``--followed-tags`` most
    used hashtags: the follows' query and the tags' query, merged. The follows are
    removed afterwards, so a reused database is left as it was."""
    from django.db.models import Count

    from rostra.accounts.models import Follow
    from rostra.posts.models import Tag
    from rostra.timelines import followed_tags
    from rostra.timelines.feeds import services as feeds
    from rostra.timelines.models import TagFollow
    from rostra.timelines.pagination import Page

    top = (Tag.objects.annotate(uses=Count("post_tags")).order_by("-uses")
           .values_list("name", "uses")[:args.followed_tags])
    followed = {viewer.pk, *Follow.objects.filter(account=viewer)
                .values_list("target_account_id", flat=True)}
    uses = ", ".join(f"#{name} ({n:,} posts)" for name, n in top)

    def note(posts) -> str:
        through_tags = sum(1 for p in posts if p.account_id not in followed)
        return f" ({through_tags} by accounts not followed) [{uses}]"

    for name, _uses in top:
        followed_tags.follow_tag(viewer, name)
    try:
        return timed_case(args, f"home + {len(top)} tags",
                          lambda: feeds.read(viewer, "chronological", Page(limit=40)).posts,
                          follows, note)[0]
    finally:
        TagFollow.objects.filter(account=viewer).delete()


def generator_case(args, viewer, follows: int) -> dict:
    """A feed generator's page without the network: 40 ids (30 recent public posts by
    their URLs, 10 unknown) resolved, ranked and hydrated as ``read`` would."""
    from django.utils import timezone

    from rostra.core import links
    from rostra.posts.models import Post
    from rostra.timelines import generator_client as client
    from rostra.timelines.feeds.base import Inputs, epoch
    from rostra.timelines.feeds.generator import Generator, resolve
    from rostra.timelines.feeds.hydrate import hydrate

    recent = (Post.objects.filter(visibility="public", reblog_of__isnull=True)
              .order_by("-id").values_list("id", "account__username")[:30])
    items = tuple(client.Item(links.absolute_url(f"/@{name}/{pk}")) for pk, name in recent)
    items += tuple(client.Item(f"https://elsewhere.example/notes/{n}") for n in range(10))
    feed = Generator()

    def page():
        inputs = Inputs(now=epoch(timezone.now()), choice="", rows=tuple(resolve(items)),
                        context={"generator": "bench"})
        return hydrate(viewer, feed.rank(viewer, inputs), discoverable_only=True)

    return timed_case(args, "generator (no network)", page, follows)[0]


def print_table(info: dict, args, cases: list[dict], versions: str, prepared: str) -> None:
    print()
    print("Rostra feed benchmark")
    print(f"  date     {info['date']}   commit {info['commit']} (working tree as is)")
    print(f"  machine  {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, {info['os']}")
    print(f"  database {versions}; {args.users:,} users, {args.posts:,} posts; {prepared}")
    print(f"  viewer   {world.BENCH_MARK}, following {cases[0]['follows']:,} accounts; "
          f"{args.samples} reads per feed after {args.warmup} warm-up reads, 40 posts a page")
    print("  gc       " + ("start-up heap frozen (gc.freeze) before the reads" if args.gc_freeze
                           else "Python's defaults (full collections scan the whole heap)"))
    head = f"{'feed':<22} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} | {'cpu p50':>8} " \
           f"{'cpu p99':>8} | {'queries':>8} {'posts':>6}  target p99 < {TARGET_MS:.0f} ms"
    print(head)
    print("-" * len(head))
    for c in cases:
        ok = "MET" if c["p99"] < TARGET_MS else "NOT MET"
        print(f"{c['feed']:<22} {c['p50']:>8.1f} {c['p99']:>8.1f} {c['max']:>8.1f} | "
              f"{c['cpu_p50']:>8.1f} {c['cpu_p99']:>8.1f} | {c['queries']:>8} {c['posts']:>6}  "
              f"{ok}")
    print("cpu = this process's CPU time (SQLite runs in it): what a read costs without "
          "waiting for a busy machine's other processes")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          "(other processes share this machine)")


def main() -> int:
    args = parse_args()
    if args.database == "postgres" and not args.postgres_url:
        print("PostgreSQL needs --postgres-url or DATABASE_URL", file=sys.stderr)
        return 2
    info = world.machine()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
          flush=True)
    data_dir, temp = world.setup_django(args)
    from django.core.management import call_command
    from django.db import connection

    from rostra.accounts.models import Account
    from rostra.posts.models import Post

    try:
        call_command("migrate", verbosity=0)
        if Account.objects.filter(username=world.BENCH_MARK).exists():
            if Account.objects.count() != args.users or Post.objects.count() < args.posts:
                print("The database holds another benchmark's world: use a fresh data dir.",
                      file=sys.stderr)
                return 2
            world.log("reusing the seeded database")
        elif Account.objects.exists():
            print("The database already has data: use a fresh data dir.", file=sys.stderr)
            return 2
        else:
            import random

            world.log(f"seeding {args.users:,} users and {args.posts:,} posts")
            seeded = world.seed(args, random.Random(args.seed))
            world.log(f"seeded in {sum(seeded.values()):.0f} s")
        extra = prepare()
        prepared = ("counters and hashtags filled in "
                    + ", ".join(f"{k} {v:.0f} s" for k, v in extra.items())
                    if extra else "counters and hashtags already there")
        world.log(prepared)
        world.log(f"analyze: {world.analyze()}")
        if args.gc_freeze:
            import gc

            gc.collect()
            gc.freeze()
        cases = measure(args)
        print_table(info, args, cases, world.versions(), prepared)
        return 0 if all(c["p99"] < TARGET_MS for c in cases) else 1
    finally:
        connection.close()
        if temp:
            import shutil

            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
