"""Account migration (ActivityPub ``Move``), interoperable with Mastodon.

The handshake, as Mastodon defines it:

1. On the *new* account, the owner names the old one as an alias (``add_alias``):
   its actor id goes into the new actor's ``alsoKnownAs``.
2. On the *old* account, the owner moves (``move_account``): the new account must list
   the old one's actor id in ``alsoKnownAs`` (checked on a fresh fetch when it is
   remote), the old account gets ``moved_to``/``moved_at``, ``account_moved`` is sent
   (federation delivers ``Move`` and an ``Update`` with ``movedTo`` to the followers'
   servers), and the local followers move at once (``apply_move``).
3. A server that receives the ``Move`` checks the same alias and runs ``apply_move``
   for its own users (``accept_move``, called by the federation inbox).

``apply_move`` is the one path that moves followers, whatever the door: each local
follower of the origin follows the target (a request when the target is locked, a
``Follow`` sent when it is remote), with the same options and list memberships, stops
following the origin, and gets a ``move`` notification. Local blocks and mutes of the
origin carry over to the target, as Mastodon's MoveWorker does. Running it again
changes nothing: a follower who moved no longer follows the origin.

Rules: a move needs the alias; not to oneself, not twice to the same account, and not
within ``COOLDOWN`` (30 days, Mastodon's) of the previous one. A moved account keeps
its posts and can cancel the redirect (``cancel_move``; the cooldown still counts).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rostra.accounts import events
from rostra.accounts import services as accounts
from rostra.accounts.errors import AccountError
from rostra.accounts.models import Account, Block, Follow, Mute

COOLDOWN = timedelta(days=30)
MAX_ALIASES = 10


class MoveError(AccountError):
    """A move or alias that cannot be made; the message says what to do."""


# --- finding accounts -------------------------------------------------------------

def actor_id(account: Account) -> str:
    """The ActivityPub id other servers know ``account`` by."""
    from rostra.federation import uris

    return uris.actor_uri(account)


def resolve(reference: str, *, refresh: bool = False) -> Account:
    """The account a handle (``user``, ``@user@host``) or an actor URL names, found here
    or fetched (WebFinger, then the actor). ``refresh`` re-fetches a remote actor so
    its ``alsoKnownAs`` is current. Raises ``MoveError``."""
    from rostra.federation import remote

    reference = (reference or "").strip()
    if not reference:
        raise MoveError(_("Enter the handle of the account, like @name@example.org."), "acct")
    try:
        if reference.startswith(("https://", "http://")):
            account = remote.fetch_actor(reference, refresh=refresh)
        else:
            account = remote.resolve_handle(reference)
            if refresh and not account.local:
                account = remote.fetch_actor(account.uri, refresh=True)
    except remote.RemoteError as exc:
        raise MoveError(_("Could not find %(reference)s: %(exc)s")
            % {"reference": reference, "exc": exc}, "acct") from exc
    if account.suspended_at:
        raise MoveError(_("%(reference)s is suspended.") % {"reference": reference}, "acct")
    return account


def aliases_of(account: Account) -> list[str]:
    """The actor ids ``account`` says are also its own (``alsoKnownAs``), as last
    seen: a local account's setting, a remote actor's last fetched document."""
    if account.local:
        return list(account.also_known_as or [])
    actor = getattr(account, "remote_actor", None)
    return list(actor.also_known_as or []) if actor is not None else []


# --- aliases (on the new account) -------------------------------------------------

def _save_aliases(account: Account, aliases: list[str]) -> None:
    Account.objects.filter(pk=account.pk).update(also_known_as=aliases)
    account.also_known_as = aliases
    transaction.on_commit(lambda: events.profile_updated.send(Account, account=account))


def add_alias(account: Account, reference: str) -> Account:
    """Name the account ``reference`` as another of ``account``'s own, so it may move
    here. Returns the aliased account. Idempotent."""
    if not account.local:
        raise MoveError(_("Only local accounts have aliases here."))
    other = resolve(reference)
    if other.pk == account.pk:
        raise MoveError(_("An account cannot be an alias of itself."), "acct")
    uri = actor_id(other)
    aliases = list(account.also_known_as or [])
    if uri in aliases:
        return other
    if len(aliases) >= MAX_ALIASES:
        raise MoveError(_("Up to %(max_aliases)s aliases; remove one first.")
            % {"max_aliases": MAX_ALIASES}, "acct")
    _save_aliases(account, [*aliases, uri])
    return other


def remove_alias(account: Account, reference: str) -> None:
    """Stop naming ``reference`` (an alias's actor id as listed, or a handle) as one
    of ``account``'s own. Raises ``MoveError`` when it is not an alias."""
    aliases = list(account.also_known_as or [])
    uri = (reference or "").strip()
    if uri not in aliases:
        uri = actor_id(resolve(reference))
        if uri not in aliases:
            raise MoveError(_("%(reference)s is not one of your aliases.")
                % {"reference": reference}, "acct")
    _save_aliases(account, [a for a in aliases if a != uri])


# --- moving (on the old account) ----------------------------------------------------

def next_move_allowed(account: Account) -> datetime | None:
    """When ``account`` may move again (None: now)."""
    if account.moved_at is None:
        return None
    allowed = account.moved_at + COOLDOWN
    return allowed if allowed > timezone.now() else None


def move_account(account: Account, reference: str) -> Account:
    """Move local ``account``'s followers to the account ``reference`` names, which must
    list ``account`` as an alias. Returns the target. Raises ``MoveError``."""
    if not account.local or account.suspended_at or account.deleted_at:
        raise MoveError(_("This account cannot move."))
    allowed = next_move_allowed(account)
    if allowed is not None:
        raise MoveError(_("You moved recently; you can move again from %(allowed)s.")
            % {"allowed": date_format(allowed, "d F Y")}, "acct")
    target = resolve(reference, refresh=True)
    if target.pk == account.pk:
        raise MoveError(_("You cannot move to this same account."), "acct")
    if account.moved_to_id == target.pk:
        raise MoveError(_("You have already moved to @%(acct)s.") % {"acct": target.acct}, "acct")
    if actor_id(account) not in aliases_of(target):
        raise MoveError(
            _('@%(target)s does not name this account as an alias yet. On that account, '
              'add @%(acct)s as an alias ("moving from a different account"), then try again.')
            % {"target": target.acct, "acct": account.acct}, "acct")
    with transaction.atomic():
        now = timezone.now()
        Account.objects.filter(pk=account.pk).update(moved_to=target, moved_at=now)
        account.moved_to, account.moved_at = target, now
        transaction.on_commit(
            lambda: events.account_moved.send(Account, account=account, target=target))
        apply_move(account, target)
    return target


def cancel_move(account: Account) -> None:
    """Undo the redirect of a moved local account (its followers stay where they
    went; the cooldown still counts from the move)."""
    if not account.moved_to_id:
        raise MoveError(_("This account has not moved."))
    Account.objects.filter(pk=account.pk).update(moved_to=None)
    account.moved_to = None
    transaction.on_commit(lambda: events.profile_updated.send(Account, account=account))


# --- a move announced by another server ---------------------------------------------

def accept_move(origin: Account, target: Account) -> int:
    """Act on remote ``origin``'s ``Move`` to ``target`` (local, or remote and just
    re-fetched): check the alias, record the move, move our users' follows. Returns
    how many followers moved. Raises ``MoveError``."""
    if origin.local:
        raise MoveError(_("A local account moves through its settings."))
    if target.pk == origin.pk or target.suspended_at:
        raise MoveError(_("The move has no usable target."))
    if actor_id(origin) not in aliases_of(target):
        raise MoveError(_("The target does not name the actor as an alias."))
    with transaction.atomic():
        accounts.record_move(origin, target)
        transaction.on_commit(
            lambda: events.account_moved.send(Account, account=origin, target=target))
        return apply_move(origin, target)


# --- moving the followers (one path for every door) ---------------------------------

def apply_move(origin: Account, target: Account) -> int:
    """Every local follower of ``origin`` follows ``target`` instead (see the module
    docstring). A follower who cannot follow the target (a block) keeps following the
    origin. Returns how many moved; idempotent."""
    moved = 0
    rows = (Follow.objects.filter(target_account=origin, account__domain="",
                                  account__suspended_at__isnull=True)
            .exclude(account=target).select_related("account"))
    for row in list(rows):
        follower = row.account
        try:
            with transaction.atomic():
                accounts.follow(follower, target, show_reblogs=row.show_reblogs,
                                notify=row.notify)
                _carry_lists(follower, origin, target)
                accounts.unfollow(follower, origin)
        except AccountError:
            continue
        _notify(follower, origin)
        moved += 1
    _carry_blocks_and_mutes(origin, target)
    return moved


def _carry_lists(owner: Account, origin: Account, target: Account) -> None:
    """The owner's lists that held ``origin`` hold ``target`` instead. Written here
    because the target may be only requested yet (locked or remote), which
    ``timelines.lists.add_accounts`` refuses; list timelines show a member only
    while it is followed, as Mastodon keeps memberships of pending requests."""
    from rostra.timelines.models import ListAccount

    for row in ListAccount.objects.filter(list__account=owner, account=origin):
        ListAccount.objects.get_or_create(list_id=row.list_id, account=target)
        row.delete()


def _notify(follower: Account, origin: Account) -> None:
    from rostra.notifications.models import Notification
    from rostra.notifications.services import notify

    notify(follower, origin, Notification.Type.MOVE)


def _carry_blocks_and_mutes(origin: Account, target: Account) -> None:
    """Local accounts that block or mute ``origin`` block or mute ``target`` too,
    unless they already do or follow it (Mastodon's rule)."""
    for block in Block.objects.filter(target_account=origin, account__domain="") \
            .select_related("account"):
        blocker = block.account
        if blocker.pk == target.pk or _follows_or_blocks(blocker, target):
            continue
        accounts.block(blocker, target)
    now = timezone.now()
    for mute in Mute.objects.filter(accounts.active_mutes_q(now), target_account=origin,
                                    account__domain="").select_related("account"):
        muter = mute.account
        if muter.pk == target.pk or Mute.objects.filter(account=muter,
                                                        target_account=target).exists():
            continue
        if Follow.objects.filter(account=muter, target_account=target).exists():
            continue
        left = mute.expires_at - now if mute.expires_at else None
        accounts.mute(muter, target, duration=left, notifications=mute.hide_notifications)


def _follows_or_blocks(account: Account, target: Account) -> bool:
    return (Follow.objects.filter(account=account, target_account=target).exists()
            or Block.objects.filter(account=account, target_account=target).exists())
