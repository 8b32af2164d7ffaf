"""From messages to events: for each behaviour, the (account, trace, time,
message) rows the co-occurrence step reads. A trace is what two accounts must
share to act "together": the boosted post, the replied-to post, the canonical
URL, the normalised text, the near-duplicate family, the hashtag set, the image
family. Reposts only count as boosts (their text and links are the original's)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .config import DetectConfig
from .families import image_families, near_duplicate_families
from .normalise import hashtag_set, is_substantial, normalise_text, normalise_url
from .parallel import run_all
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


@dataclass
class _Scan:
    """What one slice of the messages gave, with slice-local account and trace
    numbers (merged in message order, they equal one pass over everything)."""

    users: list[str]
    usernames: list[str]
    message_ids: list[str]
    times: np.ndarray
    authors: np.ndarray
    events: dict[str, Events]
    traces: dict[str, list]


def _scan(messages: Sequence[Message], start: int, stop: int, config: DetectConfig) -> _Scan:
    collectors = {b: _Collector() for b in CONTENT_BEHAVIOURS if b != NEAR_DUPLICATE_TEXT}
    boost, reply, link, text, tags, image = (collectors[b] for b in (
        CO_BOOST, CO_REPLY, CO_LINK, CO_TEXT, CO_HASHTAG, CO_IMAGE))
    account_index: dict[str, int] = {}
    usernames: list[str] = []
    message_ids: list[str] = []
    times: list[float] = []
    authors: list[int] = []
    url_cache: dict[str, str] = {}
    min_hashtags, min_chars, min_words = (config.min_hashtags, config.min_text_chars,
                                          config.min_text_words)
    for i in range(start, stop):
        m = messages[i]
        a = account_index.get(m.user_id)
        if a is None:
            a = account_index[m.user_id] = len(account_index)
            usernames.append(m.username)
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
            if len(hashtags) >= min_hashtags:
                tags.add(a, hashtags, t, i)
        normalised = normalise_text(m.text)
        if is_substantial(normalised, min_chars, min_words):
            text.add(a, normalised, t, i)
    return _Scan(users=list(account_index), usernames=usernames, message_ids=message_ids,
                 times=np.asarray(times, dtype=np.float64),
                 authors=np.asarray(authors, dtype=np.int64),
                 events={b: c.events() for b, c in collectors.items()},
                 traces={b: list(c.traces) for b, c in collectors.items()})


def _renumber(index: dict, keys: list) -> np.ndarray:
    """Global numbers (first appearance first) for one slice's local keys."""
    return np.fromiter((index.setdefault(k, len(index)) for k in keys), dtype=np.int64,
                       count=len(keys))


def _merge(scans: list[_Scan]) -> tuple[Corpus, dict[str, list]]:
    account_index: dict[str, int] = {}
    usernames: dict[str, str] = {}
    trace_index: dict[str, dict] = {b: {} for b in scans[0].events}
    parts: dict[str, list[Events]] = {b: [] for b in scans[0].events}
    authors = []
    for scan in scans:
        accounts = _renumber(account_index, scan.users)
        for user, name in zip(scan.users, scan.usernames, strict=True):
            usernames.setdefault(user, name)
        authors.append(accounts[scan.authors])
        for behaviour, events in scan.events.items():
            traces = _renumber(trace_index[behaviour], scan.traces[behaviour])
            parts[behaviour].append(Events(accounts[events.account], traces[events.trace],
                                           events.time, events.message))
    events = {b: Events(*(np.concatenate([getattr(e, f) for e in es]) for f in
                          ("account", "trace", "time", "message")))
              for b, es in parts.items()}
    corpus = Corpus(accounts=list(account_index), usernames=usernames,
                    message_ids=[i for scan in scans for i in scan.message_ids],
                    times=np.concatenate([scan.times for scan in scans]),
                    authors=np.concatenate(authors), events=events)
    return corpus, {b: list(index) for b, index in trace_index.items()}


def scan(messages: Sequence[Message], config: DetectConfig, processes: int = 1
         ) -> tuple[Corpus, dict[str, list]]:
    """The per-message pass, in ``processes`` slices: the corpus with raw events (text
    and image traces not yet grouped into families) and each behaviour's traces
    in trace-number order."""
    parts = max(1, min(processes, len(messages) // 20_000))
    bounds = [len(messages) * k // parts for k in range(parts + 1)]
    scans = run_all([(_scan, (messages, bounds[k], bounds[k + 1], config))
                     for k in range(parts)], processes)
    return _merge(scans)


def text_events(raw: Events, texts: list[str], config: DetectConfig) -> dict[str, Events]:
    """Identical-text and near-duplicate events from the raw text events."""
    families = near_duplicate_families([s.split() for s in texts],
                                       config.near_duplicate_threshold,
                                       config.minhash_permutations, config.shingle_words)
    return {NEAR_DUPLICATE_TEXT: _relabel(raw, families, 2),
            CO_TEXT: _without_lone_variants(raw, families)}


def image_events(raw: Events, hashes: list[str], config: DetectConfig) -> dict[str, Events]:
    """Same-image events: PDQ hashes grouped into families of near-identical images."""
    return {CO_IMAGE: _relabel(raw, image_families(hashes, config.image_max_distance), 1)}


def extract(messages: Sequence[Message], config: DetectConfig) -> Corpus:
    """The whole corpus in this process: the pass, then the family steps (what
    ``engine.detect`` does in parallel jobs)."""
    corpus, traces = scan(list(messages), config)
    corpus.events.update(text_events(corpus.events[CO_TEXT], traces[CO_TEXT], config))
    corpus.events.update(image_events(corpus.events[CO_IMAGE], traces[CO_IMAGE], config))
    return corpus
