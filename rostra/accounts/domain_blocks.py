"""Domain blocks of one account (Mastodon's "Block domain …"): a user stops hearing
from a whole server without asking a moderator.

What a block does, as Mastodon (4.x, ``AfterBlockDomainFromAccountService`` and
``FollowService``) does it: the server's accounts disappear from the blocker's
timelines (with the boosts of their posts), notifications, search results and
threads (``timelines.services.thread``, ``posts.search``); its accounts that
follow the blocker are removed (each remote server is sent a Reject of the
Follow, through ``services.remove_follower``); the blocker stops following its
accounts (``services.unfollow``: an Undo of the Follow) and pending requests both
ways end; the existing notifications from it are cleared; no new follow crosses
the block, either way, until it is lifted. Unblocking restores nothing.

A block of ``example.org`` covers ``social.example.org`` and any port, like the
admin's server blocks (``federation.policy``). Domains are stored normalised
(``normalize_domain``), so ``Example.ORG`` and ``*.example.org`` are one block.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.db.models.lookups import Contains, EndsWith, Exact, StartsWith
from django.utils.translation import gettext as _

from rostra.accounts import events
from rostra.accounts.errors import AccountError
from rostra.accounts.models import Account, AccountDomainBlock, FollowRequest
from rostra.core.read_scope import remembered

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
MAX_DOMAIN = 253


def normalize_domain(value: str) -> str:
    """``value`` as a stored domain: stripped, lower-case, IDNA-encoded (``bücher.de``
    → ``xn--bcher-kva.de``), without a leading ``*.``/``.`` or a trailing dot.

    Raises ``AccountError`` (field ``domain``) for anything that is not a host name
    with at least one dot: empty, a URL, an address, a port, a bad label.
    """
    domain = (value or "").strip().lower()
    if domain.startswith("*."):
        domain = domain[2:]
    domain = domain.lstrip(".").rstrip(".")
    if not domain:
        raise AccountError(_("Enter a domain, such as example.org."), "domain")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise AccountError(_("%(value)s is not a domain name.")
            % {"value": repr(value.strip()[:80])}, "domain") from exc
    labels = domain.split(".")
    if (len(domain) > MAX_DOMAIN or len(labels) < 2
            or not all(_LABEL.fullmatch(label) for label in labels)):
        raise AccountError(_("%(value)s is not a domain name (write only the server's name, such "
          "as example.org).") % {"value": repr(value.strip()[:80])}, "domain")
    return domain


def _host(domain: str) -> str:
    """The host of an ``Account.domain`` (which may carry ``:port``)."""
    return domain.split(":")[0].lower().rstrip(".")


def _candidates(domain: str) -> list[str]:
    """``a.b.example.org[:port]`` → itself and every parent domain."""
    labels = _host(domain).split(".")
    return [".".join(labels[i:]) for i in range(len(labels))] if labels != [""] else []


# --- reading ----------------------------------------------------------------------

def blocked_domains(account: Account) -> QuerySet:
    """``account``'s blocks (rows with ``domain``), newest first."""
    return AccountDomainBlock.objects.filter(account=account).order_by("-id")


def is_domain_blocked(account: Account, domain: str) -> bool:
    """Whether ``account`` blocked ``domain`` (an ``Account.domain``) or a parent of it.
    A local account (domain "") is never covered."""
    candidates = _candidates(domain) if domain else []
    return bool(candidates) and AccountDomainBlock.objects.filter(
        account=account, domain__in=candidates).exists()


def blocking_domain(domain: str, among: set[int]) -> set[int]:
    """Those of ``among`` (account ids) who blocked ``domain`` or a parent of it."""
    candidates = _candidates(domain) if domain else []
    if not candidates or not among:
        return set()
    return set(AccountDomainBlock.objects.filter(account_id__in=among, domain__in=candidates)
               .values_list("account_id", flat=True))


