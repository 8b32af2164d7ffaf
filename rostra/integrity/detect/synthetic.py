"""Synthetic worlds with known answers: organic activity that looks coordinated by
accident (viral bursts, breaking news, fandoms, memes, "good morning") and planted
coordinated groups, so detectors can be scored on precision and recall.

``generate_world(n_messages, seed, **knobs)`` returns a :class:`World` of exactly
``n_messages`` time-sorted :class:`Message` records, its accounts and the planted
groups (ground truth). The same seed and knobs give the same world. Numpy draws
the bulk (authors, times, words) so a million messages take seconds.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from .records import (
    CO_BOOST,
    CO_HASHTAG,
    CO_IMAGE,
    CO_LINK,
    CO_REPLY,
    CO_TEXT,
    NEAR_DUPLICATE_TEXT,
    AccountInfo,
    Message,
)

CONTENT_BEHAVIOURS = (CO_BOOST, CO_REPLY, CO_LINK, CO_TEXT, NEAR_DUPLICATE_TEXT,
                      CO_HASHTAG, CO_IMAGE)
STYLES = ("fast", "jittered", "slow_evader")
CSV_HEADER = ("message_id", "user_id", "username", "repost_id", "reply_id", "message",
              "timestamp", "urls")
DAY = 86400.0
# Posting intensity by hour of day (evening peak, night trough).
HOURLY = np.array([2, 1.2, .8, .6, .6, .8, 1.5, 3, 4, 4.5, 4.5, 5, 5.5, 5, 4.8, 4.8,
                   5, 5.5, 6.5, 7, 7, 6, 4.5, 3], dtype=float)
SHORT_TEXTS = ("good morning", "gm", "good night", "thank you!", "lol", "same",
               "this.", "so true", "congratulations!", "happy friday")
FIRST = ("anna maria john mark laura paul sara david elena peter julia tom nina alex "
         "lucas emma noah mia leon sofia jan eva ben lena max ida oscar clara felix "
         "hugo ella marta ivan olga marco giulia pablo lucia hans greta").split()
LAST = ("smith jones muller rossi garcia novak schmidt dubois silva kowalski jensen "
        "martin bauer weber fischer lopez costa ferrari moreau nielsen horvat").split()
NEWS_DOMAINS = ("bbc.co.uk", "reuters.com", "theguardian.com", "lemonde.fr",
                "spiegel.de", "elpais.com", "apnews.com", "nytimes.com", "politico.eu",
                "euronews.com")
OTHER_DOMAINS = ("youtube.com", "github.com", "wikipedia.org", "medium.com",
                 "substack.com", "instagram.com", "flickr.com", "arxiv.org")


@dataclass(frozen=True)
class Knobs:
    """What shapes a world; every field may be passed to ``generate_world``."""

    days: float = 7.0
    start: float = 1_704_067_200.0  # 2024-01-01 UTC
    messages_per_user: float = 25.0  # sets the number of accounts
    activity_alpha: float = 1.3  # Pareto tail of posts per account
    boost_share: float = 0.25
    reply_share: float = 0.15
    link_share: float = 0.2
    hashtag_share: float = 0.15
    image_share: float = 0.04
    short_text_share: float = 0.03
    viral_per_100k: float = 4.0  # posts boosted/replied by hundreds within minutes
    news_per_100k: float = 4.0  # a URL shared by hundreds within an hour
    fandoms_per_100k: float = 2.0  # fans boosting one star at independent times
    memes_per_100k: float = 3.0  # one image reposted by many over days
    groups: int = 6
    group_size: tuple[int, int] = (8, 60)
    behaviours_per_group: tuple[int, int] = (2, 3)
    actions: tuple[int, int] = (8, 16)  # per group and behaviour
    participation: tuple[float, float] = (0.5, 0.9)
    fast_jitter: float = 10.0  # seconds (exponential scale, capped at 60)
    jitter: float = 180.0  # "jittered": uniform over this many seconds
    evader_spread: float = 1200.0  # "slow_evader": uniform over this many seconds
    burst_creation_share: float = 0.5  # groups created in a burst with a handle template


@dataclass
class PlantedGroup:
    """One coordinated group: who, doing what, how. ``seeds`` are the accounts whose
    posts the group boosts (they do not coordinate themselves; scoring ignores them)."""

    name: str
    accounts: list[str]
    behaviours: tuple[str, ...]
    style: str
    seeds: list[str] = field(default_factory=list)
    created_in_burst: bool = False
    handle_template: str = ""


@dataclass
class World:
    messages: list[Message]
    accounts: list[AccountInfo]
    groups: list[PlantedGroup]
    knobs: Knobs
    seed: int
    planted: dict[str, tuple[int, str]]  # message id -> (group index, behaviour)
    traps: dict[str, set[str]]  # "viral"/"news"/"fandom"/"meme" -> organic accounts

    def truth(self, behaviour: str | None = None) -> set[str]:
        """Accounts of groups performing ``behaviour`` (any behaviour if None)."""
        return {a for g in self.groups if behaviour is None or behaviour in g.behaviours
                for a in g.accounts}

    def ignored(self) -> set[str]:
        return {a for g in self.groups for a in g.seeds}

    def write_csv(self, path: str | Path, image_column: bool = False) -> Path:
        """The toolkit's CSV (Unix-second timestamps, space-separated URLs); with
        ``image_column`` a ninth column of space-separated PDQ hashes (ours only)."""
        path = Path(path)
        header = CSV_HEADER + (("image_hashes",) if image_column else ())
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            for m in self.messages:
                row = [m.message_id, m.user_id, m.username, m.repost_id, m.reply_id,
                       m.text, f"{m.timestamp:.0f}", " ".join(m.urls)]
                if image_column:
                    row.append(" ".join(m.image_hashes))
                w.writerow(row)
        return path

    def write_accounts_csv(self, path: str | Path) -> Path:
        path = Path(path)
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(("user_id", "username", "created_at"))
            w.writerows((a.user_id, a.username, f"{a.created_at:.0f}") for a in self.accounts)
        return path


def _vocabulary() -> np.ndarray:
    """5,000 pronounceable pseudo-words behind 40 common English ones (fixed)."""
    r = np.random.default_rng(20240101)
    cons, vows = list("bcdfghklmnprstvz") + ["ch", "sh", "tr", "st"], list("aeiou")
    common = ("the a to of and in is it you that for on this was with are be my at "
              "not have just so but we all like they what about from more today "
              "people new now time one can").split()
    words, seen = list(common), set(common)
    while len(words) < 5000:
        w = "".join(cons[r.integers(len(cons))] + vows[r.integers(5)]
                    for _ in range(r.integers(1, 4))) + ("n" if r.random() < .3 else "")
        if w not in seen:
            seen.add(w)
            words.append(w)
    return np.array(words, dtype=object)


VOCAB = _vocabulary()
_ZIPF = 1.0 / (np.arange(len(VOCAB)) + 2.7) ** 1.07
_ZIPF /= _ZIPF.sum()


class _Builder:
    """Accumulates messages before sorting; targets are pre-sort indices."""

    def __init__(self, rng: np.random.Generator, k: Knobs):
        self.rng, self.k = rng, k
        self.ts: list[np.ndarray] = []
        self.author: list[np.ndarray] = []
        self.kind: list[np.ndarray] = []  # 0 original, 1 boost, 2 reply
        self.target: list[np.ndarray] = []
        self.text: list[str] = []
        self.urls: list[tuple[str, ...]] = []
        self.images: list[tuple[str, ...]] = []
        self.n = 0

    def add(self, ts, author, kind, target=None, text=None, urls=None, images=None):
        ts = np.asarray(ts, dtype=float)
        m = len(ts)
        self.ts.append(ts)
        self.author.append(np.asarray(author, dtype=np.int64))
        self.kind.append(np.full(m, kind, dtype=np.int8))
        self.target.append(np.full(m, -1, np.int64) if target is None
                           else np.asarray(target, dtype=np.int64))
        self.text.extend(text if text is not None else [""] * m)
        self.urls.extend(urls if urls is not None else [()] * m)
        self.images.extend(images if images is not None else [()] * m)
        first, self.n = self.n, self.n + m
        return np.arange(first, self.n)

    # -- draws ---------------------------------------------------------------------
    def times(self, n: int) -> np.ndarray:
        """Organic times: a uniform day, an hour by the daily rhythm, a second."""
        r = self.rng
        hour = r.choice(24, size=n, p=HOURLY / HOURLY.sum())
        day = r.integers(0, max(1, int(self.k.days)), size=n)
        return self.k.start + day * DAY + hour * 3600.0 + r.random(n) * 3600.0

    def texts(self, n: int, lo: int = 4, hi: int = 25) -> list[str]:
        r = self.rng
        lengths = r.integers(lo, hi, size=n)
        words = VOCAB[r.choice(len(VOCAB), size=int(lengths.sum()), p=_ZIPF)]
        ends = np.cumsum(lengths)
        return [" ".join(words[e - n_:e])
                for e, n_ in zip(ends.tolist(), lengths.tolist(), strict=True)]

    def hex_hashes(self, n: int) -> list[str]:
        raw = self.rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
        return [row.tobytes().hex() for row in raw]

    def slugs(self, n: int) -> list[str]:
        """URL paths: four words and a number, nearly always unique."""
        w = VOCAB[self.rng.integers(40, len(VOCAB), size=(n, 4))].tolist()
        num = self.rng.integers(10**5, 10**6, size=n).tolist()
        return [f"{a}-{b}-{c}-{d}-{x}" for (a, b, c, d), x in zip(w, num, strict=True)]

    def slug(self) -> str:
        return self.slugs(1)[0]


def generate_world(n_messages: int, seed: int = 0, **knobs) -> World:
    """A world of exactly ``n_messages`` messages; see :class:`Knobs` for the knobs."""
    from .synthetic_groups import plant_groups  # the planted half, kept apart

    names = {f.name for f in fields(Knobs)}
    unknown = sorted(set(knobs) - names)
    if unknown:
        raise TypeError(f"unknown world knob(s) {unknown}; known: {sorted(names)}")
    if n_messages < 1000:
        raise ValueError("a world needs at least 1,000 messages")
    k = Knobs(**knobs)
    rng = np.random.default_rng(seed)
    b = _Builder(rng, k)
    n_users = max(300, int(n_messages / k.messages_per_user))
    activity = rng.pareto(k.activity_alpha, n_users) + 1.0
    accounts = _accounts(rng, n_users, k)
    plan = plant_groups(b, n_users, {a.username for a in accounts})
    accounts += plan.accounts  # planted accounts take the user indices after organic ones
    activity = np.concatenate([activity, plan.activity])
    if plan.n_messages > n_messages // 2:
        raise ValueError(f"{n_messages} messages are too few for the planted groups' "
                         f"{plan.n_messages}; ask for more messages or fewer groups")
    trap_idx = _organic(b, n_messages - plan.n_messages, len(accounts),
                        activity / activity.sum())
    plan.emit(b)
    assert b.n == n_messages, (b.n, n_messages)
    messages = _finish(b, accounts)
    planted = dict(plan.labels(b))
    traps = {name: {accounts[i].user_id for i in idx.tolist()}
             for name, idx in trap_idx.items()}
    return World(messages, accounts, plan.groups, k, seed, planted, traps)


def _accounts(rng: np.random.Generator, n: int, k: Knobs) -> list[AccountInfo]:
    """Organic accounts: common handle styles, created over three years by the daily
    rhythm, with two sign-up waves (a day when many joined)."""
    hour = rng.choice(24, size=n, p=HOURLY / HOURLY.sum())
    day = rng.integers(1, 3 * 365, size=n).astype(float)
    wave = rng.random(n) < 0.05
    day[wave] = rng.choice([40.0, 400.0], size=int(wave.sum()))
    created = k.start - day * DAY + hour * 3600.0 + rng.random(n) * 3600.0
    first, last = rng.integers(len(FIRST), size=n), rng.integers(len(LAST), size=n)
    style = rng.integers(0, 5, size=n)
    digits = rng.integers(0, 10000, size=n)
    year = rng.integers(1955, 2006, size=n)
    out, seen = [], set()
    for i in range(n):
        f, la = FIRST[first[i]], LAST[last[i]]
        name = (f + la, f"{f}_{la}", f"{f}{digits[i] % 100}", f"{f}{la}{year[i]}",
                f"{VOCAB[40 + digits[i] % 4000]}{f}")[style[i]]
        while name in seen:
            name += str(int(rng.integers(10)))
        seen.add(name)
        out.append(AccountInfo(str(i + 1), name, float(created[i])))
    return out


def _organic(b: _Builder, n: int, n_users: int, p_author: np.ndarray) -> dict:
    """Organic messages, ``n`` of them; returns the trap participants by kind."""
    r, k = b.rng, b.k
    scale = n / 100_000
    n_viral = max(1, int(r.poisson(k.viral_per_100k * scale)))
    n_news = max(1, int(r.poisson(k.news_per_100k * scale)))
    n_fandom = max(1, int(r.poisson(k.fandoms_per_100k * scale)))
    n_memes = max(1, int(r.poisson(k.memes_per_100k * scale)))
    n_orig = int(n * (1 - k.boost_share - k.reply_share))
    # Originals first: their indices are 0..n_orig-1, targets for everything else.
    authors = r.choice(n_users, size=n_orig, p=p_author)
    ts = b.times(n_orig)
    texts = b.texts(n_orig)
    short = np.flatnonzero(r.random(n_orig) < k.short_text_share)
    picks = r.integers(len(SHORT_TEXTS), size=len(short)).tolist()
    for i, s in zip(short.tolist(), picks, strict=True):
        texts[i] = SHORT_TEXTS[s]
    tags = np.flatnonzero(r.random(n_orig) < k.hashtag_share)
    tag_words = VOCAB[r.choice(300, size=len(tags), p=_ZIPF[:300] / _ZIPF[:300].sum()) + 40]
    for i, w in zip(tags.tolist(), tag_words.tolist(), strict=True):
        texts[i] += f" #{w}"
    urls = [()] * n_orig
    linked = np.flatnonzero(r.random(n_orig) < k.link_share)
    domains = np.minimum(r.zipf(1.6, len(linked)) - 1, 17).tolist()
    for i, d, path in zip(linked.tolist(), domains, b.slugs(len(linked)), strict=True):
        urls[i] = (f"https://{(NEWS_DOMAINS + OTHER_DOMAINS)[d]}/{path}",)
    images = [()] * n_orig
    with_img = np.flatnonzero(r.random(n_orig) < k.image_share)
    for i, h in zip(with_img.tolist(), b.hex_hashes(len(with_img)), strict=True):
        images[i] = (h,)
    traps = {"viral": [], "news": [], "fandom": [], "meme": []}
    # Breaking news and memes rewrite some originals in place (same budget).
    sharer_p = np.sqrt(p_author) / np.sqrt(p_author).sum()
    for _ in range(n_news):
        url, headline = f"https://{NEWS_DOMAINS[r.integers(10)]}/{b.slug()}", b.texts(1, 8, 14)[0]
        m = int(min(r.integers(100, 400), n_orig // 20, n_users // 2))
        idx = r.choice(n_orig, size=m, replace=False)
        who = r.choice(n_users, size=m, replace=False, p=sharer_p)
        t0 = b.times(1)[0]
        ts[idx], authors[idx] = t0 + r.exponential(900, m), who
        for i in idx.tolist():
            urls[i] = (url,)
            if r.random() < 0.3:
                texts[i] = headline
        traps["news"].extend(who.tolist())
    for _ in range(n_memes):
        h = b.hex_hashes(1)[0]
        m = int(min(r.integers(20, 100), n_orig // 50))
        idx = r.choice(n_orig, size=m, replace=False)
        for i in idx.tolist():
            images[i] = (h,)
        traps["meme"].extend(authors[idx].tolist())
    b.add(ts, authors, 0, text=texts, urls=urls, images=images)
    top = np.argsort(p_author)[-max(10, n_users // 50):]  # the 2% most active accounts
    popular = np.flatnonzero(np.isin(authors, top))
    left = n - n_orig
    # Viral bursts: hundreds boost and reply within minutes.
    for _ in range(n_viral):
        if left < 1000:
            break
        target = int(r.choice(popular))
        m = int(min(r.integers(200, 800), n_users // 2, left // 2))
        who = r.choice(n_users, size=m, replace=False, p=sharer_p)
        delay = r.exponential(r.uniform(120, 600), m) + 5
        n_rep = m // 5
        b.add(ts[target] + delay[n_rep:], who[n_rep:], 1, target=np.full(m - n_rep, target))
        b.add(ts[target] + delay[:n_rep], who[:n_rep], 2, target=np.full(n_rep, target),
              text=b.texts(n_rep, 1, 12))
        traps["viral"].extend(who.tolist())
        left -= m
    # Fandoms: fans boost a star's posts, each at their own time (hours).
    for _ in range(n_fandom):
        if left < 1000:
            break
        star = int(authors[r.choice(popular)])
        posts = np.flatnonzero(authors == star)[:40]
        fans = r.choice(n_users, size=int(min(r.integers(30, 120), n_users // 3)), replace=False)
        for p_ in posts.tolist():
            who = fans[r.random(len(fans)) < r.uniform(0.3, 0.6)]
            b.add(ts[p_] + r.lognormal(np.log(2400), 1.0, len(who)), who, 1,
                  target=np.full(len(who), p_))
            left -= len(who)
        traps["fandom"].extend(fans.tolist())
    # Everyday boosts and replies: popular authors' posts, delays of minutes to hours.
    n_rep = int(left * k.reply_share / (k.boost_share + k.reply_share))
    pop = p_author[authors] ** 1.2
    pop /= pop.sum()
    for kind, m in ((1, left - n_rep), (2, n_rep)):
        target = r.choice(n_orig, size=m, p=pop)
        who = r.choice(n_users, size=m, p=p_author)
        b.add(ts[target] + r.lognormal(np.log(1800), 1.3, m), who, kind, target=target,
              text=b.texts(m, 1, 15) if kind == 2 else None)
    return {name: np.unique(np.array(v, dtype=np.int64)) for name, v in traps.items()}


def _finish(b: _Builder, accounts: list[AccountInfo]) -> list[Message]:
    """Sort by time, number the messages 1..n in that order, resolve targets."""
    ts = np.concatenate(b.ts)
    author = np.concatenate(b.author)
    kind = np.concatenate(b.kind)
    target = np.concatenate(b.target)
    order = np.argsort(ts, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(1, len(order) + 1)
    b.rank = rank
    ids = [str(i) for i in range(1, len(order) + 1)]
    uid = [a.user_id for a in accounts]
    uname = [a.username for a in accounts]
    ref = np.where(target >= 0, rank[np.maximum(target, 0)], 0)[order].tolist()
    text, urls, images = b.text, b.urls, b.images
    out = []
    columns = zip(order.tolist(), author[order].tolist(), kind[order].tolist(),
                  ts[order].tolist(), ref, strict=True)
    for j, (i, a, kd, t, r_) in enumerate(columns):
        r_s = ids[r_ - 1] if r_ else ""
        out.append(Message(ids[j], uid[a], uname[a], r_s if kd == 1 else "",
                           r_s if kd == 2 else "", text[i], t, urls[i], images[i]))
    return out
