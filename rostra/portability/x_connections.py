"""Reconnecting people who knew each other on X: the local service.

An X archive holds its owner's X account id (``account.js``) and the ids of the
accounts that followed them and that they followed (``follower.js``,
``following.js``). The importer hands the open archive to ``record_from_archive``,
which keeps them as ``XIdentity`` and ``XConnection`` rows of that user, private
to them: no page, actor document or API answer shows them.

Matching needs consent on both sides. A user opts in (``set_findable``) to be
found by their X account id; only then

* their X id is an answer to a lookup, here (``people_here`` of others) and to
  other Rostra servers (``lookup``, served by ``federation.views.x_connections``);
* they see the lists "People you followed on X who are here" and "Your X
  followers who are here" (``people_here``), and their connection ids are sent
  (as lookup keys only, never with their own identity) to other Rostra servers
  by ``x_lookup`` to fill the cache of remote mappings (``XRemoteMapping``).

Opting out takes effect at once: ``lookup`` and ``people_here`` read the flag at
every call. Remote servers learn of it at their next refresh (their cached row
is dropped when our answer no longer contains it).

The archive's claim of an X id cannot be checked (X offers no proof of
ownership): someone who uploads a forged archive can claim another's X id. The
lists say "who are here" from archives, and following stays a deliberate click.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rostra.accounts import services as accounts
from rostra.accounts.errors import AccountError
from rostra.accounts.models import Account, Follow, FollowRequest
from rostra.federation import uris
from rostra.portability.models import XConnection, XIdentity, XRemoteMapping

FOLLOWING = XConnection.Direction.FOLLOWING
FOLLOWER = XConnection.Direction.FOLLOWER
MAX_LOOKUP_IDS = 1000  # X ids per lookup request, either way
MAX_LISTED = 2000  # people shown per list (and followed by one "follow all")
_BATCH = 2000
_X_ID_MAX_LEN = 20  # X ids are unsigned 64-bit integers
REFRESH_EVERY = timedelta(days=1)


def valid_x_id(value) -> str | None:
    """``value`` as an X account id (decimal digits) or None."""
    text = str(value or "").strip()
    return text if text.isdigit() and len(text) <= _X_ID_MAX_LEN else None


# --- recording, from the importer ------------------------------------------------------

def _ids(records: Iterable[dict], kind: str) -> Iterator[str]:
    for rec in records:
        entry = rec.get(kind, rec) if isinstance(rec, dict) else None
        x_id = valid_x_id(entry.get("accountId")) if isinstance(entry, dict) else None
        if x_id:
            yield x_id


@transaction.atomic
def record_from_archive(user, archive) -> dict[str, int]:
    """Keep the X identity and connections of the opened ``XArchive`` for ``user``.

    Replaces what an earlier archive left (a newer archive knows better). A
    different X account than before resets the opt-in. Returns the counts
    ``{"followers": n, "following": n}``; nothing when the archive has no id.
    """
    owner = next(iter(archive.records("account")), None) or {}
    owner = owner.get("account", owner)
    x_id = valid_x_id(owner.get("accountId"))
    if x_id is None:
        return {"followers": 0, "following": 0}
    identity = XIdentity.objects.select_for_update().filter(user=user).first()
    if identity is None:
        identity = XIdentity(user=user, x_account_id=x_id)
    elif identity.x_account_id != x_id:
        identity.x_account_id, identity.findable, identity.findable_since = x_id, False, None
    identity.x_username = str(owner.get("username") or "")[:64]
    identity.save()
    XConnection.objects.filter(user=user).delete()
    counts = {}
    for kind, direction, label in (("follower", FOLLOWER, "followers"),
                                   ("following", FOLLOWING, "following")):
        rows: list[XConnection] = []
        seen: set[str] = set()
        for other in _ids(archive.records(kind), kind):
            if other in seen or other == x_id:
                continue
            seen.add(other)
            rows.append(XConnection(user=user, x_account_id=other, direction=direction))
            if len(rows) >= _BATCH:
                XConnection.objects.bulk_create(rows, ignore_conflicts=True)
                rows = []
        XConnection.objects.bulk_create(rows, ignore_conflicts=True)
        counts[label] = len(seen)
    if identity.findable:
        _schedule_refresh(user)
    return counts


def _schedule_refresh(user) -> None:
    from rostra.portability.x_lookup import refresh_x_connections

    XIdentity.objects.filter(user=user).update(refresh_requested_at=timezone.now())
    transaction.on_commit(lambda: refresh_x_connections.enqueue(user.pk))


def refresh_if_stale(user) -> bool:
    """Schedule a lookup at other servers when the last one was asked for more than
    ``REFRESH_EVERY`` ago (people there opt in over time). Never waits for it."""
    stale = timezone.now() - REFRESH_EVERY
    claimed = (XIdentity.objects.filter(user=user, findable=True)
               .filter(Q(refresh_requested_at__isnull=True) | Q(refresh_requested_at__lt=stale))
               .update(refresh_requested_at=timezone.now()))
    if claimed:
        _schedule_refresh(user)
    return bool(claimed)


# --- the opt-in ------------------------------------------------------------------------

def identity_of(user) -> XIdentity | None:
    return XIdentity.objects.filter(user=user).first()


def set_findable(user, findable: bool) -> XIdentity | None:
    """Opt in to (or out of) being found by one's X account id; None without an archive.

    Opting in schedules a refresh of the remote mappings (``x_lookup``).
    """
    identity = identity_of(user)
    if identity is None:
        return None
    if identity.findable != findable:
        identity.findable = findable
        identity.findable_since = timezone.now() if findable else None
        identity.save(update_fields=["findable", "findable_since", "updated_at"])
    if findable:
        _schedule_refresh(user)
    return identity


def _findable_identities():
    return XIdentity.objects.filter(
        findable=True, user__is_active=True, user__account__isnull=False,
        user__account__suspended_at__isnull=True, user__account__domain="")


def lookup(x_ids: Iterable[str]) -> list[dict[str, str]]:
    """``[{"x_id", "actor"}]`` for the opted-in local accounts among ``x_ids``.

    What another Rostra server may learn: nothing else (no X username, no
    account that did not opt in). At most ``MAX_LOOKUP_IDS`` ids are read.
    """
    wanted = {v for v in (valid_x_id(x) for x in list(x_ids)[:MAX_LOOKUP_IDS]) if v}
    if not wanted:
        return []
    found = (_findable_identities().filter(x_account_id__in=wanted)
             .select_related("user__account").order_by("x_account_id", "pk"))
    return [{"x_id": i.x_account_id, "actor": uris.actor_uri(i.user.account)} for i in found]


# --- the lists ---------------------------------------------------------------------------

@dataclass
class Person:
    account: Account
    following: bool = False  # the viewer follows them already
    requested: bool = False  # the viewer asked to follow them


def _connection_ids(user, direction: str):
    return XConnection.objects.filter(user=user, direction=direction).values("x_account_id")


def _accounts_for(user, direction: str) -> list[Account]:
    me = user.account
    ids = _connection_ids(user, direction)
    local = Account.objects.filter(
        user__x_identity__in=_findable_identities().filter(x_account_id__in=ids))
    remote = Account.objects.filter(pk__in=XRemoteMapping.objects.filter(
        x_account_id__in=ids, account__isnull=False).values("account_id"))
    blocked = accounts.blocked_account_ids(me)
    found = ((local | remote).exclude(pk=me.pk).exclude(suspended_at__isnull=False)
             .exclude(pk__in=blocked).distinct().order_by("username", "domain"))
    return list(found[:MAX_LISTED])


def people_here(user) -> dict[str, list[Person]]:
    """``{"following": [...], "followers": [...]}``: the people the user followed on
    X, and those who followed them there, who are on Rostra (here, or on servers
    whose answers are cached) and opted in. Empty unless the user opted in too.
    Reads only the database: never blocks on the network."""
    identity = identity_of(user)
    if identity is None or not identity.findable:
        return {"following": [], "followers": []}
    me = user.account
    lists = {"following": _accounts_for(user, FOLLOWING),
             "followers": _accounts_for(user, FOLLOWER)}
    targets = {a.pk for people in lists.values() for a in people}
    followed = set(Follow.objects.filter(account=me, target_account__in=targets)
                   .values_list("target_account_id", flat=True))
    requested = set(FollowRequest.objects.filter(account=me, target_account__in=targets)
                    .values_list("target_account_id", flat=True))
    return {name: [Person(a, a.pk in followed, a.pk in requested) for a in people]
            for name, people in lists.items()}


def follow_people(user, direction: str, account_ids: Iterable[int] | None = None
                  ) -> tuple[int, list[str]]:
    """Follow the people of list ``direction`` ("following" or "followers") whom the
    user does not follow yet: all of them, or those among ``account_ids``.
    Returns (how many follows or requests were made, error messages)."""
    if direction not in ("following", "followers"):
        raise ValueError("direction is 'following' or 'followers'")
    wanted = set(account_ids) if account_ids is not None else None
    made, errors = 0, []
    for person in people_here(user)[direction]:
        if person.following or person.requested:
            continue
        if wanted is not None and person.account.pk not in wanted:
            continue
        try:
            accounts.follow(user.account, person.account)
            made += 1
        except AccountError as exc:
            errors.append(f"@{person.account.acct}: {exc}")
    return made, errors


# --- mentions in imported posts ------------------------------------------------------------

def mention_linker() -> Callable[[str], str | None]:
    """``x_id -> profile URL`` of the opted-in person with that X id, or None.

    For ``x_mapping.map_tweet``: a mention of someone known here links to their
    Rostra (or fediverse) profile instead of to X. One query per distinct id.
    """

    @functools.lru_cache(maxsize=50_000)
    def link(x_id: str) -> str | None:
        x_id = valid_x_id(x_id)
        if x_id is None:
            return None
        identity = (_findable_identities().filter(x_account_id=x_id)
                    .select_related("user__account").order_by("pk").first())
        if identity is not None:
            return uris.profile_url(identity.user.account)
        mapping = (XRemoteMapping.objects
                   .filter(x_account_id=x_id, account__suspended_at__isnull=True)
                   .select_related("account").order_by("pk").first())
        return uris.profile_url(mapping.account) if mapping is not None else None

    return link


def forget(user) -> None:
    """Drop the user's X identity and connections (their account was closed)."""
    XConnection.objects.filter(user=user).delete()
    XIdentity.objects.filter(user=user).delete()


def on_account_deleted(sender, account, **kwargs) -> None:
    user = getattr(account, "user", None)
    if user is not None:
        forget(user)
