"""The in-memory PDQ indexes find exactly what a full scan finds."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rostra.safety import pdq_index
from rostra.safety.pdq_index import BruteForce, MultiIndexHash


def near(codes: np.ndarray, rng, flips: list[int]) -> np.ndarray:
    """One query per entry of ``flips``: a random code with that many bits flipped."""
    queries = codes[rng.integers(0, len(codes), len(flips))].copy()
    for row, count in zip(queries, flips, strict=True):
        for bit in rng.choice(256, count, replace=False):
            row[bit // 8] ^= 1 << (bit % 8)
    return queries


def pairs(result) -> set[tuple[int, int, int]]:
    return set(zip(*(part.tolist() for part in result), strict=True))


@pytest.mark.parametrize("bits, tables", [(16, 16), (20, 12), (21, 12)])  # 23 bits: bench
def test_multi_index_hashing_finds_what_a_scan_finds(bits, tables):
    rng = np.random.default_rng(bits)
    codes = rng.integers(0, 256, (5_000, 32), dtype=np.uint8)
    queries = near(codes, rng, list(range(40)))
    index = MultiIndexHash(codes, bits=bits, tables=tables)
    found = pairs(index.search(queries, 31))
    assert found == pairs(BruteForce(codes).search(queries, 31))
    assert {q for q, _, _ in found} == set(range(32))  # every query within 31 bits
    assert all(d <= 31 for _, _, d in found)


@hypothesis_settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 70), st.integers(1, 300))
def test_any_radius_and_size_agree_with_a_scan(seed, radius, size):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 256, (size, 32), dtype=np.uint8)
    codes[size // 2:] = codes[: size - size // 2]  # duplicates
    queries = near(codes, rng, [0, 5, 17, 31, 32, 45])
    index = MultiIndexHash(codes, bits=16, tables=16)
    assert pairs(index.search(queries, radius)) == pairs(BruteForce(codes).search(queries,
                                                                                  radius))


def test_the_layout_grows_with_the_number_of_codes():
    assert [layout[1:] for layout in pdq_index.LAYOUTS][-1] == (16, 16)
    index = MultiIndexHash(np.zeros((10, 32), np.uint8))
    assert (index.bits, index.tables) == (16, 16)
    # 10 tables probed with up to 2 bits flipped, 1 with up to 1: 10 * 3 + 2 > 31.
    assert pdq_index.probes_per_hash(23, 11, 31) == 10 * (1 + 23 + 253) + (1 + 23)


def test_build_chooses_a_scan_for_few_codes():
    assert isinstance(pdq_index.build(np.zeros((5, 32), np.uint8)), BruteForce)


def test_hex_round_trip_and_duplicates():
    values = ["00" * 32, "ff" * 32, "0123456789abcdef" * 4, "00" * 32]
    codes = pdq_index.codes_from_hex(values)
    assert [pdq_index.hex_of(c) for c in codes] == values
    assert [pdq_index.hex_of(c) for c in pdq_index.unique(codes)] == values[:3]
    with pytest.raises(ValueError):
        pdq_index.codes_from_hex(["abc"])


def test_empty_indexes_find_nothing():
    empty = np.empty((0, 32), np.uint8)
    query = np.zeros((1, 32), np.uint8)
    assert pairs(BruteForce(empty).search(query, 31)) == set()
    assert pairs(MultiIndexHash(empty).search(query, 31)) == set()
