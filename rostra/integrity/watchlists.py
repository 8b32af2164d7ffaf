"""Partners' watch lists: a public or unlisted post that shares a watched link (the
URL itself, or any page on a watched domain or its subdomains), or whose author is
a watched account, raises a ``WatchMatch`` and an e-mail to the staff.

A match is evidence for moderators to look at, never a sanction: nothing here acts
on a post or an account. Indicators are compared in one normal form (lower-case
scheme and host, no fragment, no user-info; accounts as actor URI or
``user@domain``), the same one ``stix_import`` stores them in.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rostra.accounts.models import Account
from rostra.core import alerts
from rostra.core.ids import id_floor
from rostra.core.links import absolute_url
from rostra.core.text import extract_urls
from rostra.integrity.models import Indicator, WatchMatch, WatchSource
from rostra.posts import events as post_events
from rostra.posts.models import Post, Visibility

log = logging.getLogger(__name__)

OPEN = (Visibility.PUBLIC, Visibility.UNLISTED)
EXISTING_DAYS = 30  # how far back match_existing looks after an import
EXISTING_LIMIT = 50_000  # and at most this many posts with links, newest first
_DOMAIN = re.compile(r"(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_-]{1,63})+")
_HOST_PORT = re.compile(r"[a-z0-9.-]+(?::\d{1,5})?")
_USER = re.compile(r"[a-z0-9_.-]{1,64}")
_DEFAULT_PORTS = {"http": 80, "https": 443}


# -- normal forms ---------------------------------------------------------------

def _host(raw: str) -> str | None:
    host = raw.strip().lower().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return host or None


def split_url(value: str) -> tuple[str, str] | None:
    """(normal form, host) of an http(s) URL, or None when it is not one."""
    value = (value or "").strip()
    if not value or len(value) > 2048 or any(ch.isspace() or ord(ch) < 32 for ch in value):
        return None
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = _host(parts.hostname)
    if host is None:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, "")), host


def normalise_url(value: str) -> str | None:
    split = split_url(value)
    return split[0] if split else None


def normalise_domain(value: str) -> str | None:
    """A domain name in lower-case ASCII (``*.`` and a final dot dropped), or None."""
    host = _host((value or "").strip().removeprefix("*."))
    return host if host and _DOMAIN.fullmatch(host) else None


def normalise_account(value: str) -> str | None:
    """An account as its actor URI (a URL) or ``user@domain`` (lower-case), or None."""
    value = (value or "").strip()
    if value.lower().startswith(("http://", "https://")):
        return normalise_url(value)
    user, at, domain = value.removeprefix("@").lower().rpartition("@")
    if not at or not _USER.fullmatch(user):
        return None
    host, colon, port = domain.partition(":")
    host = normalise_domain(host) if "." in host else _host(host)
    if host is None or not _HOST_PORT.fullmatch(host + colon + port):
        return None
    return f"{user}@{host}{colon}{port}"


def host_suffixes(host: str) -> list[str]:
    """The host and its parent domains above the top level (a.b.example: a.b.example,
    b.example), so an indicator on a domain matches its subdomains."""
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)] or [host]


# -- what a post and an account show ----------------------------------------------

class _Anchors(HTMLParser):
    """The hrefs of a remote post's links that are neither mentions nor hashtags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            return
        found = {name: value or "" for name, value in attrs}
        classes = found.get("class", "").split()
        if "mention" in classes or "hashtag" in classes or "tag" in found.get("rel", "").split():
            return
        if found.get("href", "").startswith(("http://", "https://")):
            self.hrefs.append(found["href"])


def post_links(post: Post) -> list[str]:
    """The web links a post shares: from the typed text of a local post, or the
    anchors of a remote post's HTML (its plain text shows links shortened)."""
    if post.account.local:
        return extract_urls(post.text)
    parser = _Anchors()
    parser.feed(post.content or "")
    parser.close()
    return parser.hrefs


