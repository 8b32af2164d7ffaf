from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from rostra.safety import matching

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "pdq"
ORIGINAL = FIXTURES / "bridge-mods" / "aaa-orig.jpg"


@pytest.fixture(autouse=True)
def _fresh_matcher(settings):
    """Each test starts without an index and sees the lists as they are now."""
    settings.ROSTRA_HASH_INDEX_REFRESH = 0
    matching.reset()
    yield
    matching.reset()


@pytest.fixture(params=["brute-force", "multi-index"])
def index_kind(request, monkeypatch):
    """Run a test over both kinds of PDQ index."""
    from rostra.safety import pdq_index

    monkeypatch.setattr(pdq_index, "BRUTE_FORCE_MAX",
                        10**9 if request.param == "brute-force" else 0)
    return request.param


@cache
def hashes_of(path: Path):
    """``hash_image`` of a fixture file, computed once per test run."""
    from rostra.safety.hashing import hash_image

    return hash_image(path.read_bytes())
