"""Grouping near-identical items into families without comparing every pair:
near-duplicate texts (MinHash signatures banded for LSH) and near-identical
images (PDQ hashes split into exact chunks). Candidates share a band or chunk;
each candidate is verified before it joins, and families are the connected
components of the verified links."""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
from datasketch import MinHash
from datasketch.lsh import _optimal_param
from datasketch.minhash import _fmix
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

_MAX32 = np.uint64((1 << 32) - 1)
_CHUNK_SHINGLES = 200_000


def link_families(keys: np.ndarray, verify: Callable[[np.ndarray, np.ndarray], np.ndarray]
                  ) -> np.ndarray:
    """Family label per row of ``keys`` (n x k): rows sharing a key in any column
    are candidates; each is linked to the first row with that key if ``verify``
    accepts the pair. Linear in n per column (no quadratic blow-up on a key that
    thousands of rows share)."""
    n = keys.shape[0]
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    for column in keys.T:
        order = np.argsort(column, kind="stable")
        ordered = column[order]
        starts = np.r_[True, ordered[1:] != ordered[:-1]]
        head = order[np.maximum.accumulate(np.where(starts, np.arange(n), 0))]
        member = ~starts
        left.append(head[member])
        right.append(order[member])
    if not left or not sum(len(x) for x in left):
        return np.arange(n)
    a = np.concatenate(left)
    b = np.concatenate(right)
    pairs = np.unique(np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b))
    a, b = pairs // n, pairs % n
    ok = verify(a, b)
    graph = coo_matrix((np.ones(int(ok.sum()), dtype=np.int8), (a[ok], b[ok])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def shingle_hashes(texts: Sequence[Sequence[str]], size: int) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of the ``size``-word shingles of each text (a list of words),
    and per text the offset of its first shingle (texts shorter than ``size`` give
    one shingle of all their words). Deterministic across processes (CRC-32 of
    each word, mixed in numpy)."""
    vocabulary: defaultdict[str, int] = defaultdict()
    vocabulary.default_factory = vocabulary.__len__
    ids: list[int] = []
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    for text in texts:
        ids.extend(map(vocabulary.__getitem__, text))
    word_hash = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in vocabulary),
                            dtype=np.uint32, count=len(vocabulary))
    hashes = word_hash[np.asarray(ids, dtype=np.int64)] if ids else np.zeros(1, np.uint32)
    ends = np.cumsum(lengths)
    begins = ends - lengths
    counts = np.maximum(lengths - size + 1, 1)
    offsets = np.r_[0, np.cumsum(counts)]
    text_of = np.repeat(np.arange(len(texts)), counts)
    position = begins[text_of] + (np.arange(offsets[-1]) - offsets[text_of])
    limit = ends[text_of]
    mixed = np.zeros(offsets[-1], dtype=np.uint32)
    for k in range(size):
        at = position + k
        part = np.where(at < limit, hashes[np.minimum(at, len(hashes) - 1)], np.uint32(0))
        mixed = _fmix(mixed * np.uint32(0x01000193) + part + np.uint32(k + 1), 32)
    return mixed, offsets


def minhash_signatures(hashes: np.ndarray, offsets: np.ndarray, num_perm: int,
                       seed: int = 1) -> np.ndarray:
    """MinHash signatures (texts x num_perm, uint32), identical to what
    ``datasketch.MinHash(num_perm, seed, scheme="affine32")`` gives for the same
    32-bit values, computed a chunk of texts at a time in numpy."""
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    a, b = a.astype(np.uint32)[:, None], b.astype(np.uint32)[:, None]
    mixed = _fmix(hashes.astype(np.uint32), 32)
    n_texts = len(offsets) - 1
    signatures = np.empty((num_perm, n_texts), dtype=np.uint32)
    first = 0
    while first < n_texts:
        last = int(np.searchsorted(offsets, offsets[first] + _CHUNK_SHINGLES, side="right")) - 1
        last = min(max(last, first + 1), n_texts)
        permuted = a * mixed[offsets[first]:offsets[last]] + b
        signatures[:, first:last] = np.minimum.reduceat(
            permuted, offsets[first:last] - offsets[first], axis=1)
        first = last
    return np.ascontiguousarray(signatures.T)


@lru_cache(maxsize=32)
def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) that datasketch's MinHashLSH would choose for ``threshold``."""
    return _optimal_param(threshold, num_perm, 0.5, 0.5)


def near_duplicate_families(texts: Sequence[Sequence[str]], threshold: float, num_perm: int,
                            shingle_words: int, seed: int = 1) -> np.ndarray:
    """Family label per text: texts whose estimated Jaccard similarity of word
    shingles reaches ``threshold`` (directly or through a chain) share a label."""
    if not len(texts):
        return np.zeros(0, dtype=np.int64)
    hashes, offsets = shingle_hashes(texts, shingle_words)
    signatures = minhash_signatures(hashes, offsets, num_perm, seed)
    bands, rows = lsh_bands(threshold, num_perm)
    multipliers = (np.arange(rows, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
                   + np.uint64(0x632BE59BD9B4E019)) | np.uint64(1)
    keys = np.empty((len(texts), bands), dtype=np.uint64)
    for band in range(bands):
        block = signatures[:, band * rows:(band + 1) * rows].astype(np.uint64)
        keys[:, band] = (block * multipliers).sum(axis=1) + np.uint64(band)

    def verify(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        agree = np.zeros(len(x), dtype=np.int64)
        for start in range(0, len(x), 100_000):
            stop = start + 100_000
            agree[start:stop] = (signatures[x[start:stop]] == signatures[y[start:stop]]).sum(1)
        return agree >= threshold * num_perm

    return link_families(keys, verify)


def pdq_to_words(hex_hashes: Sequence[str]) -> np.ndarray:
    """PDQ hashes (64 hex digits) as an (n x 4) uint64 array."""
    raw = bytes.fromhex("".join(hex_hashes))
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(-1, 4)


def image_families(hex_hashes: Sequence[str], max_distance: int) -> np.ndarray:
    """Family label per PDQ hash: hashes within ``max_distance`` bits (at most 7)
    of each other share a label. Eight 32-bit chunks: two hashes that differ in
    at most 7 bits agree exactly on at least one chunk, so no pair is missed."""
    if not len(hex_hashes):
        return np.zeros(0, dtype=np.int64)
    words = pdq_to_words(hex_hashes)
    keys = np.empty((len(words), 8), dtype=np.uint64)
    for i in range(4):
        keys[:, 2 * i] = (words[:, i] >> np.uint64(32)) + np.uint64(2 * i << 40)
        keys[:, 2 * i + 1] = (words[:, i] & _MAX32) + np.uint64((2 * i + 1) << 40)

    def verify(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.bitwise_count(words[x] ^ words[y]).sum(axis=1) <= min(max_distance, 7)

    return link_families(keys, verify)
