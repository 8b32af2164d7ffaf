"""Detection quality on a realistic synthetic world (issue 10, point 7): every
planted behaviour is found with precision >= 0.95 and recall >= 0.9 at account
level, and the organic look-alikes (viral bursts, breaking news, fandoms, memes,
"good morning") are left alone."""

from __future__ import annotations

import pytest

from rostra.integrity.detect import detect
from rostra.integrity.detect.evaluation import ANY, score, trap_hits
from rostra.integrity.detect.records import BEHAVIOURS
from rostra.integrity.detect.synthetic import generate_world

PRECISION, RECALL = 0.95, 0.9
N_MESSAGES, SEED = 100_000, 0


@pytest.fixture(scope="module")
def world():
    return generate_world(N_MESSAGES, seed=SEED)


@pytest.fixture(scope="module")
def clusters(world):
    return detect(world.messages, world.accounts)


@pytest.fixture(scope="module")
def scores(world, clusters):
    return score(clusters, world)


def test_the_world_plants_every_behaviour(world):
    assert {b for g in world.groups for b in g.behaviours} == set(BEHAVIOURS)


@pytest.mark.parametrize("behaviour", BEHAVIOURS)
def test_planted_behaviour_is_found_precisely(scores, behaviour):
    s = scores[behaviour]
    assert s.precision >= PRECISION, f"{behaviour}: {s}"


@pytest.mark.parametrize("behaviour", BEHAVIOURS)
def test_planted_behaviour_is_found_nearly_whole(scores, behaviour):
    s = scores[behaviour]
    assert s.recall >= RECALL, f"{behaviour}: {s}"


def test_coordinated_accounts_overall(scores):
    s = scores[ANY]
    assert s.precision >= PRECISION and s.recall >= RECALL, s


def test_organic_bursts_news_fandoms_and_memes_are_not_flagged(world, clusters):
    hits = trap_hits(clusters, world)
    for trap, accounts in world.traps.items():
        organic = accounts - world.truth()
        assert hits[trap] <= 0.01 * len(organic), (trap, hits[trap], len(organic))


def test_every_cluster_rests_on_real_messages_mostly_planted_ones(world, clusters):
    known = {m.message_id for m in world.messages}
    for cluster in clusters:
        assert cluster.evidence and set(cluster.evidence) <= known
        planted = sum(e in world.planted for e in cluster.evidence)
        assert planted >= 0.9 * len(cluster.evidence), (cluster.behaviours, cluster.accounts[:5])