def post_url(post: Post) -> str:
    """The public page of a post (ours on this server, the origin's for a remote one)."""
    if post.account.local:
        return absolute_url(f"/@{post.account.username}/{post.pk}")
    return post.origin_url or post.uri


def account_keys(account: Account) -> tuple[str, str]:
    """(actor URI, ``user@domain``) of an account, as partners name it."""
    if account.local:
        return (absolute_url(f"/users/{account.username}"),
                f"{account.username}@{settings.ROSTRA_DOMAIN}")
    return account.uri, f"{account.username}@{account.domain}"


def _account_values(account: Account) -> list[str]:
    return [v for v in (normalise_url(account_keys(account)[0]),
                        normalise_account(account_keys(account)[1])) if v]


# -- matching --------------------------------------------------------------------

def active_indicators() -> QuerySet[Indicator]:
    """Indicators of active sources, within their validity."""
    now = timezone.now()
    return Indicator.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=now),
        Q(valid_from__isnull=True) | Q(valid_from__lte=now), source__active=True)


def _link_values(post: Post) -> tuple[set[str], set[str]]:
    urls, hosts = set(), set()
    for link in post_links(post):
        split = split_url(link)
        if split:
            urls.add(split[0])
            hosts.update(host_suffixes(split[1]))
    return urls, hosts


def _watchable(post: Post) -> bool:
    return post.visibility in OPEN and not post.held and post.removed_at is None


def _record(indicator: Indicator, post: Post | None, account: Account) -> WatchMatch | None:
    """The match, or None when it was recorded before (the constraints keep one)."""
    lookup = {"indicator": indicator, "post": post} if post else {
        "indicator": indicator, "post": None, "account": account}
    if WatchMatch.objects.filter(**lookup).exists():
        return None
    try:
        with transaction.atomic():
            return WatchMatch.objects.create(indicator=indicator, post=post, account=account)
    except IntegrityError:  # recorded at the same moment by another process
        return None


def match_post(post: Post, *, alert: bool = True) -> list[WatchMatch]:
    """Record the matches of one public or unlisted post (its links, its author)
    against the active indicators; returns the new ones and e-mails the staff."""
    if not _watchable(post):
        return []
    if not WatchSource.objects.filter(active=True).exists():
        return []
    urls, hosts = (set(), set()) if post.reblog_of_id else _link_values(post)
    authors = _account_values(post.account)
    found = active_indicators().filter(
        Q(kind=Indicator.Kind.URL, value__in=urls) | Q(kind=Indicator.Kind.DOMAIN, value__in=hosts)
        | Q(kind=Indicator.Kind.ACCOUNT, value__in=authors)).select_related("source")
    new = []
    for indicator in found:
        on_post = indicator.kind != Indicator.Kind.ACCOUNT
        match = _record(indicator, post if on_post else None, post.account)
        if match:
            new.append(match)
    if new and alert:
        alert_staff(new)
    return new


def _accounts_for(values: Iterable[str]) -> dict[str, Account]:
    """Accounts here named by actor URIs or ``user@domain`` values (normal forms)."""
    values = set(values)
    uris = sorted(v for v in values if v.startswith(("http://", "https://")))
    local_prefix = normalise_url(absolute_url("/users/")) or ""
    users = {v.partition("@")[0] for v in values if v not in uris}
    users |= {v[len(local_prefix):] for v in uris if v.startswith(local_prefix)}
    candidates: dict[int, Account] = {}
    for i in range(0, max(len(uris), len(users)), 500):
        for account in Account.objects.filter(uri__in=uris[i:i + 500]):
            candidates[account.pk] = account
        chunk = sorted(users)[i:i + 500]
        for account in Account.objects.annotate(lower_name=Lower("username")).filter(
                lower_name__in=chunk):
            candidates[account.pk] = account
    found: dict[str, Account] = {}
    for account in candidates.values():
        for value in _account_values(account):
            if value in values:
                found[value] = account
    return found


