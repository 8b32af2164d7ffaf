"""How much an account's engagement counts in trends, given coordinated behaviour.

Trends count distinct accounts, so a network of accounts acting in concert (one
operator, many handles) is the cheapest way to game them. Detecting that is the
integrity app's work (issue 10); this module is the seam where its verdict enters
the trend score, so that the trend code depends on no detector.

``coordination_weight(account_ids)`` returns a weight in [0, 1] per account: 1.0
counts fully, 0.0 not at all. With no weigher registered (today) every account
weighs 1.0. A weigher is a function ``(set of ids) -> {id: weight}`` registered at
start-up (``register_weigher`` in an app's ``ready``); an account several weighers
speak of takes the lowest weight. Weights are read when a trend's inputs are
gathered and stored in them, so a logged ranking replays without the weigher.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Weigher = Callable[[set[int]], dict[int, float]]

_weighers: list[Weigher] = []


def register_weigher(weigher: Weigher) -> None:
    """Add a source of coordination weights (idempotent)."""
    if weigher not in _weighers:
        _weighers.append(weigher)


def unregister_weigher(weigher: Weigher) -> None:
    if weigher in _weighers:
        _weighers.remove(weigher)


def coordination_weight(account_ids: Iterable[int]) -> dict[int, float]:
    """Each account's weight in [0, 1]: the lowest any weigher gives, else 1.0."""
    ids = {int(i) for i in account_ids}
    weights = dict.fromkeys(ids, 1.0)
    for weigher in _weighers:
        for account_id, weight in weigher(set(ids)).items():
            if account_id in weights:
                weights[account_id] = min(weights[account_id], max(0.0, min(1.0, float(weight))))
    return weights
