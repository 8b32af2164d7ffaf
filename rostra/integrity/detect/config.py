"""The knobs of the coordination detectors, in one frozen record so a run can be
repeated exactly (the null model is seeded from here too)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .records import CO_BOOST, CO_HASHTAG, CO_IMAGE, CO_LINK, CO_REPLY, CO_TEXT, NEAR_DUPLICATE_TEXT

# Seconds within which the same action by two accounts counts as "together".
# Boosts and replies are one click, so the window is short; writing or pasting
# text and images takes longer.
DEFAULT_WINDOWS: tuple[tuple[str, float], ...] = (
    (CO_BOOST, 600.0),
    (CO_REPLY, 600.0),
    (CO_LINK, 1200.0),
    (CO_TEXT, 1800.0),
    (NEAR_DUPLICATE_TEXT, 1800.0),
    (CO_HASHTAG, 1800.0),
    (CO_IMAGE, 1800.0),
)


@dataclass(frozen=True)
class DetectConfig:
    """What counts as coordination.

    An edge between two accounts needs ``min_shared_events`` shared (trace, time
    bucket) events in one behaviour *and* a TF-IDF cosine above the threshold the
    null model sets (the ``null_quantile`` of the weights that the same data with
    accounts shuffled among blocks of ``null_block_events`` events neighbouring in
    time produces, over
    ``null_repetitions`` seeded runs; never below ``min_weight``). Events shared
    by more than ``max_document_frequency`` accounts (a viral post everybody
    boosts in the same minute) are dropped: they say nothing about who is
    coordinated, and they would make the product dense."""

    windows: tuple[tuple[str, float], ...] = DEFAULT_WINDOWS
    min_shared_events: int = 3
    min_cluster_size: int = 3
    # A cluster needs at least this many distinct ties per account: coordinated
    # accounts act with most of their group, so their ties close cycles, while the
    # few ties that pass a 0.99 null quantile by chance among tens of thousands of
    # accounts make chains and stars (a tree has fewer ties than accounts).
    min_ties_per_account: float = 1.0
    max_document_frequency: int = 150
    null_repetitions: int = 2
    null_quantile: float = 0.99
    null_block_events: int = 2000
    null_shift_seconds: float = 3600.0
    min_weight: float = 0.05
    seed: int = 0
    # text
    min_text_chars: int = 24
    min_text_words: int = 4
    near_duplicate_threshold: float = 0.5  # on word sets: one template's variants
    minhash_permutations: int = 64
    shingle_words: int = 1
    min_hashtags: int = 1
    # images: PDQ hashes within this Hamming distance are one image (at most 7:
    # eight 32-bit chunks make the exact-chunk candidate search complete)
    image_max_distance: int = 6
    # account-level signals (they only ever add to content clusters)
    creation_bin_seconds: float = 3600.0
    creation_alpha: float = 1e-4
    handle_alpha: float = 1e-4
    handle_max_population_share: float = 0.02  # a template 1 in 50 use is no template
    # output
    max_evidence: int = 100
    max_edges: int = 200
    max_edges_per_behaviour: int = 500_000

    def window(self, behaviour: str) -> float:
        """The window for ``behaviour`` in seconds."""
        return dict(self.windows)[behaviour]

    def with_window(self, seconds: float) -> DetectConfig:
        """The same config with every content behaviour's window set to ``seconds``."""
        if not seconds > 0:
            raise ValueError("the window must be a positive number of seconds")
        return replace(self, windows=tuple((b, float(seconds)) for b, _ in self.windows))

    @classmethod
    def election(cls, base: DetectConfig | None = None) -> DetectConfig:
        """Election mode: react sooner to smaller groups.

        Changes from the default: two shared events make a tie instead of three,
        two accounts make a cluster instead of three (and a chain of ties is
        enough), the null threshold is its 0.95 quantile instead of its 0.99
        quantile (and the floor halves), events shared
        by up to 300 accounts are kept, and creation/handle signals need less
        evidence (alpha 1e-3). Windows stay as they are: a wider window would let
        in more organic overlap, a narrower one would miss jittered groups."""
        base = base or cls()
        return replace(base, min_shared_events=2, min_cluster_size=2, min_ties_per_account=0.5,
                       null_quantile=min(base.null_quantile, 0.95), min_weight=base.min_weight / 2,
                       max_document_frequency=max(base.max_document_frequency, 300),
                       creation_alpha=1e-3, handle_alpha=1e-3)
