"""``detect``: messages in, clusters of coordinated accounts out.

Per content behaviour: events -> ties above the null-model threshold (see
``cooccurrence``). All behaviours' ties make one graph; its connected components
of at least ``min_cluster_size`` accounts with ``min_ties_per_account`` distinct ties
per account are the clusters. Account-level signals
are then tested on each cluster and may add behaviours and strength, never
members. Deterministic: the only randomness is the null model's, seeded from the
config."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .account_signals import AccountSignals
from .config import DetectConfig
from .cooccurrence import Ties, behaviour_ties, null_model
from .parallel import run_all
from .records import (
    CO_BOOST,
    CO_HASHTAG,
    CO_IMAGE,
    CO_LINK,
    CO_REPLY,
    CO_TEXT,
    HANDLE_PATTERN,
    NEAR_DUPLICATE_TEXT,
    SYNCHRONIZED_CREATION,
    AccountInfo,
    Cluster,
    Message,
)
from .traces import CONTENT_BEHAVIOURS, Corpus, image_events, scan, text_events

_ACCOUNT_SIGNAL_WEIGHT = 0.8  # each account-level signal keeps 80% of the remaining doubt


def _behaviour_strength(weight: np.ndarray, threshold: float) -> float:
    """How far a cluster's ties in one behaviour stand above the threshold: 0 at
    the threshold, 0.5 at twice it, towards 1 far above."""
    return float(np.median(1.0 - threshold / np.maximum(weight, threshold)))


def _evidence(ties: Ties, corpus: Corpus, cluster_of: np.ndarray, n_clusters: int):
    """Per cluster: (strength, message index) rows where two or more of its
    members share a (trace, bucket) column of this behaviour."""
    events = corpus.events[ties.behaviour]
    if not len(ties.columns):
        return {}
    account = np.concatenate([events.account, events.account])
    message = np.concatenate([events.message, events.message])
    cluster = cluster_of[account]
    mask = (ties.columns >= 0) & (cluster >= 0)
    if not mask.any():
        return {}
    account, message, cluster, column = account[mask], message[mask], cluster[mask], \
        ties.columns[mask]
    group = cluster * (int(column.max()) + 1) + column
    members = np.unique(group * len(corpus.accounts) + account) // len(corpus.accounts)
    groups, count = np.unique(members, return_counts=True)
    position = np.searchsorted(groups, group)
    together = count[position] >= 2
    strength = (ties.column_idf[column] * count[position])[together]
    cluster, message = cluster[together], message[together]
    order = np.lexsort((message, -strength, cluster))
    cluster, message, strength = cluster[order], message[order], strength[order]
    bounds = np.searchsorted(cluster, np.arange(n_clusters + 1))
    return {c: (strength[bounds[c]:bounds[c + 1]], message[bounds[c]:bounds[c + 1]])
            for c in range(n_clusters) if bounds[c + 1] > bounds[c]}


def _ties_job(refine, raw, traces, behaviours, n, config, null):
    """One unit of parallel work: a behaviour's events (grouped into families first
    for text and images) and their ties."""
    events = refine(raw, traces, config) if refine else {behaviours[0]: raw}
    return events, [behaviour_ties(b, events[b], n, config, null) for b in behaviours]


def _all_ties(corpus: Corpus, traces: dict, config: DetectConfig, processes: int) -> list[Ties]:
    n = len(corpus.accounts)
    null = null_model(corpus.authors, corpus.times, config)
    raw = corpus.events
    jobs = [(_ties_job, (text_events, raw[CO_TEXT], traces[CO_TEXT],
                         (CO_TEXT, NEAR_DUPLICATE_TEXT), n, config, null)),
            (_ties_job, (image_events, raw[CO_IMAGE], traces[CO_IMAGE], (CO_IMAGE,), n,
                         config, null))]
    jobs += [(_ties_job, (None, raw[b], None, (b,), n, config, null))
             for b in (CO_BOOST, CO_LINK, CO_HASHTAG, CO_REPLY)]
    by_behaviour = {}
    for events, ties in run_all(jobs, processes):
        corpus.events.update(events)
        by_behaviour.update({t.behaviour: t for t in ties})
    return [by_behaviour[b] for b in CONTENT_BEHAVIOURS]


def detect(messages: Iterable[Message], accounts: Iterable[AccountInfo] = (),
           config: DetectConfig | None = None, processes: int = 1) -> list[Cluster]:
    """Clusters of accounts acting in concert, strongest first.

    ``accounts`` (optional) feeds the creation-burst and handle signals; without
    it handles come from the messages and creation times are unknown.
    ``processes`` > 1 runs independent steps in forked workers (the CLI; see
    ``parallel``); the clusters are the same."""
    config = config or DetectConfig()
    messages = messages if isinstance(messages, Sequence) else list(messages)
    corpus, traces = scan(messages, config, processes)
    n = len(corpus.accounts)
    all_ties = _all_ties(corpus, traces, config, processes)
    left = np.concatenate([t.left for t in all_ties])
    right = np.concatenate([t.right for t in all_ties])
    if not len(left) or n == 0:
        return []
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    labels = connected_components(graph, directed=False)[1]
    sizes = np.bincount(labels)
    pairs = np.unique(np.minimum(left, right) * n + np.maximum(left, right))
    ties = np.bincount(labels[pairs // n], minlength=len(sizes))
    big = np.flatnonzero((sizes >= max(config.min_cluster_size, 2))
                         & (ties >= config.min_ties_per_account * sizes))
    if not len(big):
        return []
    cluster_index = np.full(len(sizes), -1, dtype=np.int64)
    cluster_index[big] = np.arange(len(big))
    cluster_of = cluster_index[labels]
    signals = AccountSignals(accounts, corpus.usernames, config)
    evidence = {t.behaviour: _evidence(t, corpus, cluster_of, len(big)) for t in all_ties}
    members_of = [[] for _ in big]
    for account, c in enumerate(cluster_of):
        if c >= 0:
            members_of[c].append(corpus.accounts[account])
    slices = {}
    for ties in all_ties:
        edge_cluster = cluster_of[ties.left]
        order = np.argsort(edge_cluster, kind="stable")
        slices[ties.behaviour] = (order, np.searchsorted(edge_cluster[order],
                                                         np.arange(len(big) + 1)))
    clusters = []
    for c in range(len(big)):
        members = sorted(members_of[c])
        behaviours, figures, edges = [], {}, []
        doubt = 1.0
        rows: list[tuple[float, int]] = []
        for ties in all_ties:
            order, bounds = slices[ties.behaviour]
            in_cluster = order[bounds[c]:bounds[c + 1]]
            if not len(in_cluster):
                continue
            weight = ties.weight[in_cluster]
            a, b = ties.left[in_cluster], ties.right[in_cluster]
            strength, message = evidence[ties.behaviour].get(c, (np.zeros(0), np.zeros(0, int)))
            coverage = len(np.union1d(a, b)) / len(members)
            doubt *= 1.0 - _behaviour_strength(weight, ties.threshold) * coverage
            behaviours.append(ties.behaviour)
            figures[ties.behaviour] = {
                **ties.figures, "ties": int(len(weight)), "accounts": int(len(np.union1d(a, b))),
                "messages": int(len(np.unique(message))),
                "mean_weight": round(float(weight.mean()), 4),
                "max_shared_events": int(ties.shared[in_cluster].max())}
            top = np.argsort(-weight, kind="stable")[:config.max_edges]
            edges += [(corpus.accounts[x], corpus.accounts[y], round(float(w), 4),
                       ties.behaviour)
                      for x, y, w in zip(a[top].tolist(), b[top].tolist(), weight[top].tolist(),
                                         strict=True)]
            rows += zip(strength.tolist(), message.tolist(), strict=True)
        for name, test in ((SYNCHRONIZED_CREATION, signals.creation_burst),
                           (HANDLE_PATTERN, signals.handle_template)):
            found = test(members)
            if found:
                behaviours.append(name)
                figures[name] = found
                doubt *= _ACCOUNT_SIGNAL_WEIGHT
        rows.sort(key=lambda r: (-r[0], r[1]))
        seen: dict[int, None] = dict.fromkeys(m for _, m in rows)
        times = corpus.times[list(seen)] if seen else np.zeros(1)
        edges.sort(key=lambda e: (-e[2], e[0], e[1], e[3]))
        clusters.append(Cluster(
            accounts=members, behaviours=behaviours,
            score=round(min(max(1.0 - doubt, 0.0), 1.0), 4),
            evidence=[corpus.message_ids[m] for m in list(seen)[:config.max_evidence]],
            first_seen=float(times.min()), last_seen=float(times.max()),
            edges=edges[:config.max_edges], figures=figures))
    clusters.sort(key=lambda k: (-k.score, -len(k.accounts), k.accounts[0]))
    return clusters


def clusters_to_json(clusters: Iterable[Cluster]) -> list[dict]:
    """``[{"accounts", "behaviours", "score", "evidence"}, ...]`` as the CLI writes."""
    return [cluster.as_json() for cluster in clusters]
