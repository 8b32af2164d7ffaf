"""The synthetic world generator and the scorer: a world is reproducible, realistic
in the ways that trap detectors, and its planted answers match its messages; the
scorer counts hits and false alarms as specified."""

from __future__ import annotations

from collections import Counter

import pytest

from rostra.integrity.detect import read_csv
from rostra.integrity.detect.evaluation import ANY, components, score, scores_of, trap_hits
from rostra.integrity.detect.records import (
    CO_BOOST,
    CO_HASHTAG,
    CO_IMAGE,
    CO_LINK,
    CO_REPLY,
    CO_TEXT,
    HANDLE_PATTERN,
    NEAR_DUPLICATE_TEXT,
    SYNCHRONIZED_CREATION,
    Cluster,
)
from rostra.integrity.detect.synthetic import CONTENT_BEHAVIOURS, STYLES, generate_world

N = 20_000


@pytest.fixture(scope="module")
def world():
    return generate_world(N, seed=7)


def test_same_seed_gives_the_same_world_and_another_seed_another():
    small = {"groups": 2, "group_size": (8, 12)}
    a, b = generate_world(5000, seed=3, **small), generate_world(5000, seed=3, **small)
    c = generate_world(5000, seed=4, **small)
    assert a.messages == b.messages and a.accounts == b.accounts and a.planted == b.planted
    assert a.messages != c.messages


def test_world_has_exactly_the_asked_messages_sorted_by_time_with_unique_ids(world):
    assert len(world.messages) == N
    times = [m.timestamp for m in world.messages]
    assert times == sorted(times)
    assert len({m.message_id for m in world.messages}) == N


def test_boosts_and_replies_point_to_earlier_existing_posts(world):
    when = {m.message_id: m.timestamp for m in world.messages}
    refs = [(m.repost_id or m.reply_id, m.timestamp) for m in world.messages
            if m.repost_id or m.reply_id]
    assert len(refs) > N * 0.3
    assert all(ref in when and when[ref] <= t for ref, t in refs)


