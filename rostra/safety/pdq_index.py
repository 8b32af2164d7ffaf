"""In-memory indexes of 256-bit PDQ hashes: every hash within a Hamming radius of
a query, exactly (no false negatives, no approximation).

Two kinds, chosen by size (``build``):

* ``BruteForce`` compares the query with every code (numpy popcount); the
  fastest below ``BRUTE_FORCE_MAX`` codes, and what small servers and tests use.
* ``MultiIndexHash``: multi-index hashing (Norouzi, Punjani and Fleet, "Fast
  search in Hamming space with multi-index hashing", CVPR 2012). The 256 bits
  are cut into ``tables`` substrings of ``bits`` bits. If ``sum(f[t] + 1) > r``,
  two hashes at most ``r`` bits apart differ in at most ``f[t]`` bits of some
  substring ``t`` (pigeonhole), so probing each table with the query's substring
  and all its variants with up to ``f[t]`` bits flipped finds every true
  neighbour; each candidate is then checked with its full distance. A table is a counting
  sort of the codes by substring: ids in key order (``uint32``) and the offset
  of every key's run (``2**bits + 1`` of them). No hash maps, no pointers: 4
  bytes per code per table, plus the codes (32 bytes each).

Why not faiss: its ``IndexBinaryMultiHash`` (the same idea) keeps one
``unordered_map`` of ``vector<int64>`` per table. On 1M random hashes, radius
31, 8 hashes per query, 16 tables of 16 bits (``nflip`` 1) it took 330 MB and
18 ms per query, against 248 MB and 1.6 ms here; longer substrings, which make
it faster, make its maps grow past 2 GB long before 10M hashes. Here 10M hashes
take 1.1 GB (23-bit substrings) and about 5 ms of CPU per query, with 100%
recall (``bench/hash_match.py``).

Indexes are immutable once built, so any number of threads may search one.
Codes are ``(n, 32) uint8`` rows: the hash's bytes in hex order.
"""

from __future__ import annotations

from functools import cache
from itertools import combinations

import numpy as np

BRUTE_FORCE_MAX = 2_000  # codes: below this a scan is as fast (bench/hash_match.py)
MAX_RADIUS = 64  # beyond, probing explodes: such a search scans instead
# (minimum codes, bits per substring, tables): more codes, longer substrings, so
# buckets stay small; each table's offsets take 4 * 2**bits bytes (32 MB at 23 bits).
# 11 × 23 = 253 bits: 3 bits unindexed cost nothing (see above). Measured, 8 hashes
# per query: 16 bits is fastest up to 250k codes, 22 bits at 1M, 23 bits from 3M.
LAYOUTS = ((2_000_000, 23, 11), (500_000, 22, 11), (0, 16, 16))
_popcount = getattr(np, "bitwise_count", None)
_BYTE_BITS = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def codes_from_hex(values: list[str]) -> np.ndarray:
    """64-hex-digit hashes as ``(n, 32) uint8`` rows; raises ``ValueError`` on any
    value that is not one."""
    if not values:
        return np.empty((0, 32), np.uint8)
    if any(len(v) != 64 for v in values):
        raise ValueError("a PDQ hash is 64 hexadecimal digits")
    return np.frombuffer(bytes.fromhex("".join(values)), np.uint8).reshape(len(values), 32)


def hex_of(code: np.ndarray) -> str:
    return code.tobytes().hex()


def _bit_counts(xor: np.ndarray) -> np.ndarray:
    """Set bits per row of ``(n, 4) uint64``, as ``int32`` (column sums: 6x faster
    than a reduction over the short axis)."""
    if _popcount is not None:
        bits = _popcount(xor)
        return bits[:, 0].astype(np.int32) + bits[:, 1] + bits[:, 2] + bits[:, 3]
    return _BYTE_BITS[xor.view(np.uint8)].reshape(len(xor), 32).sum(axis=1, dtype=np.int32)


