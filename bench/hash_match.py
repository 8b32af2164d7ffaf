#!/usr/bin/env python
"""PDQ matching benchmark: millions of list hashes, queries of 8 dihedral hashes.

    .venv/bin/python bench/hash_match.py [--size 10000000] [--queries 300]
        [--planted 1000] [--brute-queries 5] [--faiss-size 1000000]

Builds ``rostra.safety.pdq_index.MultiIndexHash`` (what the media gate uses
above ``BRUTE_FORCE_MAX`` hashes) over ``--size`` random 256-bit hashes into
which ``--planted`` near-duplicates of the queries' hashes are planted, at
distances 0-31. Prints the build time and memory, the latency of one query (8
hashes: an image and its rotations and flips, one batched search) at p50/p99,
and the recall of the planted hashes; beside it, in the same run, a full numpy
popcount scan (on fewer queries, its results compared with the index's), faiss's
``IndexBinaryMultiHash`` on ``--faiss-size`` hashes, and the scan against the
index on small lists (where ``BRUTE_FORCE_MAX`` comes from). No database: the
index alone, as the matcher holds it in memory. See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rostra.safety import pdq_index  # noqa: E402

RADIUS = 31
HASHES_PER_QUERY = 8


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", type=int, default=10_000_000, help="list hashes")
    p.add_argument("--queries", type=int, default=300, help="timed queries (of 8 hashes)")
    p.add_argument("--planted", type=int, default=1000,
                   help="near-duplicates of query hashes hidden in the list")
    p.add_argument("--brute-queries", type=int, default=5, help="queries for the full scan")
    p.add_argument("--faiss-size", type=int, default=1_000_000,
                   help="hashes for the faiss comparison (0: skip it)")
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args(argv)


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    cpu = platform.machine()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    ram = next((int(line.split()[1]) // 2**20 for line in
                Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), 0)
    return f"{cpu}, {os.cpu_count()} cores, {ram} GB RAM"


def percentiles(seconds: list[float]) -> tuple[float, float]:
    ms = np.array(seconds) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def flip(code: np.ndarray, count: int, rng) -> np.ndarray:
    out = code.copy()
    for bit in rng.choice(256, count, replace=False):
        out[bit // 8] ^= 1 << (bit % 8)
    return out


def make_data(args, rng):
    """The list (random codes with planted near-duplicates) and the queries, each 8
    hashes (independent random hashes, as an image's 8 variants are ~128 bits apart)."""
    codes = rng.integers(0, 256, (args.size, 32), dtype=np.uint8)
    queries = rng.integers(0, 256, (args.queries, HASHES_PER_QUERY, 32), dtype=np.uint8)
    rows = rng.choice(args.size, args.planted, replace=False)
    planted = []  # (query, code row, distance planted)
    for n, row in enumerate(rows):
        query, variant, distance = n % args.queries, rng.integers(8), int(rng.integers(32))
        codes[row] = flip(queries[query, variant], distance, rng)
        planted.append((query, int(row), distance))
    return codes, queries, planted


def timed_queries(index, queries, cpu: list | None = None) -> tuple[list[float], list[set]]:
    """Wall time of each query (and its CPU time into ``cpu``), and the rows found."""
    times, found = [], []
    for query in queries:
        start, start_cpu = time.perf_counter(), time.thread_time()
        rows, hits, _ = index.search(query, RADIUS)
        times.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.thread_time() - start_cpu)
        found.append(set(hits.tolist()))
    return times, found


