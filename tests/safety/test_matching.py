"""The matcher: exact hashes, PDQ look-alikes in any rotation, and the rules that
keep a weak hash, a cleared hash or a disabled list from matching."""

from __future__ import annotations

import numpy as np
import pytest

from rostra.safety import lists, matching, pdq_index
from rostra.safety.hashing import hash_image
from rostra.safety.matching import match
from rostra.safety.models import HashEntry, HashList
from tests.safety.conftest import FIXTURES, ORIGINAL, hashes_of

pytestmark = pytest.mark.django_db
DIH = sorted((FIXTURES / "reg-test-input" / "dih").glob("*.jpg"))
MODS = sorted((FIXTURES / "bridge-mods").glob("*.jpg"))
CODES = np.arange(64 * 32, dtype=np.uint8).reshape(64, 32)
UNRELATED = sorted((FIXTURES / "reg-test-input" / "labelme-subset").glob("*.jpg")) + sorted(
    (FIXTURES / "misc-images").glob("*.*"))


def query(path):
    """What the gate asks for an image file: its hashes and its 8 variants."""
    h = hashes_of(path)
    return {"sha256": h.sha256, "md5": h.md5, "pdqs": [(h.pdq, h.pdq_quality)],
            "variants": [list(h.dihedral)]}


def make_list(name="known", kind="ncii", action="block", *paths, entries=()):
    hash_list = HashList.objects.create(name=name, kind=kind, action=action)
    for path in paths:
        h = hashes_of(path)
        lists.add_entries(hash_list, [("pdq", h.pdq, h.pdq_quality)])
    if entries:
        lists.add_entries(hash_list, entries)
    return hash_list


def random_pdqs(n: int, seed: int = 7) -> list[tuple[str, str, int]]:
    import random

    rng = random.Random(seed)
    return [("pdq", f"{rng.getrandbits(256):064x}", 100) for _ in range(n)]


@pytest.mark.parametrize("path", DIH, ids=lambda p: p.name)
def test_every_rotation_and_flip_matches_a_list_holding_one_of_them(index_kind, path):
    make_list("bridge", "ncii", "block", DIH[0], entries=random_pdqs(200))
    (found,) = match(**query(path))
    assert (found.list_name, found.kind, found.action, found.signal_type) == (
        "bridge", "ncii", "block", "pdq")
    assert found.distance <= 31 and found.query == hashes_of(path).pdq


@pytest.mark.parametrize("path", MODS, ids=lambda p: p.name)
def test_altered_copies_match_a_list_holding_the_original(index_kind, path):
    make_list("bridge", "ncii", "block", ORIGINAL, entries=random_pdqs(200))
    assert [m.list_name for m in match(**query(path))] == ["bridge"]


def test_unrelated_photos_do_not_match(index_kind):
    make_list("bridge", "ncii", "block", ORIGINAL, *DIH[1:])
    for path in UNRELATED:
        assert match(**query(path)) == [], path.name


def test_sha256_and_md5_match_exactly():
    data = (FIXTURES / "misc-images" / "wee.jpg").read_bytes()
    h = hash_image(data)
    make_list("exact-sha", "terror", "review", entries=[("sha256", h.sha256)])
    make_list("exact-md5", "other", "block", entries=[("md5", h.md5)])
    found = match(sha256=h.sha256, md5=h.md5)
    assert [(m.list_name, m.signal_type, m.value, m.distance, m.query) for m in found] == [
        ("exact-sha", "sha256", h.sha256, 0, h.sha256), ("exact-md5", "md5", h.md5, 0, h.md5)]
    assert match(sha256="0" * 64, md5="0" * 32) == []


def test_matches_come_worst_first():
    q = query(ORIGINAL)
    h = hashes_of(ORIGINAL)
    make_list("z-other", "other", "block", entries=[("md5", h.md5)])
    make_list("y-terror-review", "terror", "review", entries=[("sha256", h.sha256)])
    make_list("x-terror-block", "terror", "block", ORIGINAL)
    make_list("w-csam", "csam", "review", MODS[-1])  # a modified copy: distance > 0
    make_list("v-csam", "csam", "review", ORIGINAL)
    assert [m.list_name for m in match(**q)] == [
        "v-csam", "w-csam", "x-terror-block", "y-terror-review", "z-other"]


def test_weak_list_entries_are_not_used_for_pdq():
    h = hashes_of(ORIGINAL)
    make_list("weak", entries=[("pdq", h.pdq, 49)])
    assert match(**query(ORIGINAL)) == []
    make_list("strong", entries=[("pdq", h.pdq, 50)])
    assert [m.list_name for m in match(**query(ORIGINAL))] == ["strong"]


def test_an_entry_without_a_quality_is_used():
    make_list("unrated", entries=[("pdq", hashes_of(ORIGINAL).pdq)])
    assert [m.list_name for m in match(**query(ORIGINAL))] == ["unrated"]


def test_a_weak_query_hash_is_not_matched():
    h = hashes_of(ORIGINAL)
    make_list("bridge", "ncii", "block", ORIGINAL)
    assert match(pdqs=[(h.pdq, 30)]) == []
    assert len(match(pdqs=[(h.pdq, 90)])) == 1


def test_an_allowed_image_never_matches_again_in_any_orientation():
    make_list("bridge", "other", "review", ORIGINAL)
    rotated = query(DIH[1])  # matched through one of its variants
    assert match(**rotated)
    lists.allow("pdq", rotated["pdqs"][0][0], reason="a bridge")
    assert match(**rotated) == []
    assert match(**query(ORIGINAL))  # another image near the entry still matches