def distances(words: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Hamming distances between ``(n, 4) uint64`` rows and one ``(4,) uint64`` query."""
    return _bit_counts(words ^ query)


def _words(codes: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(codes, dtype=np.uint8).view(np.uint64).reshape(-1, 4)


class BruteForce:
    """Every code compared with every query."""

    def __init__(self, codes: np.ndarray):
        self.codes = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1, 32)
        self._words = _words(self.codes)

    @property
    def size(self) -> int:
        return len(self.codes)

    def search(self, queries: np.ndarray, radius: int):
        """``(query rows, code rows, distances)`` of every pair within ``radius``."""
        found_q, found_c, found_d = [], [], []
        for row, query in enumerate(_words(queries)):
            dist = distances(self._words, query)
            hits = np.nonzero(dist <= radius)[0]
            found_q.append(np.full(len(hits), row, np.int64))
            found_c.append(hits.astype(np.int64))
            found_d.append(dist[hits])
        return _joined(found_q, found_c, found_d)


def _joined(qs, cs, ds):
    if not qs:
        return (np.empty(0, np.int64),) * 2 + (np.empty(0, np.int32),)
    return np.concatenate(qs), np.concatenate(cs), np.concatenate(ds).astype(np.int32)


def _substring(words: np.ndarray, bits: int, table: int) -> np.ndarray:
    """Substring ``table`` (bits ``[table*bits, (table+1)*bits)`` from the most
    significant bit of the hash) of every row of big-endian ``(n, 4)`` words."""
    start, end = table * bits, (table + 1) * bits
    first, last = start // 64, (end - 1) // 64
    if first == last:
        key = (words[:, first] >> np.uint64(64 * (first + 1) - end)) & np.uint64((1 << bits) - 1)
    else:
        low_bits = end - 64 * last
        high = words[:, first] & np.uint64((1 << (64 * last - start)) - 1)
        key = (high << np.uint64(low_bits)) | (words[:, last] >> np.uint64(64 - low_bits))
    return key.astype(np.uint32)


def _big_endian(codes: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(codes, dtype=np.uint8).view(">u8").reshape(-1, 4)


@cache
def _flips(bits: int, most: int) -> np.ndarray:
    """Every ``bits``-bit mask with at most ``most`` bits set (0 first)."""
    masks = [0]
    for k in range(1, most + 1):
        masks += [sum(1 << i for i in chosen) for chosen in combinations(range(bits), k)]
    return np.array(masks, np.uint32)


class MultiIndexHash:
    """Exact radius search by multi-index hashing (see the module docstring)."""

    def __init__(self, codes: np.ndarray, *, bits: int | None = None,
                 tables: int | None = None):
        self.codes = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1, 32)
        n = len(self.codes)
        if n >= 2**32:
            raise ValueError("at most 2**32 - 1 codes")
        if bits is None or tables is None:
            bits, tables = next((b, t) for least, b, t in LAYOUTS if n >= least)
        if not 1 <= bits <= 32 or bits * tables > 256:
            raise ValueError("the substrings must fit in 256 bits")
        self.bits, self.tables = bits, tables
        self._words = _words(self.codes)
        words = _big_endian(self.codes)
        self._order = np.empty((tables, n), np.uint32)
        self._starts = np.zeros((tables, (1 << bits) + 1), np.uint32)
        for t in range(tables):  # one table's keys at a time: bounded extra memory
            keys = _substring(words, bits, t)
            self._order[t] = np.argsort(keys)  # order within a bucket does not matter
            np.cumsum(np.bincount(keys, minlength=1 << bits), out=self._starts[t, 1:])
        self._order = self._order.reshape(-1)  # table t's ids at [t*n, (t+1)*n)

    @property
    def size(self) -> int:
        return len(self.codes)

    @property
    def nbytes(self) -> int:
        return self.codes.nbytes + self._order.nbytes + self._starts.nbytes

    def search(self, queries: np.ndarray, radius: int):
        """``(query rows, code rows, distances)`` of every pair within ``radius``,
        each pair once."""
        queries = np.ascontiguousarray(queries, dtype=np.uint8).reshape(-1, 32)
        if radius > MAX_RADIUS:
            return BruteForce(self.codes).search(queries, radius)
        if not len(queries) or not self.size or radius < 0:
            return _joined([], [], [])
        candidates, rows = self._candidates(queries, radius)
        # np.take, not fancy indexing: 5 times faster on rows of a 2-D array.
        xor = np.take(self._words, candidates, axis=0) ^ np.take(_words(queries), rows, axis=0)
        dist = _bit_counts(xor)
        keep = dist <= radius
        rows, candidates, dist = rows[keep], candidates[keep], dist[keep]
        # A code near in several substrings was found several times.
        _, first = np.unique(rows * self.size + candidates, return_index=True)
        return rows[first], candidates[first], dist[first]

    def _candidates(self, queries: np.ndarray, radius: int):
        """Code rows in the buckets probed for each query, and the query of each."""
        words = _big_endian(queries)
        keys = np.stack([_substring(words, self.bits, t) for t in range(self.tables)], axis=1)
        table, flips = _plan(self.bits, self.tables, radius)
        probes = (keys[:, table] ^ flips).astype(np.int64)  # (query, probe)
        # Each bucket's run: from its offset to the next one, in the stacked tables.
        flat = self._starts.reshape(-1)
        where = (probes + table * ((1 << self.bits) + 1)).reshape(-1)
        low = np.take(flat, where).astype(np.int64)
        counts = np.take(flat, where + 1).astype(np.int64) - low
        low += np.tile(table * self.size, len(queries))
        total = int(counts.sum())
        # Positions of every candidate in the stacked tables, without a Python loop.
        offsets = np.cumsum(counts) - counts
        positions = np.repeat(low - offsets, counts) + np.arange(total, dtype=np.int64)
        per_query = counts.reshape(len(queries), -1).sum(axis=1)
        rows = np.repeat(np.arange(len(queries), dtype=np.int64), per_query)
        return np.take(self._order, positions).astype(np.int64), rows


def build(codes: np.ndarray) -> BruteForce | MultiIndexHash:
    """The faster index for this many codes."""
    codes = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1, 32)
    if len(codes) < BRUTE_FORCE_MAX:
        return BruteForce(codes)
    return MultiIndexHash(codes)


def unique(codes: np.ndarray) -> np.ndarray:
    """The distinct rows of ``codes`` (a hash on several lists is indexed once)."""
    if len(codes) < 2:
        return codes
    words = _words(codes)
    order = np.lexsort(words.T[::-1])
    ranked = np.take(words, order, axis=0)
    new = np.ones(len(ranked), bool)
    new[1:] = np.any(ranked[1:] != ranked[:-1], axis=1)
    return codes[np.sort(order[new])]


@cache
def _plan(bits: int, tables: int, radius: int) -> tuple[np.ndarray, np.ndarray]:
    """The buckets to probe around a query's substrings: (table, bits to flip) per
    probe. Generalised pigeonhole: if ``sum(f[t] + 1) > radius``, a code within
    ``radius`` differs from the query in at most ``f[t]`` bits of some substring
    ``t``; the flips are spread as evenly as that allows (11 tables at radius 31:
    ten probed with up to 2 bits flipped, one with up to 1)."""
    level, extra = divmod(radius + 1, tables)
    table, flips = [], []
    for t in range(tables):
        most = level - 1 + (t < extra)
        if most >= 0:
            masks = _flips(bits, most)
            table.append(np.full(len(masks), t, np.int64))
            flips.append(masks)
    plan = np.concatenate(table), np.concatenate(flips)
    for part in plan:
        part.setflags(write=False)  # cached: shared by every search
    return plan


def probes_per_hash(bits: int, tables: int, radius: int) -> int:
    """How many buckets one query hash reads (for the benchmark's report)."""
    return len(_plan(bits, tables, radius)[0])
