"""Scoring clusters against a synthetic world's planted groups, per behaviour and at
account level, so our detector and coordination-network-toolkit are judged alike.

For behaviour b: predicted = accounts in clusters whose behaviours include b; truth
= accounts of planted groups performing b. The groups' seed accounts (whose posts
the group boosts) are ignored on both sides. Identical and near-identical text are
siblings: an account planted for one of them and flagged for the other counts
neither as a hit nor as a false alarm of the other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .records import BEHAVIOURS, CO_TEXT, NEAR_DUPLICATE_TEXT, Cluster

ANY = "any"
SIBLINGS = {CO_TEXT: NEAR_DUPLICATE_TEXT, NEAR_DUPLICATE_TEXT: CO_TEXT}


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    tp: int
    fp: int
    fn: int


def scores_of(predicted: set[str], truth: set[str]) -> Scores:
    """Precision and recall of one set against another. Nothing predicted and nothing
    true is perfect; predictions with no truth have precision 0; no predictions
    against a truth have precision 0 and recall 0."""
    tp, fp, fn = len(predicted & truth), len(predicted - truth), len(truth - predicted)
    if not predicted and not truth:
        return Scores(1.0, 1.0, 0, 0, 0)
    precision = tp / (tp + fp) if predicted else 0.0
    recall = tp / (tp + fn) if truth else 1.0
    return Scores(precision, recall, tp, fp, fn)


def flagged(clusters: Iterable[Cluster], behaviour: str | None = None) -> set[str]:
    """Accounts in clusters showing ``behaviour`` (any behaviour if None)."""
    return {a for c in clusters if behaviour is None or behaviour in c.behaviours
            for a in c.accounts}


def score(clusters: Iterable[Cluster], world, behaviours: Iterable[str] | None = None
          ) -> dict[str, Scores]:
    """Per-behaviour and overall (``"any"``) scores of ``clusters`` on ``world``.

    ``behaviours`` limits the behaviours scored (say, those a CSV can show); by
    default every behaviour the world plants or the clusters claim. The overall
    score then counts only the truth of those behaviours."""
    clusters = list(clusters)
    ignored = world.ignored()
    if behaviours is None:
        behaviours = [b for b in BEHAVIOURS if world.truth(b) or flagged(clusters, b)]
    behaviours = list(behaviours)
    out: dict[str, Scores] = {}
    for b in behaviours:
        truth, predicted = world.truth(b), flagged(clusters, b)
        skip = ignored | (world.truth(SIBLINGS[b]) - truth if b in SIBLINGS else set())
        out[b] = scores_of(predicted - skip, truth - skip)
    truth_any = set().union(*(world.truth(b) for b in behaviours)) if behaviours else set()
    predicted_any = set().union(*(flagged(clusters, b) for b in behaviours)) \
        if behaviours else set()
    out[ANY] = scores_of(predicted_any - ignored, truth_any - ignored)
    return out


def trap_hits(clusters: Iterable[Cluster], world) -> dict[str, int]:
    """How many organic accounts of each trap (viral bursts, breaking news, fandoms,
    memes) were flagged; planted accounts that also joined a trap are not counted."""
    hit = flagged(clusters) - world.truth()
    return {name: len(hit & accounts) for name, accounts in world.traps.items()}


def components(edges: Iterable[tuple[str, str, float]], behaviour: str,
               min_weight: float = 1) -> list[Cluster]:
    """Connected components of the edges of weight >= ``min_weight`` (self-loops
    dropped), as clusters showing ``behaviour``: how a toolkit's network becomes
    clusters the scorer can read."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, w in edges:
        if a != b and w >= min_weight:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[ra] = rb
    groups: dict[str, list[str]] = {}
    for x in list(parent):
        groups.setdefault(find(x), []).append(x)
    return [Cluster(sorted(m), [behaviour], 1.0, []) for m in groups.values() if len(m) > 1]


def format_table(rows: list[dict], columns: list[str]) -> str:
    """A plain text table for benchmark output."""
    text = [[str(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(t[i]) for t in text)) if text else len(c)
              for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(t, widths, strict=True)) for t in text]
    return "\n".join(lines)
