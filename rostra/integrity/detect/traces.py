"""From messages to events: for each behaviour, the (account, trace, time,
message) rows the co-occurrence step reads. A trace is what two accounts must
share to act "together": the boosted post, the replied-to post, the canonical
URL, the normalised text, the near-duplicate family, the hashtag set, the image
family. Reposts only count as boosts (their text and links are the original's)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .config import DetectConfig
from .families import image_families, near_duplicate_families
from .normalise import hashtag_set, is_substantial, normalise_text, normalise_url
from .records import (
    CO_BOOST,
    CO_HASHTAG,
    CO_IMAGE,
    CO_LINK,
    CO_REPLY,
    CO_TEXT,
    NEAR_DUPLICATE_TEXT,
    Message,
)

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
CONTENT_BEHAVIOURS = (CO_BOOST, CO_REPLY, CO_LINK, CO_TEXT, NEAR_DUPLICATE_TEXT, CO_HASHTAG,
                      CO_IMAGE)


@dataclass
class Events:
    """Parallel arrays, one row per (message, trace)."""

    account: np.ndarray  # int64 index into Corpus.accounts
    trace: np.ndarray  # int64, dense per behaviour
    time: np.ndarray  # float64 Unix seconds
    message: np.ndarray  # int64 index into Corpus.message_ids

    def __len__(self) -> int:
        return len(self.account)


@dataclass
class Corpus:
    accounts: list[str]  # user ids by index
    usernames: dict[str, str]
    message_ids: list[str]
    times: np.ndarray  # per message
    authors: np.ndarray  # per message: account index
    events: dict[str, Events]


class _Collector:
    __slots__ = ("account", "trace", "time", "message", "traces")

    def __init__(self) -> None:
        self.account: list[int] = []
        self.trace: list[int] = []
        self.time: list[float] = []
        self.message: list[int] = []
        self.traces: dict[object, int] = {}

    def add(self, account: int, trace: object, time: float, message: int) -> None:
        index = self.traces.get(trace)
        if index is None:
            index = self.traces[trace] = len(self.traces)
        self.account.append(account)
        self.trace.append(index)
        self.time.append(time)
        self.message.append(message)

    def events(self) -> Events:
        return Events(np.asarray(self.account, dtype=np.int64),
                      np.asarray(self.trace, dtype=np.int64),
                      np.asarray(self.time, dtype=np.float64),
                      np.asarray(self.message, dtype=np.int64))


def _relabel(events: Events, labels: np.ndarray, min_members: int) -> Events:
    """Events with each trace replaced by its family, keeping only families that
    join at least ``min_members`` distinct traces."""
    if not len(events):
        return events
    family = labels[events.trace]
    distinct = np.bincount(labels, minlength=int(labels.max()) + 1 if len(labels) else 0)
    keep = distinct[family] >= min_members
    return Events(events.account[keep], family[keep], events.time[keep], events.message[keep])


def _without_lone_variants(events: Events, families: np.ndarray) -> Events:
    """Identical-text events without the texts one account alone wrote that
    paraphrase a family of texts: those are near-duplicate evidence, and left in,
    a template's many variants would weigh as unrelated activity and drown the
    identical copies the same accounts also posted."""
    if not len(events):
        return events
    n_traces = int(events.trace.max()) + 1
    pairs = np.unique(events.trace * (int(events.account.max()) + 1) + events.account)
    writers = np.bincount(pairs // (int(events.account.max()) + 1), minlength=n_traces)
    family_size = np.bincount(families, minlength=int(families.max()) + 1)
    lone_variant = (writers[events.trace] == 1) & (family_size[families[events.trace]] >= 2)
    keep = ~lone_variant
    return Events(events.account[keep], events.trace[keep], events.time[keep],
                  events.message[keep])


def extract(messages: Iterable[Message], config: DetectConfig) -> Corpus:
    """One pass over the messages, then the family steps (near-duplicate text,
    near-identical images) in numpy."""
    collectors = {b: _Collector() for b in CONTENT_BEHAVIOURS if b != NEAR_DUPLICATE_TEXT}
    boost, reply, link, text, tags, image = (collectors[b] for b in (
        CO_BOOST, CO_REPLY, CO_LINK, CO_TEXT, CO_HASHTAG, CO_IMAGE))
    account_index: dict[str, int] = {}
    usernames: dict[str, str] = {}
    message_ids: list[str] = []
    times: list[float] = []
    authors: list[int] = []
    url_cache: dict[str, str] = {}
    for i, m in enumerate(messages):
        a = account_index.get(m.user_id)
        if a is None:
            a = account_index[m.user_id] = len(account_index)
            usernames[m.user_id] = m.username
        t = float(m.timestamp)
        message_ids.append(m.message_id)
        times.append(t)
        authors.append(a)
        if m.repost_id:
            boost.add(a, m.repost_id, t, i)
            continue
        if m.reply_id:
            reply.add(a, m.reply_id, t, i)
        for url in set(m.urls):
            canonical = url_cache.get(url)
            if canonical is None:
                canonical = url_cache[url] = normalise_url(url)
            link.add(a, canonical, t, i)
        for pdq in set(m.image_hashes):
            if _HEX64.fullmatch(pdq):
                image.add(a, pdq.lower(), t, i)
        if "#" in m.text:
            hashtags = hashtag_set(m.text)
            if len(hashtags) >= config.min_hashtags:
                tags.add(a, hashtags, t, i)
        normalised = normalise_text(m.text)
        if is_substantial(normalised, config.min_text_chars, config.min_text_words):
            text.add(a, normalised, t, i)
    events = {b: c.events() for b, c in collectors.items()}
    texts = [s.split() for s in text.traces]  # dict order = trace index order
    families = near_duplicate_families(texts, config.near_duplicate_threshold,
                                       config.minhash_permutations, config.shingle_words)
    events[NEAR_DUPLICATE_TEXT] = _relabel(events[CO_TEXT], families, 2)
    events[CO_TEXT] = _without_lone_variants(events[CO_TEXT], families)
    events[CO_IMAGE] = _relabel(events[CO_IMAGE], image_families(
        list(image.traces), config.image_max_distance), 1)
    return Corpus(accounts=list(account_index), usernames=usernames, message_ids=message_ids,
                  times=np.asarray(times, dtype=np.float64),
                  authors=np.asarray(authors, dtype=np.int64),
                  events={b: events[b] for b in CONTENT_BEHAVIOURS})
