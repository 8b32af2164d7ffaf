"""Account-level signals: creation bursts and handle templates.

Alone they prove nothing (thousands of ordinary people are "anna1987", and a
news event brings a wave of sign-ups), so they never make a cluster: they are
tested only on clusters the content behaviours found, against the base rate of
the whole population, and add a behaviour and strength when the cluster stands
out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np
from scipy.stats import binom, poisson

from .config import DetectConfig
from .normalise import handle_shape, handle_stem
from .records import AccountInfo


class AccountSignals:
    """Base rates over every account seen, and the test of one cluster."""

    def __init__(self, accounts: Iterable[AccountInfo], usernames: dict[str, str],
                 config: DetectConfig) -> None:
        self.config = config
        self.created: dict[str, float] = {}
        names = dict(usernames)
        for info in accounts:
            self.created[info.user_id] = float(info.created_at)
            names[info.user_id] = info.username or names.get(info.user_id, "")
        self.shape = {u: handle_shape(n) for u, n in names.items() if n}
        self.stem = {u: s for u, n in names.items() if n and (s := handle_stem(n))}
        self.shape_count = Counter(self.shape.values())
        self.stem_count = Counter(self.stem.values())
        self.bins: dict[str, int] = {}
        self.rate = 0.0
        if self.created:
            width = config.creation_bin_seconds
            stamps = np.fromiter(self.created.values(), dtype=np.float64)
            span_bins = max(int((stamps.max() - stamps.min()) // width) + 1, 1)
            self.rate = len(stamps) / span_bins
            self.bins = {u: int(t // width) for u, t in self.created.items()}

    def creation_burst(self, members: list[str]) -> dict | None:
        """Figures when enough members were created in one bin, beyond what a
        Poisson process at the population's mean sign-up rate makes likely."""
        counts = Counter(self.bins[u] for u in members if u in self.bins)
        if not counts:
            return None
        bin_id, count = counts.most_common(1)[0]
        p = float(poisson.sf(count - 1, self.rate))
        if count < max(self.config.min_cluster_size, 2) or p >= self.config.creation_alpha:
            return None
        start = bin_id * self.config.creation_bin_seconds
        return {"accounts": count, "bin_start": start,
                "bin_seconds": self.config.creation_bin_seconds,
                "expected_per_bin": round(self.rate, 4), "p_value": p}

    def handle_template(self, members: list[str]) -> dict | None:
        """Figures when most members' handles follow one template (a shared stem
        such as "patriot" + digits, or one letters/digits shape) far more often
        than the population's handles do."""
        best = None
        outside = max(len(self.shape) - len(members), 1)
        for kind, table, totals in (("stem", self.stem, self.stem_count),
                                    ("shape", self.shape, self.shape_count)):
            counts = Counter(table[u] for u in members if u in table)
            if not counts:
                continue
            template, count = counts.most_common(1)[0]
            # the base rate among everybody else (the cluster must not raise its own)
            share = (totals[template] - count) / outside
            if (kind == "shape" and "d" not in template) or \
                    share > self.config.handle_max_population_share:
                continue  # plain names, or a style ordinary people use, are no template
            n = len(members)
            p = float(binom.sf(count - 1, n, share))
            if (count >= max(self.config.min_cluster_size, 2) and count * 2 >= n
                    and p < self.config.handle_alpha and (best is None or p < best["p_value"])):
                best = {"template": template, "kind": kind, "accounts": count,
                        "population_share": round(share, 6), "p_value": p}
        return best