def test_an_allowed_list_value_matches_nothing():
    make_list("bridge", "other", "review", ORIGINAL)
    lists.allow("pdq", hashes_of(ORIGINAL).pdq)
    for path in MODS:
        assert match(**query(path)) == []


def test_an_allowed_file_matches_nothing():
    h = hashes_of(ORIGINAL)
    make_list("bridge", "other", "review", ORIGINAL, entries=[("md5", h.md5)])
    lists.allow("sha256", h.sha256.upper())
    assert match(**query(ORIGINAL)) == []


def test_a_disabled_list_never_matches_and_matches_again_when_enabled(index_kind):
    h = hashes_of(ORIGINAL)
    hash_list = make_list("bridge", "ncii", "block", ORIGINAL, entries=[("md5", h.md5)])
    assert len(match(**query(ORIGINAL))) == 2
    lists.set_enabled(hash_list, False)
    assert match(**query(ORIGINAL)) == []
    lists.set_enabled(hash_list, True)
    assert len(match(**query(ORIGINAL))) == 2


def test_a_removed_entry_stops_matching_at_once(settings):
    settings.ROSTRA_HASH_INDEX_REFRESH = 3600
    h = hashes_of(ORIGINAL)
    hash_list = make_list("bridge", "ncii", "block", ORIGINAL)
    assert match(**query(ORIGINAL))
    HashEntry.objects.filter(hash_list=hash_list).delete()  # around the services even
    assert match(**query(ORIGINAL)) == []
    assert h.pdq


def test_a_new_entry_is_matched_after_the_refresh_interval(settings, monkeypatch):
    settings.ROSTRA_HASH_INDEX_REFRESH = 30
    hash_list = make_list("bridge", "ncii", "block", entries=random_pdqs(5))
    assert match(**query(ORIGINAL)) == []  # the index is built now
    h = hashes_of(ORIGINAL)
    HashEntry.objects.create(hash_list=hash_list, signal_type="pdq", value=h.pdq, quality=100)
    assert match(**query(ORIGINAL)) == []  # another process's change: not seen yet
    now = matching._clock()
    monkeypatch.setattr(matching, "_clock", lambda: now + 31)
    assert [m.list_name for m in match(**query(ORIGINAL))] == ["bridge"]


def test_changes_made_through_the_services_are_seen_at_once(settings):
    settings.ROSTRA_HASH_INDEX_REFRESH = 3600
    hash_list = make_list("bridge", "ncii", "block", entries=random_pdqs(5))
    assert match(**query(ORIGINAL)) == []
    h = hashes_of(ORIGINAL)
    lists.add_entries(hash_list, [("pdq", h.pdq, h.pdq_quality)])
    assert len(match(**query(ORIGINAL))) == 1


def test_new_entries_go_beside_the_index_until_it_is_rebuilt(monkeypatch):
    monkeypatch.setattr(matching, "DELTA_MAX", 10)
    hash_list = make_list("bulk", entries=random_pdqs(30, seed=1))
    assert matching.warm() == 30
    lists.add_entries(hash_list, random_pdqs(8, seed=2))
    state = matching._index.current()
    assert (state.main.size, state.delta.size) == (30, 8)
    lists.add_entries(hash_list, random_pdqs(8, seed=3))
    state = matching._index.current()
    assert (state.main.size, state.delta.size) == (46, 0)


def test_a_hash_on_two_lists_is_indexed_once_and_matches_both():
    h = hashes_of(ORIGINAL)
    make_list("one", "ncii", "block", ORIGINAL)
    make_list("two", "other", "review", ORIGINAL)
    assert matching.warm() == 1
    assert [m.list_name for m in match(**query(ORIGINAL))] == ["one", "two"]
    assert h.pdq


def test_the_match_radius_is_a_setting(settings):
    make_list("bridge", "ncii", "block", ORIGINAL)
    sharpened = query(FIXTURES / "bridge-mods" / "sharpen-a-lot.jpg")  # 16 bits away
    assert match(**sharpened)
    settings.ROSTRA_PDQ_MAX_DISTANCE = 8
    assert match(**sharpened) == []


def test_no_lists_no_matches_and_no_index_needed():
    assert match(sha256="a" * 64, md5="b" * 32, pdqs=[("c" * 64, 100)]) == []
    assert match() == []


def test_one_thread_refreshes_while_the_others_keep_matching(monkeypatch):
    """The web process has threads: the first build is waited for, a refresh is done
    by one thread while the others use the index they have."""
    import threading
    import time

    builds, running, overlap = [], [], []
    versions = iter(range(10**6))

    def slow_build(version):
        running.append(1)
        overlap.append(len(running) > 1)
        time.sleep(0.01)
        builds.append(version)
        running.pop()
        return matching._State(version, frozenset(), pdq_index.BruteForce(CODES),
                               pdq_index.BruteForce(CODES[:0]), 0, len(CODES))

    monkeypatch.setattr(matching, "_version", lambda: next(versions))
    monkeypatch.setattr(matching, "_build", slow_build)
    monkeypatch.setattr(matching, "_refreshed", lambda state: slow_build(matching._version()))
    seen, errors = [], []

    def worker():
        try:
            for _ in range(20):
                seen.append(matching._index.current().main.size)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and not any(overlap)
    assert seen == [len(CODES)] * 120 and 1 <= len(builds) < 120