def test_activity_is_heavy_tailed(world):
    per_user = sorted(Counter(m.user_id for m in world.messages).values(), reverse=True)
    top = per_user[: max(1, len(per_user) // 100)]
    assert sum(top) / N > 0.1  # the busiest 1% write over a tenth of everything
    assert per_user[len(per_user) // 2] < N / len(per_user)  # the median is below the mean


def test_posting_follows_a_daily_rhythm(world):
    hours = Counter(int(m.timestamp // 3600) % 24 for m in world.messages)
    assert hours[19] > 3 * hours[4]


def test_world_holds_organic_traps(world):
    texts = Counter(m.text for m in world.messages if m.text)
    assert texts["good morning"] > 5  # organic identical short texts
    urls = Counter(u for m in world.messages for u in m.urls)
    assert urls.most_common(1)[0][1] >= 50  # breaking news: one URL shared by many
    boosted = Counter(m.repost_id for m in world.messages if m.repost_id)
    assert boosted.most_common(1)[0][1] >= 150  # a viral post
    assert world.traps["viral"] and world.traps["news"]


def test_every_planted_behaviour_and_style_appears(world):
    planted = {b for g in world.groups for b in g.behaviours}
    assert set(CONTENT_BEHAVIOURS) <= planted
    assert {g.style for g in world.groups} == set(STYLES)
    assert all(8 <= len(g.accounts) <= 60 for g in world.groups)


def test_planted_truth_matches_the_messages(world):
    by_id = {m.message_id: m for m in world.messages}
    acts: Counter = Counter()
    for mid, (g, behaviour) in world.planted.items():
        m = by_id[mid]
        group = world.groups[g]
        assert m.user_id in group.accounts and behaviour in group.behaviours
        assert {CO_BOOST: bool(m.repost_id), CO_REPLY: bool(m.reply_id),
                CO_LINK: bool(m.urls), CO_IMAGE: bool(m.image_hashes),
                CO_HASHTAG: "#" in m.text}.get(behaviour, True)
        acts[(m.user_id, behaviour)] += 1
    for group in world.groups:  # every member acts at least twice in each behaviour
        for behaviour in set(group.behaviours) & set(CONTENT_BEHAVIOURS):
            assert all(acts[(a, behaviour)] >= 2 for a in group.accounts)


def test_burst_created_groups_share_a_creation_window(world):
    created = {a.user_id: a.created_at for a in world.accounts}
    for group in world.groups:
        span = max(created[a] for a in group.accounts) - min(created[a] for a in group.accounts)
        assert (span <= 4 * 3600) == group.created_in_burst
        assert ((SYNCHRONIZED_CREATION in group.behaviours)
                == (HANDLE_PATTERN in group.behaviours) == group.created_in_burst)


def test_csv_round_trips_through_read_csv(world, tmp_path):
    path = world.write_csv(tmp_path / "world.csv")
    back = read_csv(path)
    assert len(back) == N
    for m, r in zip(world.messages[::97], back[::97], strict=True):
        assert (r.message_id, r.user_id, r.username, r.repost_id, r.reply_id, r.text,
                r.urls) == (m.message_id, m.user_id, m.username, m.repost_id, m.reply_id,
                            m.text, m.urls)
        assert abs(r.timestamp - m.timestamp) <= 0.5


def test_unknown_knob_is_refused_by_name():
    with pytest.raises(TypeError, match="jiter"):
        generate_world(5000, jiter=3)


def test_too_few_messages_for_the_planted_groups_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="too few"):
        generate_world(2000, groups=20)


# --- the scorer -----------------------------------------------------------------

def _cluster(accounts, *behaviours):
    return Cluster(list(accounts), list(behaviours), 1.0, [])


def test_perfect_clusters_score_one_everywhere(world):
    clusters = [_cluster(g.accounts, *g.behaviours) for g in world.groups]
    scores = score(clusters, world)
    assert all(s.precision == 1.0 and s.recall == 1.0 for s in scores.values())
    assert scores[ANY].tp == len(world.truth())


def test_all_wrong_clusters_score_zero(world):
    organic = sorted({a.user_id for a in world.accounts} - world.truth() - world.ignored())
    scores = score([_cluster(organic[:40], CO_BOOST, CO_TEXT)], world)
    assert scores[CO_BOOST].precision == 0.0 and scores[CO_BOOST].recall == 0.0
    assert scores[CO_BOOST].fp == 40 and scores[CO_BOOST].fn == len(world.truth(CO_BOOST))
    assert scores[ANY].precision == 0.0


def test_partial_clusters_score_their_share():
    assert scores_of({"a", "b", "x", "y"}, {"a", "b", "c", "d", "e"}) == \
        pytest.approx(type(scores_of(set(), set()))(0.5, 0.4, 2, 2, 3))
    assert scores_of(set(), {"a"}).recall == 0.0
    assert scores_of(set(), set()).precision == 1.0


def test_seed_accounts_and_sibling_text_behaviours_are_not_false_alarms(world):
    seeds = world.ignored()
    near = next(g for g in world.groups if NEAR_DUPLICATE_TEXT in g.behaviours
                and CO_TEXT not in g.behaviours)
    clusters = [_cluster(list(near.accounts) + sorted(seeds), CO_TEXT, NEAR_DUPLICATE_TEXT)]
    scores = score(clusters, world, [CO_TEXT, NEAR_DUPLICATE_TEXT])
    assert scores[CO_TEXT].fp == 0 and scores[NEAR_DUPLICATE_TEXT].fp == 0
    assert scores[NEAR_DUPLICATE_TEXT].tp == len(near.accounts)


def test_trap_hits_count_flagged_organic_accounts(world):
    fans = sorted(world.traps["viral"] - world.truth())[:5]
    assert trap_hits([_cluster(fans, CO_BOOST)], world)["viral"] == 5


def test_components_join_edges_above_the_weight():
    edges = [("a", "b", 3), ("b", "c", 2), ("d", "e", 1), ("f", "f", 9)]
    assert sorted(c.accounts for c in components(edges, CO_BOOST, 2)) == [["a", "b", "c"]]
    assert len(components(edges, CO_BOOST, 1)) == 2
