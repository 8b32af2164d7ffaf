"""The feed interface: declared, versioned functions of published inputs.

A feed has two steps. ``gather`` reads the database (a few indexed queries) and
returns ``Inputs``: the candidate posts with their public signals (time, replies,
boosts, likes) and the reader's own choice. ``rank`` is a pure function of
``(viewer, inputs)``: it reads nothing else (no database, no settings, no clock)
and returns ``Ranked`` post ids, each with the factors that placed it. So a
ranking can be replayed and checked: ``ranking_hash`` is a SHA-256 over canonical
JSON of (feed, version, inputs, ranking).

A feed returns ids only: the server hydrates them through the one visibility rule
(``feeds.hydrate``), so a feed can neither show nor inject what the reader may not
see. Its parameters are constants published on ``/about/feeds/<id>``; no setting,
account or server name can tune it (``tests/timelines/test_no_knob.py``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from django.core.cache import cache
from django.db import connection

from rostra.accounts.models import Account
from rostra.timelines.pagination import Page

Value = int | float | str | bool


class FeedError(ValueError):
    """A feed that does not exist, or a choice it does not take; the message says which."""

    def __init__(self, message: str, field: str = "feed"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Parameter:
    """A published constant of a feed, with what it means in plain language."""

    name: str
    value: Value
    description: str


@dataclass(frozen=True)
class Row:
    """One candidate post and the public signals a feed may rank it by."""

    post_id: int
    author_id: int
    published: int  # Unix seconds
    replies: int = 0
    boosts: int = 0
    likes: int = 0
    author_posts: int = 0  # the author's posts in the feed's window (when it counts them)


@dataclass(frozen=True)
class Inputs:
    """Everything ``rank`` may use: the time of reading, the reader's choice, the rows."""

    now: int  # Unix seconds
    choice: str = ""
    rows: tuple[Row, ...] = ()
    context: dict[str, Value] = field(default_factory=dict)  # e.g. the tag or list title

    def as_json(self) -> dict:
        return {"now": self.now, "choice": self.choice, "context": dict(self.context),
                "rows": sorted((flat(r) for r in self.rows), key=lambda r: r["post_id"])}


@dataclass(frozen=True)
class Ranked:
    """A post id at its place, with its score and the factors that put it there."""

    post_id: int
    author_id: int
    score: float
    reasons: dict[str, Value]


class Feed:
    """A feed definition. Subclasses set the class attributes and the two steps."""

    id: ClassVar[str]
    name: ClassVar[str]
    version: ClassVar[int]
    changelog: ClassVar[tuple[tuple[int, str, str], ...]]  # (version, ISO date, change)
    description: ClassVar[str]
    parameters: ClassVar[tuple[Parameter, ...]] = ()
    factors: ClassVar[dict[str, str]] = {}  # reason key -> its plain-language label
    profiling: ClassVar[bool] = False  # uses what the reader did (likes, reads, ...)
    amplifies: ClassVar[bool] = True  # reorders/selects beyond time: demotions apply
    paged_by_id: ClassVar[bool] = False  # newest first, paged by post id like home
    takes_choice: ClassVar[bool] = False  # needs the reader's choice (topic)

    def gather(self, viewer: Account, choice: str, now: datetime, page: Page) -> Inputs:
        raise NotImplementedError

    def rank(self, viewer: Account, inputs: Inputs) -> list[Ranked]:
        raise NotImplementedError

    def check_choice(self, viewer: Account, choice: str) -> str:
        """The normalised choice, or ``FeedError``. Feeds without choices take none."""
        if choice:
            raise FeedError(f"The feed {self.id} takes no choice", "choice")
        return ""

    def title_for(self, viewer: Account, choice: str) -> str:
        return self.name


REGISTRY: dict[str, Feed] = {}
DEFAULT_FEED = "chronological"  # home: newest first, needs no pin, profiles nobody


def register(cls: type[Feed]) -> type[Feed]:
    """Class decorator: add a feed to the registry under its ``id``."""
    REGISTRY[cls.id] = cls()
    return cls


def get_feed(feed_id: str) -> Feed:
    found = REGISTRY.get(feed_id)
    if found is None:
        raise FeedError(f"There is no feed called {feed_id!r}")
    return found


def all_feeds() -> list[Feed]:
    """Every registered feed: home first, then by name."""
    return sorted(REGISTRY.values(), key=lambda f: (f.id != DEFAULT_FEED, f.name))


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def flat(item: Row | Ranked) -> dict[str, Any]:
    """``dataclasses.asdict`` without its deep copy, which cost more than the ranking
    itself: rows and rankings hold scalars (and ``reasons``, a dict of scalars)."""
    return dict(vars(item))


def ranking_hash(feed_id: str, version: int, inputs: Inputs, ranked: list[Ranked]) -> str:
    """SHA-256 (hex) over canonical JSON of a ranking and all it was computed from:
    anyone holding the inputs can recompute the ranking and compare."""
    body = {"feed": feed_id, "version": version, "inputs": inputs.as_json(),
            "ranked": [flat(r) for r in ranked]}
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def epoch(when: datetime) -> int:
    return int(when.timestamp())


def hours_ago(inputs: Inputs, row: Row) -> float:
    """How long before the reading a post was published, in hours (one decimal)."""
    return round(max(0, inputs.now - row.published) / 3600, 1)


def by_score(rows: list[Ranked]) -> list[Ranked]:
    """Highest score first; ties go to the newer post (larger id): a total order, so
    the same inputs always give the same ranking whatever their order."""
    return sorted(rows, key=lambda r: (-r.score, -r.post_id))


T = TypeVar("T")


def kept(key: str, seconds: int, compute: Callable[[], T]) -> T:
    """``compute()``, kept ``seconds`` in the shared cache under ``key``. Inside a
    transaction the reader may see writes not yet committed (and perhaps never):
    what it computes then is neither kept for others nor taken from them."""
    shared = not connection.in_atomic_block
    value = cache.get(key) if shared else None
    if value is None:
        value = compute()
        if shared:
            cache.set(key, value, seconds)
    return value
