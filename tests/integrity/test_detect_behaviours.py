"""The coordination detectors on small hand-built worlds: organic noise, and a
planted group doing one behaviour in lock-step; or organic traps (a viral burst,
a fandom, a sign-up wave) that must not be flagged."""

from __future__ import annotations

import numpy as np
import pytest

from rostra.integrity.detect import AccountInfo, DetectConfig, Message, clusters_to_json, detect
from rostra.integrity.detect.config import DEFAULT_WINDOWS
from rostra.integrity.detect.cooccurrence import behaviour_ties, null_model
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
)
from rostra.integrity.detect.traces import extract

START = 1_700_000_000.0
DAY = 86400.0
WORDS = [f"w{i}" for i in range(600)]


class World:
    """Organic accounts posting at random: boosts and replies of a pool of posts
    with heavy-tailed popularity, links, texts, hashtags and images."""

    def __init__(self, seed: int = 1, accounts: int = 300, messages: int = 4000,
                 days: float = 3.0, pool: int = 3000) -> None:
        self.rng = r = np.random.default_rng(seed)
        self.messages: list[Message] = []
        popularity = 1.0 / np.arange(1, pool + 1) ** 0.8
        users = r.integers(accounts, size=messages).tolist()
        times = (START + r.random(messages) * days * DAY).tolist()
        kinds = r.integers(6, size=messages).tolist()
        targets = r.choice(pool, size=messages, p=popularity / popularity.sum()).tolist()
        lengths = r.integers(6, 14, size=messages).tolist()
        words = r.integers(0, len(WORDS), size=(messages, 14)).tolist()
        extra = r.integers(800, size=messages).tolist()
        for i in range(messages):
            kind, target = kinds[i], f"p{targets[i]}"
            self.add(f"u{users[i]}", times[i],
                     text=" ".join(WORDS[j] for j in words[i][:lengths[i]]),
                     repost_id=target if kind == 0 else "",
                     reply_id=target if kind == 1 else "",
                     urls=(f"https://news.example/{extra[i]}",) if kind == 2 else (),
                     text_suffix=f" #t{extra[i] % 300}" if kind == 3 else "",
                     images=(self.pdq(),) if kind == 4 else ())

    def pdq(self) -> str:
        return bytes(self.rng.integers(0, 256, 32, dtype=np.uint8)).hex()

    def add(self, user: str, t: float, text: str = "", repost_id: str = "", reply_id: str = "",
            urls: tuple[str, ...] = (), text_suffix: str = "", images: tuple[str, ...] = ()
            ) -> str:
        message_id = f"m{len(self.messages)}"
        self.messages.append(Message(message_id, user, f"name{user}", repost_id, reply_id,
                                     text + text_suffix, t, urls, images))
        return message_id

    def plant(self, behaviour: str, members: list[str], actions: int = 6,
              jitter: float = 20.0) -> set[str]:
        """The group does ``behaviour`` together ``actions`` times; returns the
        planted message ids."""
        r = self.rng
        planted = set()
        for k in range(actions):
            t0 = START + (0.2 + 2.5 * k / actions) * DAY
            words = [WORDS[j] for j in r.integers(0, len(WORDS), 14)]
            image = self.pdq()
            for n, user in enumerate(members):
                t = t0 + float(r.random()) * jitter
                text = " ".join(words)
                fields: dict = {"text": "organic looking words here"}
                if behaviour == CO_BOOST:
                    fields = {"repost_id": f"target{k}"}
                elif behaviour == CO_REPLY:
                    fields = {"reply_id": f"target{k}", "text": f"@victim{k} shame"}
                elif behaviour == CO_LINK:
                    fields["urls"] = (f"https://WWW.shady.example/a{k}/?utm_source=m{n}#x",)
                elif behaviour == CO_TEXT:
                    fields["text"] = f"@someone{n} " + (text.upper() if n % 2 else text)
                elif behaviour == NEAR_DUPLICATE_TEXT:
                    variant = list(words)
                    variant[n % 14] = f"swap{n}"
                    fields["text"] = " ".join(variant)
                elif behaviour == CO_HASHTAG:
                    fields["text_suffix"] = f" #rare{k}a #rare{k}b"
                elif behaviour == CO_IMAGE:
                    flipped = bytearray(bytes.fromhex(image))
                    flipped[n % 32] ^= 1 << (n % 8)
                    fields["images"] = (bytes(flipped).hex(),)
                planted.add(self.add(user, t, **fields))
        return planted


GROUP = [f"op{i}" for i in range(8)]
CONTENT = [CO_BOOST, CO_REPLY, CO_LINK, CO_TEXT, NEAR_DUPLICATE_TEXT, CO_HASHTAG, CO_IMAGE]


