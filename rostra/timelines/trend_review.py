"""Moderator review of trends, as on Mastodon: with ``ROSTRA_TRENDS_REVIEW`` on, a
tag, post or link trends publicly only once a moderator approved it; rejected
items never do. With review off (the default) every computed trend is public and
rejected items are still left out (a moderator's "no" always holds).

Review changes what may be shown, never a score or an order: the ranking is the
published one, and the moderation page lists its candidates as computed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from rostra.accounts.models import Account
from rostra.timelines import events
from rostra.timelines.models import TrendReview

Kind = TrendReview.Kind
Status = TrendReview.Status


def required() -> bool:
    """Whether items need a moderator's approval before they trend publicly."""
    return bool(getattr(settings, "ROSTRA_TRENDS_REVIEW", False))


def key_for(kind: str, key: object) -> str:
    return str(key).lower() if kind == Kind.TAG else str(key)


def decisions(kind: str, keys: Iterable[object]) -> dict[str, str]:
    """The decision on each of ``keys`` that has one: {key: "approved" | "rejected"}."""
    wanted = {key_for(kind, k) for k in keys}
    if not wanted:
        return {}
    return dict(TrendReview.objects.filter(kind=kind, key__in=wanted)
                .values_list("key", "status"))


def publishable(kind: str, keys: Iterable[object]) -> set[str]:
    """Those of ``keys`` that may trend publicly now (as ``key_for`` strings)."""
    keys = [key_for(kind, k) for k in keys]
    found = decisions(kind, keys)
    if required():
        return {k for k in keys if found.get(k) == Status.APPROVED}
    return {k for k in keys if found.get(k) != Status.REJECTED}


def publishable_posts(qs: QuerySet) -> QuerySet:
    """``qs`` (posts) narrowed to those that may trend publicly."""
    approved = TrendReview.objects.filter(kind=Kind.STATUS)
    if required():
        return qs.filter(id__in=[int(k) for k in approved.filter(status=Status.APPROVED)
                                 .values_list("key", flat=True) if k.isdigit()])
    rejected = [int(k) for k in approved.filter(status=Status.REJECTED)
                .values_list("key", flat=True) if k.isdigit()]
    return qs.exclude(id__in=rejected) if rejected else qs


def decide(kind: str, key: object, status: str, moderator: Account | None) -> TrendReview:
    """Approve or reject a trend candidate (again: the last decision holds).
    Raises ``ValueError`` for an unknown kind or decision."""
    if kind not in Kind.values:
        raise ValueError(f"Unknown kind of trend {kind!r}: use tag, status or link")
    if status not in Status.values:
        raise ValueError(f"Unknown decision {status!r}: use approved or rejected")
    key = key_for(kind, key)
    if not key or (kind == Kind.STATUS and not key.isdigit()):
        raise ValueError("Name the tag, post id or link to decide on")
    review, _ = TrendReview.objects.update_or_create(
        kind=kind, key=key, defaults={"status": status, "decided_by": moderator,
                                      "decided_at": timezone.now()})
    transaction.on_commit(lambda: events.trend_decided.send(TrendReview, review=review))
    return review


# --- for the admin API (Mastodon's admin trends) ---------------------------------

def trendable(decision: str | None) -> bool:
    """Whether an item whose decision is ``decision`` (None or "": none yet) may
    trend publicly now: the rule of ``publishable``, for one item."""
    if required():
        return decision == Status.APPROVED
    return decision != Status.REJECTED


def awaits_review(decision: str | None) -> bool:
    """Whether the item waits for a moderator: review is on and nobody decided yet."""
    return required() and not decision


def link_id(url: str) -> str:
    """A stable numeric id for a link (the API names links by id, as Mastodon's
    PreviewCard; links here are keyed by URL and stored nowhere else): 63 bits of
    the URL's SHA-256, as a decimal string."""
    return str(int.from_bytes(hashlib.sha256(url.encode()).digest()[:8], "big") >> 1)


def decided_keys(kind: str) -> list[str]:
    """The keys of every item of ``kind`` a moderator has decided on."""
    return list(TrendReview.objects.filter(kind=kind).values_list("key", flat=True))