def faiss_compare(args, codes, queries) -> str:
    import faiss

    faiss.omp_set_num_threads(1)
    n = min(args.faiss_size, len(codes))
    before = rss_mb()
    start = time.perf_counter()
    index = faiss.IndexBinaryMultiHash(256, 16, 16)  # 16 × 16 bits: nflip 1 covers r = 31
    index.nflip = 1
    index.add(codes[:n])
    build = time.perf_counter() - start
    memory = rss_mb() - before
    times = []
    for query in queries:
        start = time.perf_counter()
        index.range_search(query, RADIUS + 1)  # faiss: distance < radius
        times.append(time.perf_counter() - start)
    p50, p99 = percentiles(times)
    ours = pdq_index.MultiIndexHash(codes[:n])
    ours_times, _ = timed_queries(ours, queries)
    o50, o99 = percentiles(ours_times)
    return (f"  faiss IndexBinaryMultiHash(16 x 16 bits, nflip 1) on {n:,} hashes: build "
            f"{build:.1f} s, +{memory:,.0f} MB, query p50 {p50:.2f} ms, p99 {p99:.2f} ms\n"
            f"  rostra MultiIndexHash({ours.tables} x {ours.bits} bits) on the same:   "
            f"{' ' * 12}{ours.nbytes / 2**20:,.0f} MB, query p50 {o50:.2f} ms, p99 {o99:.2f} ms")


def crossover(rng) -> str:
    lines = ["  small lists, 8 hashes per query (p50, 50 queries): scan vs index"]
    for n in (1_000, 5_000, 20_000, 100_000, 250_000):
        codes = rng.integers(0, 256, (n, 32), dtype=np.uint8)
        queries = rng.integers(0, 256, (50, 8, 32), dtype=np.uint8)
        scan, _ = timed_queries(pdq_index.BruteForce(codes), queries)
        mih, _ = timed_queries(pdq_index.MultiIndexHash(codes), queries)
        lines.append(f"    {n:>8,} hashes: scan {percentiles(scan)[0]:6.2f} ms, "
                     f"index {percentiles(mih)[0]:6.2f} ms")
    return "\n".join(lines)


def main(argv=None) -> None:
    args = parse_args(argv)
    rng = np.random.default_rng(args.seed)
    print(f"PDQ matching, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}, "
          f"Python {sys.version.split()[0]}, numpy {np.__version__}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (other processes "
          "share this machine)")
    start = time.perf_counter()
    codes, queries, planted = make_data(args, rng)
    print(f"data: {args.size:,} hashes ({codes.nbytes / 2**20:,.0f} MB), {args.queries} queries "
          f"of {HASHES_PER_QUERY} hashes, {args.planted:,} planted at distance 0-{RADIUS} "
          f"({time.perf_counter() - start:.1f} s to make)")

    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    index = pdq_index.MultiIndexHash(codes)
    build = time.perf_counter() - start
    grown = rss_mb() - before
    print(f"index: MultiIndexHash {index.tables} tables x {index.bits} bits, "
          f"{pdq_index.probes_per_hash(index.bits, index.tables, RADIUS):,} buckets probed per "
          f"hash; built in {build:.1f} s; RSS +{grown:,.0f} MB for the tables, "
          f"{index.nbytes / 2**20:,.0f} MB with the hashes; peak RSS {peak_mb():,.0f} MB")

    timed_queries(index, queries[: min(20, len(queries))])  # warm-up
    cpu: list[float] = []
    times, found = timed_queries(index, queries, cpu)
    p50, p99 = percentiles(times)
    c50, c99 = percentiles(cpu)
    hit = sum(row in found[query] for query, row, _ in planted)
    print(f"  query (8 hashes, one batched search): p50 {p50:.2f} ms, p99 {p99:.2f} ms, "
          f"max {max(times) * 1000:.2f} ms; CPU time p50 {c50:.2f} ms, p99 {c99:.2f} ms")
    print(f"  recall of planted hashes within {RADIUS}: {hit}/{len(planted)} "
          f"({100 * hit / max(1, len(planted)):.1f}%)")

    scan = pdq_index.BruteForce(codes)
    n = min(args.brute_queries, len(queries))
    scan_times, scan_found = timed_queries(scan, queries[:n])
    s50, s99 = percentiles(scan_times)
    same = all(scan_found[i] == found[i] for i in range(n))
    print(f"  full numpy popcount scan, {n} queries: p50 {s50:.1f} ms, p99 {s99:.1f} ms; "
          f"same hits as the index: {'yes' if same else 'NO'}; index {s50 / p50:,.0f}x faster")
    if args.faiss_size:
        del scan
        gc.collect()
        print(faiss_compare(args, codes, queries[:100]))
    print(crossover(rng))


if __name__ == "__main__":
    main()