def blocked_across(a: Account, b: Account) -> bool:
    """Whether a domain block of one of them covers the other's server."""
    return (not b.local and is_domain_blocked(a, b.domain)) or \
        (not a.local and is_domain_blocked(b, a.domain))


def _covers(host_of_outer: OuterRef) -> Q:
    """The block row's domain is the outer domain, a parent of it, with or without port."""
    dot_domain = Concat(Value("."), F("domain"))
    return (Q(Exact(host_of_outer, F("domain")))
            | Q(EndsWith(host_of_outer, dot_domain))
            | Q(StartsWith(host_of_outer, Concat(F("domain"), Value(":"))))
            | Q(Contains(host_of_outer, Concat(dot_domain, Value(":")))))


def domain_hidden_q(viewer: Account | None, account_field: str = "account") -> Q | None:
    """A condition true for rows whose ``account_field`` (a path to an Account: the
    author, ``reblog_of__account``, ``from_account``; "" for an Account queryset
    itself) is on a server ``viewer``
    blocked; None when the viewer blocked none, so callers add no clause at all.

    It is one correlated ``EXISTS`` over the viewer's blocks (indexed by account),
    evaluated by the database inside the timeline's own query.
    """
    if viewer is None or not remembered(
            ("blocks_domains", viewer.pk),
            AccountDomainBlock.objects.filter(account=viewer).exists):
        return None
    outer = OuterRef(f"{account_field}__domain" if account_field else "domain")
    blocks = AccountDomainBlock.objects.filter(account_id=viewer.pk).filter(_covers(outer))
    return Q(Exists(blocks))


# --- acting -----------------------------------------------------------------------

def _refuse_own(domain: str) -> None:
    from rostra.accounts.services import local_domain_names

    if domain in {_host(d) for d in local_domain_names()}:
        raise AccountError(_("You cannot block this server's own domain."), "domain")


def block_domain(account: Account, domain: str) -> AccountDomainBlock:
    """Block ``domain`` for ``account`` (idempotent; the block's effects in the module
    docstring). Raises ``AccountError`` for a value that is not a domain name or is
    this server's own."""
    # services imports this module's readers; its actions are imported here.
    from rostra.accounts import services

    domain = normalize_domain(domain)
    _refuse_own(domain)
    with transaction.atomic():
        block, __ = AccountDomainBlock.objects.get_or_create(account=account, domain=domain)
        covered = on_domain_q(domain)
        followers = Account.objects.filter(covered, following_set__target_account=account)
        for follower in followers:
            services.remove_follower(account, follower)
        followed = Account.objects.filter(covered, followers_set__account=account)
        requested = Account.objects.filter(
            covered, pk__in=FollowRequest.objects.filter(account=account)
            .values("target_account_id"))
        for target in {*followed, *requested}:
            services.unfollow(account, target)
        for request in FollowRequest.objects.filter(
                target_account=account, account__in=Account.objects.filter(covered)
        ).select_related("account", "target_account"):
            services.reject_follow_request(account, request)
        # Notifications subscribe (and clear what came from the server).
        transaction.on_commit(
            lambda: events.domain_blocked.send(Account, account=account, domain=domain))
    return block


def on_domain_q(domain: str, field: str = "domain") -> Q:
    """Accounts (``field`` the path to their domain) whose server is ``domain`` or one
    of its subdomains, on any port."""
    return (Q(**{field: domain}) | Q(**{f"{field}__endswith": f".{domain}"})
            | Q(**{f"{field}__startswith": f"{domain}:"})
            | Q(**{f"{field}__contains": f".{domain}:"}))


def unblock_domain(account: Account, domain: str) -> bool:
    """Lift ``account``'s block of ``domain``; False when there was none. Raises
    ``AccountError`` for a value that is not a domain name."""
    deleted, __ = AccountDomainBlock.objects.filter(
        account=account, domain=normalize_domain(domain)).delete()
    return bool(deleted)