def match_existing(source: WatchSource, *, days: int = EXISTING_DAYS,
                   limit: int = EXISTING_LIMIT) -> list[WatchMatch]:
    """After an import: the watched accounts that are here, and the recent public
    posts (``days`` back, at most ``limit`` with links) sharing a watched link."""
    if not source.active:
        return []
    indicators = list(active_indicators().filter(source=source))
    by_kind: dict[str, dict[str, Indicator]] = {kind: {} for kind in Indicator.Kind.values}
    for indicator in indicators:
        by_kind[indicator.kind][indicator.value] = indicator
    new: list[WatchMatch] = []
    for value, account in _accounts_for(by_kind[Indicator.Kind.ACCOUNT]).items():
        match = _record(by_kind[Indicator.Kind.ACCOUNT][value], None, account)
        if match:
            new.append(match)
    watched_urls, watched_domains = by_kind[Indicator.Kind.URL], by_kind[Indicator.Kind.DOMAIN]
    if watched_urls or watched_domains:
        recent = (Post.objects.filter(id__gte=id_floor(timezone.now() - timedelta(days=days)),
                                      visibility__in=OPEN, held="", removed_at__isnull=True,
                                      reblog_of__isnull=True)
                  .filter(Q(text__icontains="http") | Q(content__icontains="href"))
                  .select_related("account").order_by("-id")[:limit])
        for post in recent.iterator(chunk_size=1000):
            urls, hosts = _link_values(post)
            hits = [watched_urls[u] for u in urls if u in watched_urls]
            hits += [watched_domains[h] for h in hosts if h in watched_domains]
            for indicator in hits:
                match = _record(indicator, post, post.account)
                if match:
                    new.append(match)
    if new:
        alert_staff(new)
    return new


def alert_staff(matches: list[WatchMatch]) -> bool:
    """E-mail the admins (``core.alerts``: at most one such e-mail an hour, the page
    lists every match) about new matches; True when sent. Names what matched and
    where to look, never a verdict."""
    if not matches:
        return False

    def body() -> str:
        lines = []
        for match in matches[:50]:
            indicator = match.indicator
            where = (post_url(match.post) if match.post
                     else _("the account %(acct)s") % {"acct": match.account.acct})
            lines.append(_("- %(kind)s %(value)s (from %(source)s): %(where)s") % {
                "kind": indicator.get_kind_display(), "value": indicator.value,
                "source": indicator.source.name, "where": where})
        if len(matches) > 50:
            lines.append(_("… and %(count)s more.") % {"count": len(matches) - 50})
        return (_("Posts or accounts here matched a partner's watch list:") + "\n\n"
                + "\n".join(lines) + "\n\n"
                + _("A match is a lead for review, not a finding: look at the evidence before "
                    "any action. Later matches within the hour are listed on the page only:")
                + f"\n{absolute_url('/moderation/integrity/sharing')}\n")

    def subject() -> str:
        return ngettext("Watch list: %(count)s new match", "Watch list: %(count)s new matches",
                        len(matches)) % {"count": len(matches)}

    return alerts.send_alert("watchlist-match", subject, body)


def set_source_active(source: WatchSource, active: bool, *, by) -> None:
    """Switch a partner's source off (it matches nothing) or on again; audited."""
    from rostra.moderation.services import audit

    with transaction.atomic():
        WatchSource.objects.filter(pk=source.pk).update(active=active)
        source.active = active
        audit(by, "watchlist.activated" if active else "watchlist.deactivated", None,
              source=source.pk, name=source.name)


# -- events ----------------------------------------------------------------------

def _on_post(sender, post: Post, **kwargs) -> None:
    try:
        match_post(post)
    except Exception:  # a watch list must never stop a post from being published
        log.exception("watch-list matching failed for post %s", post.pk)


def connect() -> None:
    """Listen to new and edited posts (called from the app's ``ready``)."""
    post_events.post_created.connect(_on_post, dispatch_uid="integrity.watchlists.created")
    post_events.post_updated.connect(_on_post, dispatch_uid="integrity.watchlists.updated")
