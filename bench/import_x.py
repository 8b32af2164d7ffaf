#!/usr/bin/env python
"""X archive import benchmark: N generated posts (no media) on SQLite.

    .venv/bin/python bench/import_x.py [--sizes 10000 100000]

For each size, in a fresh subprocess (so peak RSS is that size's own) with a
fresh SQLite database in a temporary data dir: generate an archive of N posts
(one in ten a self-reply, one in ten a reply to others, one in twenty a
repost), import it with ``import_x_archive`` (the real path: create_post,
ImportedItem, one transaction per post) and time it; then, beside it, bulk
insert the same number of rows into the same tables (``Post`` and
``ImportedItem`` via ``bulk_create``) and report the ratio import/bulk.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_archive(path: Path, n: int) -> None:
    start = datetime(2015, 1, 1, tzinfo=UTC)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("data/account.js", 'window.YTD.account.part0 = [{"account": '
                   '{"username": "bench", "accountId": "7", "accountDisplayName": "B"}}]')
        with z.open("data/tweets.js", "w") as out:
            out.write(b"window.YTD.tweets.part0 = [")
            for i in range(1, n + 1):
                t = {"id_str": str(1000 + i),
                     "created_at": (start + timedelta(minutes=i)).strftime(
                         "%a %b %d %H:%M:%S +0000 %Y"),
                     "full_text": f"Post {i} about #bench &amp; things https://t.co/x{i}",
                     "lang": "en", "display_text_range": ["0", "50"],
                     "entities": {"hashtags": [{"text": "bench"}], "user_mentions": [],
                                  "urls": [{"url": f"https://t.co/x{i}",
                                            "expanded_url": f"https://example.org/{i}"}]}}
                if i % 10 == 0:
                    t.update(in_reply_to_status_id_str=str(1000 + i - 1),
                             in_reply_to_user_id_str="7")
                elif i % 10 == 5:
                    t.update(in_reply_to_status_id_str="99", in_reply_to_user_id_str="8",
                             in_reply_to_screen_name="other")
                elif i % 20 == 3:
                    t["full_text"] = "RT @other: something"
                out.write((b"," if i > 1 else b"") + json.dumps({"tweet": t}).encode())
            out.write(b"]")


def run_one(n: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from rostra.accounts import services as accounts
    from rostra.core.ids import make_id
    from rostra.portability.importer import import_x_archive
    from rostra.portability.models import ImportedItem, ImportJob
    from rostra.posts.models import Post

    call_command("migrate", verbosity=0)
    archive = Path(os.environ["ROSTRA_DATA_DIR"]) / "x.zip"
    make_archive(archive, n)
    user = accounts.register("bench", "bench@example.org", "a long password 123",
                             bypass_policy=True)
    t0 = time.perf_counter()
    report = import_x_archive(user, archive)
    elapsed = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    posts = list(Post.objects.filter(account=user.account).order_by("id")
                 .values("text", "content", "visibility", "language", "published"))
    other = accounts.register("bulk", "bulk@example.org", "a long password 123",
                              bypass_policy=True)
    job = ImportJob.objects.create(user=other, source="bench")
    t1 = time.perf_counter()
    with transaction.atomic():
        rows = Post.objects.bulk_create(
            [Post(id=make_id(p["published"]), account=other.account, source="import", quiet=True,
                  **p) for p in posts],
            batch_size=1000)
        ImportedItem.objects.bulk_create(
            [ImportedItem(job=job, source_id=str(i), post=row) for i, row in enumerate(rows)],
            batch_size=1000)
    bulk = time.perf_counter() - t1
    return {"n": n, "imported": report.imported, "seconds": elapsed,
            "rate": report.imported / elapsed, "bulk_rate": len(posts) / bulk,
            "rss_mb": rss_mb}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    print(f"X archive import on SQLite, {datetime.now(UTC):%Y-%m-%d}, "
          f"python {sys.version.split()[0]}")
    print(f"{'posts':>8} {'imported':>9} {'seconds':>8} {'posts/s':>8} {'bulk/s':>8} "
          f"{'ratio':>6} {'peak RSS':>9}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as data:
            env = dict(os.environ, ROSTRA_DATA_DIR=data, DJANGO_SETTINGS_MODULE="rostra.settings",
                       DATABASE_URL="")
            out = subprocess.run([sys.executable, __file__, "--one", str(n)], env=env,
                                 cwd=ROOT, capture_output=True, text=True, check=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(f"{r['n']:>8} {r['imported']:>9} {r['seconds']:>8.1f} {r['rate']:>8.0f} "
                  f"{r['bulk_rate']:>8.0f} {r['rate'] / r['bulk_rate']:>6.2f} "
                  f"{r['rss_mb']:>7.0f} MB")


if __name__ == "__main__":
    main()
