"""Finding people: follow suggestions and the profile directory.

Suggestions are explainable and use nothing but the follow graph (no reading,
liking or location history):

1. ``friends_of_friends``: accounts followed by accounts you follow, ranked by
   how many of the accounts you follow follow them (then by their followers);
2. ``most_followed``: active local accounts (posted in the last
   ``ACTIVE_DAYS`` days) with the most followers.

Never suggested: yourself, accounts you follow or asked to follow, accounts you
block, mute or that block you, accounts you dismissed, suspended, moved or
non-discoverable accounts, and local accounts whose log-in is not approved.

The directory lists discoverable accounts the same filters allow, by recent
activity (``active``) or by creation (``new``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from rostra.accounts.models import (
    Account,
    Block,
    Follow,
    FollowRequest,
    Mute,
    SuggestionDismissal,
)
from rostra.accounts.services import active_mutes_q

ACTIVE_DAYS = 30
FRIENDS_OF_FRIENDS = "friends_of_friends"
MOST_FOLLOWED = "most_followed"


@dataclass(frozen=True)
class Suggestion:
    account: Account
    source: str  # FRIENDS_OF_FRIENDS or MOST_FOLLOWED


def listable() -> QuerySet[Account]:
    """Accounts that may be shown to strangers: discoverable, not suspended or
    limited, not moved, and (if local) with an approved, active log-in."""
    return Account.objects.filter(discoverable=True, suspended_at__isnull=True,
                                  limited_at__isnull=True, moved_to__isnull=True).filter(
        Q(domain__gt="") | Q(user__approved=True, user__is_active=True))


def _hidden_from(viewer: Account) -> QuerySet[Account]:
    """Accounts ``viewer`` blocks, mutes, or is blocked by (as a subquery)."""
    return Account.objects.filter(
        Q(pk__in=Block.objects.filter(account=viewer).values("target_account_id"))
        | Q(pk__in=Block.objects.filter(target_account=viewer).values("account_id"))
        | Q(pk__in=Mute.objects.filter(active_mutes_q(), account=viewer)
            .values("target_account_id"))).values("pk")


def _candidates(viewer: Account) -> QuerySet[Account]:
    return (listable().exclude(pk=viewer.pk)
            .exclude(pk__in=Follow.objects.filter(account=viewer).values("target_account_id"))
            .exclude(pk__in=FollowRequest.objects.filter(account=viewer)
                     .values("target_account_id"))
            .exclude(pk__in=SuggestionDismissal.objects.filter(account=viewer)
                     .values("target_account_id"))
            .exclude(pk__in=_hidden_from(viewer)))


def suggestions(viewer: Account, limit: int = 40) -> list[Suggestion]:
    """Up to ``limit`` accounts to follow, friends of friends first."""
    followed = Follow.objects.filter(account=viewer).values("target_account_id")
    friends = list(
        _candidates(viewer)
        .annotate(via=Count("followers_set", distinct=True,
                            filter=Q(followers_set__account_id__in=followed)))
        .filter(via__gt=0).order_by("-via", "-followers_count", "pk")[:limit])
    out = [Suggestion(a, FRIENDS_OF_FRIENDS) for a in friends]
    if len(out) < limit:
        since = timezone.now() - timedelta(days=ACTIVE_DAYS)
        popular = (_candidates(viewer).filter(domain="", last_status_at__gte=since)
                   .exclude(pk__in=[a.pk for a in friends])
                   .order_by("-followers_count", "-last_status_at", "pk")[: limit - len(out)])
        out += [Suggestion(a, MOST_FOLLOWED) for a in popular]
    return out


def dismiss_suggestion(viewer: Account, target: Account) -> None:
    SuggestionDismissal.objects.get_or_create(account=viewer, target_account=target)


def directory(viewer: Account | None, *, order: str = "active", local: bool = False,
              offset: int = 0, limit: int = 40) -> list[Account]:
    """Discoverable accounts, most recently active first (``order="active"``) or
    newest first (``order="new"``); ``local`` keeps this server's."""
    qs = listable()
    if local:
        qs = qs.filter(domain="")
    if viewer is not None:
        qs = qs.exclude(pk__in=_hidden_from(viewer))
    if order == "new":
        qs = qs.order_by("-created_at", "-pk")
    else:
        qs = qs.order_by(F("last_status_at").desc(nulls_last=True), "-pk")
    return list(qs[offset: offset + limit])
