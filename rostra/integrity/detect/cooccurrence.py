"""Ties between accounts for one behaviour: TF-IDF-weighted sparse cosine over
(trace, time bucket) columns, with a threshold set by a null model.

Windows without pairwise joins: every event falls in bucket floor(t/W) and in the
offset bucket floor(t/W + 1/2); two events closer than W/2 always share a bucket
in at least one of the two bucketings. Both bucketings are stacked as columns of
one account x column matrix, so a tie's shared-event count is half its shared
columns (rounded up).

The null model keeps every event's trace and time and each time block's activity
(who was active when, what was popular when: bursts and daily rhythm survive) but
shuffles which account did which message within a block of messages neighbouring
in time. Organic overlap, like two
heavy users who both boost whatever trends, survives the shuffle and so raises the
threshold; lock-step repeated by the same accounts does not."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix, triu

from .config import DetectConfig
from .traces import Events


@dataclass
class Ties:
    """The edges of one behaviour above its threshold, and what evidence needs."""

    behaviour: str
    left: np.ndarray
    right: np.ndarray
    weight: np.ndarray
    shared: np.ndarray
    threshold: float
    columns: np.ndarray  # per stacked event (2 x len(events)): column id, -1 if dropped
    column_idf: np.ndarray
    figures: dict = field(default_factory=dict)


def _stacked_columns(events: Events, window: float) -> np.ndarray:
    """Column id per stacked event: (trace, bucket) for both bucketings."""
    n = len(events)
    start = float(events.time.min()) if n else 0.0
    keys = []
    for half in (0, 1):
        bucket = np.floor((events.time - start) / window + 0.5 * half).astype(np.int64)
        keys.append((events.trace * (int(bucket.max()) + 2) + bucket) * 2 + half)
    return np.unique(np.concatenate(keys), return_inverse=True)[1].astype(np.int64)


def _products(account: np.ndarray, column: np.ndarray, n_accounts: int, max_df: int):
    """(left, right, cosine, shared, kept-event mask, idf per column) for one
    stacked event set. Columns a single account holds, or more than ``max_df``
    accounts hold, are dropped from the product but count in the norms."""
    n_columns = int(column.max()) + 1
    pair = np.unique(column * n_accounts + account)
    col, acc = pair // n_accounts, pair % n_accounts
    df = np.bincount(col, minlength=n_columns)
    n_active = max(len(np.unique(acc)), 1)
    idf = np.log1p(n_active / np.maximum(df, 1))
    norms = np.sqrt(np.bincount(acc, weights=idf[col] ** 2, minlength=n_accounts))
    keep_column = (df >= 2) & (df <= max_df)
    keep = keep_column[col]
    col, acc = col[keep], acc[keep]
    if not len(col):
        empty = np.zeros(0)
        return (empty.astype(np.int64), empty.astype(np.int64), empty, empty.astype(np.int64),
                keep_column[column], idf)
    compact = np.unique(col, return_inverse=True)[1]
    shape = (n_accounts, int(compact.max()) + 1)
    weighted = csr_matrix((idf[col] / norms[acc], (acc, compact)), shape=shape)
    binary = csr_matrix((np.ones(len(col), dtype=np.float32), (acc, compact)), shape=shape)
    cosine = (weighted @ weighted.T).tocsr()
    counts = (binary @ binary.T).tocsr()
    cosine.sort_indices()
    counts.sort_indices()
    cosine = triu(cosine, k=1).tocoo()
    counts = triu(counts, k=1).tocoo()
    if not (np.array_equal(cosine.row, counts.row) and np.array_equal(cosine.col, counts.col)):
        raise AssertionError("cosine and count products disagree on their pattern")
    shared = np.ceil(counts.data / 2).astype(np.int64)
    return (cosine.row.astype(np.int64), cosine.col.astype(np.int64), cosine.data, shared,
            keep_column[column], idf)


@dataclass
class NullModel:
    """Per repetition, both shuffles: ``accounts`` gives every message a new
    account, ``shifts`` every message a time offset (seconds)."""

    accounts: list[np.ndarray]
    shifts: list[np.ndarray]


def null_model(account: np.ndarray, time: np.ndarray, config: DetectConfig) -> NullModel:
    """Two shuffles, because organic overlap has two sources.

    Bursts (a post everybody boosts in the same minutes): the messages' accounts
    are shuffled among blocks of ``null_block_events`` messages neighbouring in
    time; what was popular when survives, who did it does not. All messages form
    the pool, not one behaviour's, so a group that makes up most of a behaviour
    does not get its own lock-step handed back.

    Affinity (fans who boost one star's posts, hours apart): every message moves
    by its own random offset of up to ``null_shift_seconds``; what each account
    shares survives, when relative to the others does not. (One offset per
    account would keep the lock-step of members whose offsets happen to agree.)"""
    blocks = np.empty(len(time), dtype=np.int64)
    blocks[np.argsort(time, kind="stable")] = np.arange(len(time)) // max(
        config.null_block_events, 2)
    by_block = np.argsort(blocks, kind="stable")
    model = NullModel([], [])
    for rep in range(config.null_repetitions):
        rng = np.random.default_rng([config.seed, rep])
        shuffled = np.lexsort((rng.random(len(blocks)), blocks))
        out = np.empty_like(account)
        out[by_block] = account[shuffled]
        model.accounts.append(out)
        model.shifts.append(rng.uniform(-1.0, 1.0, len(time)) * config.null_shift_seconds)
    return model


def behaviour_ties(behaviour: str, events: Events, n_accounts: int, config: DetectConfig,
                   null: NullModel) -> Ties:
    """Edges of one behaviour whose shared events reach ``min_shared_events`` and
    whose cosine exceeds the null model's threshold (never below ``min_weight``):
    the ``null_quantile`` of null tie weights, under the stricter of the two
    shuffles of :func:`null_model`."""
    window = config.window(behaviour)
    empty = np.zeros(0, dtype=np.int64)
    if len(events) < 2:
        return Ties(behaviour, empty, empty, np.zeros(0), empty, 1.0, empty, np.zeros(0),
                    {"window_seconds": window, "threshold": 1.0, "ties": 0})
    columns = _stacked_columns(events, window)
    stacked_events = np.concatenate([events.account, events.account])
    left, right, weight, shared, kept, idf = _products(
        stacked_events, columns, n_accounts, config.max_document_frequency)
    levels = []
    for kind in ("accounts", "shifts"):
        weights = []
        for mapping in getattr(null, kind):
            if kind == "accounts":
                shuffled, null_columns = mapping[events.message], columns
            else:
                shuffled = events.account
                moved = Events(events.account, events.trace,
                               events.time + mapping[events.message], events.message)
                null_columns = _stacked_columns(moved, window)
            _, _, w, s, _, _ = _products(
                np.concatenate([shuffled, shuffled]) if kind == "accounts" else stacked_events,
                null_columns, n_accounts, config.max_document_frequency)
            weights.append(w[s >= config.min_shared_events])
        pooled = np.concatenate(weights) if weights else np.zeros(0)
        levels.append(float(np.quantile(pooled, config.null_quantile)) if len(pooled) else 0.0)
    null_level = max(levels)
    threshold = max(config.min_weight, null_level)
    chosen = (shared >= config.min_shared_events) & (weight > threshold)
    left, right, weight, shared = left[chosen], right[chosen], weight[chosen], shared[chosen]
    if len(weight) > config.max_edges_per_behaviour:
        top = np.argsort(-weight, kind="stable")[:config.max_edges_per_behaviour]
        left, right, weight, shared = left[top], right[top], weight[top], shared[top]
    figures = {"window_seconds": window, "threshold": round(threshold, 4),
               "null_level": round(null_level, 4), "null_burst_level": round(levels[0], 4),
               "null_affinity_level": round(levels[1], 4),
               "min_shared_events": config.min_shared_events, "ties": int(len(weight))}
    return Ties(behaviour, left, right, weight, shared, threshold,
                np.where(kept, columns, -1), idf, figures)
