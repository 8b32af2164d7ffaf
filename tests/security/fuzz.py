"""Shared pieces of the security fuzz run (issue 11): one Hypothesis profile, bounded
and derandomised so CI sees the same examples every time, and JSON-ish strategies."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st


def fuzz(max_examples: int = 80) -> settings:
    """Bounded, deterministic, no example database, no deadline (fetches on loopback)."""
    return settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow,
                                           HealthCheck.filter_too_much])


# Long strings probe column limits (PostgreSQL refuses what SQLite stores).
long_text = st.text(st.characters(codec="utf-8"), min_size=200, max_size=2100)
scalars = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats()
           | st.text(max_size=40) | long_text)


def json_values(keys, leaves=scalars, max_leaves: int = 20):
    """Nested JSON values whose object keys are drawn from ``keys`` (or any text)."""
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(keys) | st.text(max_size=8), inner, max_size=6),
        max_leaves=max_leaves)
