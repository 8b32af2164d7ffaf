"""The matcher: a file's hashes against the enabled hash lists.

SHA-256 and MD5 match exactly, by an indexed database lookup. PDQ matches within
``ROSTRA_PDQ_MAX_DISTANCE`` bits (default 31 of 256), through an in-memory index
(``pdq_index``) held once per process. The index only proposes candidates: every
candidate is confirmed in the database in the same query as the exact lookups,
so a removed entry, a disabled list, a changed quality or a cleared hash takes
effect at once. Only *new* PDQ entries wait for the index: each process looks
for changes at most every ``ROSTRA_HASH_INDEX_REFRESH`` seconds (default 30),
adding new entries to a small side index and rebuilding when that grows or the
set of enabled lists changes. Changes made in this process are seen at once.

Rules: PDQ hashes (of the file or of a list) with a quality below
``PDQ_MIN_QUALITY`` are not matched (Meta's threshold: the picture is too plain
for the hash to mean anything); an entry without a quality is matched. An
allow-listed hash (``AllowEntry``, a cleared false positive) never matches:
an allow-listed SHA-256 or MD5 clears the whole file, an allow-listed PDQ clears
that image (any of its dihedral variants) and the list entries equal to it.

Thread-safe: indexes are immutable and swapped whole; one thread refreshes while
the others keep using the index they have.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db.models import Max, Q

from rostra.safety import pdq_index
from rostra.safety.models import AllowEntry, HashEntry, HashList, SignalType

log = logging.getLogger(__name__)

PDQ_MIN_QUALITY = 50
KIND_ORDER = ("csam", "ncii", "terror", "other")
ACTION_ORDER = ("block", "review")
LOAD_CHUNK = 100_000  # entries read from the database per query when building
DELTA_MAX = 50_000  # new entries held beside the main index before a rebuild
_clock = time.monotonic  # tests move it


@dataclass(frozen=True)
class Match:
    list_id: int
    list_name: str
    kind: str  # HashList.Kind: csam, ncii, terror, other
    action: str  # HashList.Action: block, review
    signal_type: str  # pdq, md5, sha256
    value: str  # the list entry's hash
    distance: int  # Hamming distance for PDQ, 0 for exact hashes
    query: str = ""  # the file's hash that matched (for PDQ: the image as stored)


def max_distance() -> int:
    return int(getattr(settings, "ROSTRA_PDQ_MAX_DISTANCE", 31))


def _refresh_interval() -> float:
    return float(getattr(settings, "ROSTRA_HASH_INDEX_REFRESH", 30))


# --- the per-process index ------------------------------------------------------------


@dataclass(frozen=True)
class _State:
    version: tuple  # what the lists looked like when last checked
    lists: frozenset[tuple]  # (id, created_at) of the enabled lists indexed
    main: pdq_index.BruteForce | pdq_index.MultiIndexHash
    delta: pdq_index.BruteForce | pdq_index.MultiIndexHash  # added since ``main`` was built
    max_id: int  # the newest entry read
    loaded: int  # entries read (before duplicates were dropped)


def _version() -> tuple:
    lists = tuple(HashList.objects.order_by("pk").values_list(
        "pk", "created_at", "enabled", "updated_at"))
    newest = HashEntry.objects.aggregate(newest=Max("pk"))["newest"] or 0
    return lists, newest


def _enabled(version: tuple) -> frozenset[tuple]:
    return frozenset((pk, created) for pk, created, enabled, _ in version[0] if enabled)


def _usable(list_ids):
    return (HashEntry.objects.filter(signal_type=SignalType.PDQ, hash_list_id__in=list_ids)
            .exclude(quality__lt=PDQ_MIN_QUALITY))


def _load(list_ids, after: int) -> tuple[np.ndarray, int, int]:
    """PDQ codes of the usable entries newer than ``after``: (codes, newest id, count)."""
    chunks, newest, count = [], after, 0
    query = _usable(list_ids).order_by("pk").values_list("pk", "value")
    while True:
        rows = list(query.filter(pk__gt=newest)[:LOAD_CHUNK])
        if not rows:
            break
        newest, count = rows[-1][0], count + len(rows)
        values = [value for _, value in rows]
        try:
            chunks.append(pdq_index.codes_from_hex(values))
        except ValueError:  # a malformed row written around the services: skip it
            good = [v for v in values if _is_hex(v, 64)]
            chunks.append(pdq_index.codes_from_hex(good))
        if len(rows) < LOAD_CHUNK:
            break
    codes = np.concatenate(chunks) if chunks else np.empty((0, 32), np.uint8)
    return codes, newest, count


def _build(version: tuple) -> _State:
    started = _clock()
    enabled = _enabled(version)
    ids = [pk for pk, _ in enabled]
    codes, newest, count = _load(ids, 0) if ids else (np.empty((0, 32), np.uint8), 0, 0)
    main = pdq_index.build(pdq_index.unique(codes))
    log.info("PDQ index built: %d hashes from %d lists in %.1f s", main.size, len(ids),
             _clock() - started)
    return _State(version, enabled, main, pdq_index.BruteForce(codes[:0]), newest, count)


def _refreshed(state: _State) -> _State:
    version = _version()
    if version == state.version:
        return state
    enabled = _enabled(version)
    if not enabled <= state.lists:  # a list was added or enabled: its entries are missing
        return _build(version)
    codes, newest, count = _load([pk for pk, _ in enabled], state.max_id)
    delta = state.delta
    if count:
        if delta.size + len(codes) > max(DELTA_MAX, state.main.size // 10):
            return _build(version)
        delta = pdq_index.build(np.concatenate([delta.codes, codes]))
    loaded = state.loaded + count
    if enabled != state.lists or version[0] != state.version[0]:
        # Entries were removed or lists disabled: rebuild once a tenth is stale.
        live = _usable([pk for pk, _ in enabled]).count() if enabled else 0
        if live < loaded * 0.9:
            return _build(version)
    return _State(version, state.lists, state.main, delta, newest, loaded)


class _Index:
    def __init__(self):
        self._state: _State | None = None
        self._checked = 0.0
        self._stale = False
        self._lock = threading.Lock()

    def current(self) -> _State:
        state = self._state
        if state is None:
            with self._lock:  # the first build: everyone waits for it
                if self._state is None:
                    self._state = _build(_version())
                    self._checked, self._stale = _clock(), False
                return self._state
        if self._stale or _clock() - self._checked >= _refresh_interval():
            if self._lock.acquire(blocking=False):  # one thread refreshes, others go on
                try:
                    self._stale = False
                    self._state = _refreshed(self._state)
                    self._checked = _clock()
                finally:
                    self._lock.release()
        return self._state

    def invalidate(self) -> None:
        self._stale = True

    def reset(self) -> None:
        with self._lock:
            self._state, self._stale = None, False


_index = _Index()


def invalidate() -> None:
    """Lists changed in this process: look at them again before the next match."""
    _index.invalidate()


def reset() -> None:
    """Forget the index (tests; a process that wants to free its memory)."""
    _index.reset()


def warm() -> int:
    """Build (or refresh) the index now rather than on the first upload; its size."""
    state = _index.current()
    return state.main.size + state.delta.size


# --- matching -------------------------------------------------------------------------


def _is_hex(value: str, length: int) -> bool:
    if len(value) != length:
        return False
    try:
        bytes.fromhex(value)
    except ValueError:
        return False
    return True


def _queried(pdqs, variants, group: int) -> Sequence[str]:
    return (variants[group] if variants else None) or [pdqs[group][0]]


def _pdq_candidates(pdqs, variants) -> dict[str, dict[int, int]]:
    """Index hits: list value -> {query group: distance of its nearest hash}."""
    groups, hashes = [], []
    for group, (_, quality) in enumerate(pdqs):
        if quality is not None and quality < PDQ_MIN_QUALITY:
            continue
        for query in _queried(pdqs, variants, group):
            if _is_hex(query, 64):
                groups.append(group)
                hashes.append(query.lower())
    if not hashes:
        return {}
    queries = pdq_index.codes_from_hex(hashes)
    state = _index.current()
    radius = max_distance()
    found: dict[str, dict[int, int]] = {}
    for index in (state.main, state.delta):
        if not index.size:
            continue
        rows, codes, dists = index.search(queries, radius)
        for row, code, dist in zip(rows.tolist(), codes.tolist(), dists.tolist(), strict=True):
            near = found.setdefault(pdq_index.hex_of(index.codes[code]), {})
            group = groups[row]
            near[group] = min(dist, near.get(group, dist))
    return found


def _allowed(values: dict[str, set[str]]) -> set[tuple[str, str]]:
    condition = Q()
    for signal, wanted in values.items():
        if wanted:
            condition |= Q(signal_type=signal, value__in=wanted)
    return set(AllowEntry.objects.filter(condition).values_list("signal_type", "value"))


def _rank(m: Match) -> tuple:
    kind = KIND_ORDER.index(m.kind) if m.kind in KIND_ORDER else len(KIND_ORDER)
    action = ACTION_ORDER.index(m.action) if m.action in ACTION_ORDER else len(ACTION_ORDER)
    return kind, action, m.distance, m.list_name, m.signal_type, m.value


def match(*, sha256: str = "", md5: str = "", pdqs: Sequence[tuple[str, int | None]] = (),
          variants: Sequence[Sequence[str]] | None = None) -> list[Match]:
    """Every enabled list entry the file matches, worst first (CSAM, NCII, terror,
    other; block before review; nearer first).

    ``pdqs``: the file's PDQ hashes with their quality (an image's, or a video's
    frames). ``variants[i]``, when given, are the hashes queried for ``pdqs[i]``
    (its 8 dihedral hashes, from ``hashing``); without it the hash itself is.
    """
    sha256, md5 = sha256.lower(), md5.lower()
    pdqs = [(value.lower(), quality) for value, quality in pdqs]
    candidates = _pdq_candidates(pdqs, variants)
    condition = Q()
    if sha256:
        condition |= Q(signal_type=SignalType.SHA256, value=sha256)
    if md5:
        condition |= Q(signal_type=SignalType.MD5, value=md5)
    if candidates:
        condition |= (Q(signal_type=SignalType.PDQ, value__in=list(candidates))
                      & ~Q(quality__lt=PDQ_MIN_QUALITY))
    if not condition:
        return []
    rows = list(HashEntry.objects.filter(condition, hash_list__enabled=True).values_list(
        "hash_list_id", "hash_list__name", "hash_list__kind", "hash_list__action",
        "signal_type", "value"))
    if not rows:
        return []
    mine = {v.lower() for g in range(len(pdqs)) for v in _queried(pdqs, variants, g)}
    allowed = _allowed({SignalType.SHA256: {sha256} - {""}, SignalType.MD5: {md5} - {""},
                        SignalType.PDQ: {r[5] for r in rows if r[4] == SignalType.PDQ} | mine})
    if (SignalType.SHA256, sha256) in allowed or (SignalType.MD5, md5) in allowed:
        return []  # this very file was cleared
    cleared = {g for g in range(len(pdqs))
               if any((SignalType.PDQ, v.lower()) in allowed
                      for v in _queried(pdqs, variants, g))}
    found: dict[tuple, Match] = {}
    for list_id, name, kind, action, signal, value in rows:
        if (signal, value) in allowed:
            continue
        if signal == SignalType.PDQ:
            near = {g: d for g, d in candidates[value].items() if g not in cleared}
            if not near:
                continue
            group = min(near, key=lambda g: (near[g], g))
            distance, query = near[group], pdqs[group][0]
        else:
            distance, query = 0, sha256 if signal == SignalType.SHA256 else md5
        found[(list_id, signal, value)] = Match(list_id, name, kind, action, signal, value,
                                                distance, query)
    return sorted(found.values(), key=_rank)