@pytest.mark.parametrize("behaviour", CONTENT)
def test_planted_group_is_found_with_its_behaviour_and_no_organic_account(behaviour):
    world = World(seed=CONTENT.index(behaviour))
    planted = world.plant(behaviour, GROUP)
    clusters = detect(world.messages)
    assert len(clusters) == 1, [c.accounts for c in clusters]
    found = clusters[0]
    assert sorted(found.accounts) == sorted(GROUP)
    assert behaviour in found.behaviours
    assert set(found.evidence) <= planted and len(found.evidence) >= len(GROUP)
    assert 0.0 < found.score <= 1.0
    assert found.figures[behaviour]["threshold"] >= DetectConfig().min_weight
    assert found.first_seen <= found.last_seen


def test_cluster_carries_capped_strongest_ties_and_json_shape():
    world = World(seed=11)
    world.plant(CO_BOOST, GROUP)
    config = DetectConfig(max_edges=5, max_evidence=7)
    [cluster] = detect(world.messages, config=config)
    assert len(cluster.edges) == 5 and len(cluster.evidence) == 7
    weights = [w for _, _, w, _ in cluster.edges]
    assert weights == sorted(weights, reverse=True)
    [row] = clusters_to_json([cluster])
    assert set(row) == {"accounts", "behaviours", "score", "evidence"}


def test_detection_is_deterministic():
    world = World(seed=12)
    world.plant(CO_LINK, GROUP)
    world.plant(CO_TEXT, [f"other{i}" for i in range(5)])
    first = clusters_to_json(detect(world.messages))
    assert first == clusters_to_json(detect(list(world.messages)))
    assert len(first) == 2


def test_organic_viral_burst_is_not_flagged():
    world = World(seed=2)
    for i in range(400):  # hundreds boost one post within minutes, once
        world.add(f"u{i % 300}", START + DAY + i * 0.5, repost_id="viral")
        world.add(f"u{(i * 7) % 300}", START + DAY + 3600 + i * 0.4, reply_id="news")
    assert detect(world.messages) == []


def test_fandom_boosting_the_same_posts_at_independent_times_is_not_flagged():
    world = World(seed=3)
    r = np.random.default_rng(3)
    fans = [f"fan{i}" for i in range(30)]
    for post in range(20):  # the star posts; each fan boosts each post hours apart
        posted = START + post * 3 * 3600.0
        for fan in fans:
            world.add(fan, posted + float(r.random()) * 2 * DAY, repost_id=f"star{post}")
    assert detect(world.messages) == []


def test_account_level_signals_alone_never_make_a_cluster():
    world = World(seed=4)
    burst = [AccountInfo(f"u{i}", f"patriot_{1000 + i}", START - DAY + i) for i in range(40)]
    others = [AccountInfo(f"u{i}", f"name{i}", START - 400 * DAY + i * 97_000.0)
              for i in range(40, 300)]
    assert detect(world.messages, burst + others) == []


def test_account_level_signals_add_to_a_content_cluster():
    world = World(seed=5)
    world.plant(CO_BOOST, GROUP)
    accounts = [AccountInfo(u, f"patriot_{4000 + i}", START - 2 * DAY + i * 30.0)
                for i, u in enumerate(GROUP)]
    accounts += [AccountInfo(f"u{i}", f"person{i % 7}x", START - 700 * DAY + i * 200_000.0)
                 for i in range(300)]
    plain = detect(world.messages)[0]
    [cluster] = detect(world.messages, accounts)
    assert {SYNCHRONIZED_CREATION, HANDLE_PATTERN} <= set(cluster.behaviours)
    assert cluster.figures[HANDLE_PATTERN]["template"] == "patriot"
    assert sorted(cluster.accounts) == sorted(plain.accounts)
    assert cluster.score > plain.score


def test_null_model_threshold_rises_with_more_organic_overlap():
    def threshold(pool: int) -> float:
        world = World(seed=6, messages=5000, days=1.0, pool=pool)
        config = DetectConfig(min_weight=0.0, min_shared_events=2)
        corpus = extract(world.messages, config)
        ties = behaviour_ties(CO_BOOST, corpus.events[CO_BOOST], len(corpus.accounts), config,
                              null_model(corpus.authors, corpus.times, config))
        return ties.figures["null_level"]

    assert threshold(pool=10) > threshold(pool=3000)


def test_election_mode_finds_a_pair_the_default_ignores():
    world = World(seed=7)
    world.plant(CO_BOOST, ["pair0", "pair1"], actions=2, jitter=5.0)
    assert detect(world.messages) == []
    [cluster] = detect(world.messages, config=DetectConfig.election())
    assert sorted(cluster.accounts) == ["pair0", "pair1"]


def test_election_config_is_tighter_and_window_override_applies_everywhere():
    default, election = DetectConfig(), DetectConfig.election()
    assert election.min_shared_events < default.min_shared_events
    assert election.min_cluster_size < default.min_cluster_size
    assert election.null_quantile < default.null_quantile
    assert {w for _, w in default.with_window(42).windows} == {42.0}
    assert [b for b, _ in DEFAULT_WINDOWS] == CONTENT
    with pytest.raises(ValueError):
        default.with_window(0)
