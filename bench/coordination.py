#!/usr/bin/env python
"""Coordination benchmark: our detector beside coordination-network-toolkit on one
synthetic world, same data, same run.

    .venv/bin/python bench/coordination.py [--messages 1000000] [--seed 0]
        [--window 60] [--toolkit-windows 60] [--fair-weight 3] [--cap 1800]
        [--skip-toolkit] [--keep DIR]

One world (``rostra.integrity.detect.synthetic``: heavy-tailed organic activity
with viral bursts, breaking news, fandoms and memes, plus planted coordinated
groups) is written once as the toolkit's CSV. Then, each in its own subprocess
(so peak RSS, from ``wait4``, is that tool's own; for the toolkit, the largest of
its processes):

* ours: ``rostra integrity analyse world.csv --output clusters.json``, once with
  its default windows and once with every window set to ``--window``;
* the toolkit (its CLI): ``preprocess`` (then the rows of messages without URL are
  deleted from ``message_url``: its CSV reader stores an empty URL for them, which
  would tie every link-less message to every other), then ``compute`` for
  co_retweet, co_reply, co_tweet, co_similar_tweet and co_link at each of
  ``--toolkit-windows`` (its CLI default is 1 s) with its CLI default
  ``--min_edge_weight 2`` and ``--n_cpus`` = all cores. A network that runs
  past ``--cap`` seconds is stopped and reported as "> cap".

Both sides are scored by ``rostra.integrity.detect.evaluation`` at account level,
per behaviour, on the behaviours a CSV can show (images and account creation are
not in it). Toolkit edges become clusters as connected components, at its raw
count (weight >= 2, the CLI default) and at ``--fair-weight`` (the number of
shared events our detector needs). Target (issue 10): >= 10x faster than the
toolkit, precision >= 0.95 and recall >= 0.9 per behaviour.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rostra.integrity.detect.evaluation import (  # noqa: E402
    ANY,
    components,
    format_table,
    score,
    trap_hits,
)
from rostra.integrity.detect.records import (  # noqa: E402
    CO_BOOST,
    CO_HASHTAG,
    CO_LINK,
    CO_REPLY,
    CO_TEXT,
    NEAR_DUPLICATE_TEXT,
    Cluster,
)
from rostra.integrity.detect.synthetic import generate_world  # noqa: E402

CSV_BEHAVIOURS = (CO_BOOST, CO_REPLY, CO_LINK, CO_TEXT, NEAR_DUPLICATE_TEXT, CO_HASHTAG)
NETWORKS = {"co_retweet": CO_BOOST, "co_reply": CO_REPLY, "co_tweet": CO_TEXT,
            "co_similar_tweet": NEAR_DUPLICATE_TEXT, "co_link": CO_LINK}
BIN = Path(sys.executable).parent


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--messages", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--window", type=float, default=60.0,
                   help="our detector's second run: every window set to this (seconds)")
    p.add_argument("--toolkit-windows", type=int, nargs="+", default=[60],
                   help="the toolkit's --time_window values (its CLI default is 1)")
    p.add_argument("--fair-weight", type=int, default=3,
                   help="the toolkit's edges kept at this weight for the fairer score")
    p.add_argument("--cap", type=float, default=1800.0,
                   help="seconds after which a toolkit step is stopped")
    p.add_argument("--networks", nargs="+", default=list(NETWORKS), choices=list(NETWORKS))
    p.add_argument("--skip-toolkit", action="store_true")
    p.add_argument("--keep", default="", help="write the CSV, databases and outputs here")
    return p.parse_args(argv)


def measured(cmd: list[str], cap: float | None = None, env: dict | None = None
             ) -> tuple[float, float, bool, str]:
    """Run ``cmd``; (wall seconds, peak MB of its largest process, capped, output)."""
    log = tempfile.TemporaryFile()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                            env=env, start_new_session=True)
    capped = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if cap is not None and time.perf_counter() - started > cap:
            os.killpg(proc.pid, signal.SIGKILL)
            capped = True
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    log.seek(0)
    output = log.read().decode("utf-8", "replace")
    if proc.returncode and not capped:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{output[-3000:]}")
    return wall, usage.ru_maxrss / 1024, capped, output


def run_ours(csv_path: Path, work: Path, window: float | None) -> tuple[float, float, list]:
    out = work / f"clusters-{window or 'default'}.json"
    cmd = [str(BIN / "rostra"), "integrity", "analyse", str(csv_path), "--output", str(out)]
    if window:
        cmd += ["--window-seconds", str(window)]
    env = dict(os.environ, ROSTRA_DATA_DIR=str(work / "data"))
    (work / "data").mkdir(exist_ok=True)
    wall, peak, _, _ = measured(cmd, env=env)
    clusters = [Cluster(c["accounts"], c["behaviours"], c["score"], c["evidence"])
                for c in json.loads(out.read_text())]
    return wall, peak, clusters


def run_toolkit(csv_path: Path, work: Path, args) -> list[dict]:
    """Preprocess once, then each network at each window; rows with timings and edges."""
    db = work / "toolkit.db"
    db.unlink(missing_ok=True)
    tk = [sys.executable, "-m", "coordination_network_toolkit", str(db)]
    wall, peak, capped, _ = measured(tk + ["preprocess", str(csv_path)], args.cap)
    t = time.perf_counter()
    with sqlite3.connect(db) as con:
        con.execute("delete from message_url where url = ''")
    wall += time.perf_counter() - t
    rows = [{"step": "preprocess", "window": "", "wall": wall, "peak": peak,
             "capped": capped, "edges": None}]
    print(f"  toolkit preprocess: {wall:.1f} s, {peak:.0f} MB", flush=True)
    for window in args.toolkit_windows:
        for network in args.networks:
            wall, peak, capped, _ = measured(
                tk + ["compute", network, "--time_window", str(window), "--min_edge_weight",
                      "2", "--n_cpus", str(os.cpu_count() or 1)], args.cap)
            edges = None
            if not capped:
                with sqlite3.connect(db) as con:
                    edges = con.execute(f"select user_1, user_2, weight from "
                                        f"{network}_network").fetchall()
            rows.append({"step": network, "window": window, "wall": wall, "peak": peak,
                         "capped": capped, "edges": edges})
            print(f"  toolkit {network} @ {window} s: "
                  f"{'> cap' if capped else f'{wall:.1f} s'}, {peak:.0f} MB, "
                  f"{'?' if edges is None else len(edges)} edges", flush=True)
    return rows


def fmt(s) -> dict:
    return {"precision": f"{s.precision:.3f}", "recall": f"{s.recall:.3f}",
            "tp/fp/fn": f"{s.tp}/{s.fp}/{s.fn}"}


def main(argv=None) -> None:
    args = parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-coord-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"# {platform.node()} {platform.machine()} {os.cpu_count()} cpus, "
          f"Python {platform.python_version()}; work dir {work}")
    t = time.perf_counter()
    world = generate_world(args.messages, seed=args.seed)
    gen = time.perf_counter() - t
    csv_path = world.write_csv(work / "world.csv")
    print(f"world: {len(world.messages):,} messages, {len(world.accounts):,} accounts, "
          f"{len(world.groups)} planted groups ({len(world.truth())} accounts), "
          f"generated in {gen:.1f} s, CSV written in {time.perf_counter() - t - gen:.1f} s",
          flush=True)
    for g in world.groups:
        print(f"  {g.name}: {len(g.accounts)} accounts, {g.style}, {', '.join(g.behaviours)}")
    table, ours_total = [], None
    for window in (None, args.window):
        wall, peak, clusters = run_ours(csv_path, work, window)
        ours_total = ours_total or wall
        label = f"rostra (window {window:g} s)" if window else "rostra (default windows)"
        print(f"  {label}: {wall:.1f} s, {peak:.0f} MB, {len(clusters)} clusters, "
              f"organic accounts flagged: {trap_hits(clusters, world)}", flush=True)
        scores = score(clusters, world, CSV_BEHAVIOURS)
        for i, b in enumerate((*CSV_BEHAVIOURS, ANY)):
            table.append({"tool": label if i == 0 else "", "behaviour": b,
                          "wall s": f"{wall:.1f}" if b == ANY else "",
                          "peak MB": f"{peak:.0f}" if b == ANY else "", **fmt(scores[b])})
    if not args.skip_toolkit:
        rows = run_toolkit(csv_path, work, args)
        total = sum(r["wall"] for r in rows)
        any_capped = any(r["capped"] for r in rows)
        table.append({"tool": "toolkit", "behaviour": "preprocess",
                      "wall s": f"{rows[0]['wall']:.1f}", "peak MB": f"{rows[0]['peak']:.0f}"})
        for r in rows[1:]:
            b = NETWORKS[r["step"]]
            for weight in (2, args.fair_weight):
                row = {"tool": f"toolkit {r['step']} @{r['window']}s w>={weight}",
                       "behaviour": b}
                if weight == 2:
                    row.update({"wall s": "> cap" if r["capped"] else f"{r['wall']:.1f}",
                                "peak MB": f"{r['peak']:.0f}"})
                if r["edges"] is not None:
                    scores = score(components(r["edges"], b, weight), world, [b])
                    row.update(fmt(scores[b]))
                table.append(row)
        ratio = total / ours_total
        print(f"\ntoolkit total {'> ' if any_capped else ''}{total:.1f} s "
              f"(preprocess + {len(rows) - 1} networks) vs rostra {ours_total:.1f} s "
              f"(all behaviours, default windows): {'> ' if any_capped else ''}"
              f"{ratio:.1f}x faster (target >= 10x)")
    print()
    print(format_table(table, ["tool", "behaviour", "wall s", "peak MB", "precision",
                               "recall", "tp/fp/fn"]))


if __name__ == "__main__":
    main()
