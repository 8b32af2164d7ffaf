"""The client side of third-party feed generators (``docs/feed-generators.md``).

A feed generator is a service outside this server, named by an https URL the reader
chooses. Shaped after Bluesky's ``app.bsky.feed.getFeedSkeleton``: Rostra asks the
generator's origin ``GET /xrpc/app.bsky.feed.getFeedSkeleton?feed=<url>&limit=&cursor=``
and gets back post ids only, ``{"feed": [{"post": id, "reason"?: {...}}], "cursor"?}``,
where an id is an ActivityPub object id or a post URL of this server. The generator
describes itself at ``GET /xrpc/app.bsky.feed.describeFeedGenerator``.

Every request goes through ``core.net`` (address checks on every hop, size and time
caps) and carries nothing about the reader: no cookie, no token, no account. The
answer is parsed strictly here; turning ids into posts, and deciding which may be
shown, is the feed's job (``timelines.feeds.generator``), never the generator's.

This module holds the protocol's names (lexicon ids look like domain names), so it
lives beside the feeds package rather than in it: ranking code names no server.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.core.cache import cache
from django.utils.translation import gettext as _

from rostra.core import net

SKELETON_METHOD = "app.bsky.feed.getFeedSkeleton"
DESCRIBE_METHOD = "app.bsky.feed.describeFeedGenerator"
REASON_REPOST = "app.bsky.feed.defs#skeletonReasonRepost"
REASON_PIN = "app.bsky.feed.defs#skeletonReasonPin"

MAX_ITEMS = 100  # posts in one answer, as Bluesky's own limit
MAX_KILOBYTES = 256  # size of one answer
TIMEOUT_SECONDS = 3  # for the whole exchange
MAX_URL = 200  # a generator URL is stored as a pinned feed's choice
MAX_POST_ID = 2048
MAX_CURSOR = 512
MAX_TEXT = 200  # a reason or a self-description, as shown
DESCRIBE_SECONDS = 3600  # how long a generator's self-description is kept
CURSOR_SECONDS = 3600  # how long "the page after post X" is remembered
JSON = frozenset({"application/json"})


class GeneratorError(ValueError):
    """The generator URL cannot be used, or its answer cannot be; the message says why
    in words a reader can act on."""


@dataclass(frozen=True)
class Item:
    """One post id of an answer, with the reason the generator claims for it."""

    post: str
    reason: str = ""


@dataclass(frozen=True)
class Skeleton:
    items: tuple[Item, ...]
    cursor: str = ""


@dataclass(frozen=True)
class Description:
    """What a generator says about itself (its claim: shown as such)."""

    name: str = ""
    description: str = ""


# --- URLs ------------------------------------------------------------------------

def normalise_url(url: str) -> str:
    """The canonical form of a generator URL, checked without any network access:
    http(s) as ``core.net`` allows, a host, no credentials, query or fragment.
    Raises ``GeneratorError``."""
    url = (url or "").strip()
    if not url:
        raise GeneratorError(_("Give the feed generator's URL"))
    if len(url) > MAX_URL:
        raise GeneratorError(_("A feed generator's URL is at most %(max_url)s characters")
            % {"max_url": MAX_URL})
    try:
        scheme, host, port = net.check_url(url)
    except net.BlockedURL as exc:
        raise GeneratorError(_("That is not a URL this server may fetch: %(exc)s")
                             % {"exc": exc}) from None
    parts = urlsplit(url)
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise GeneratorError(_("A feed generator's URL has no query (?) or fragment (#)"))
    default = 443 if scheme == "https" else 80
    netloc = host if port == default else f"{host}:{port}"
    if ":" in host:  # an IPv6 literal
        netloc = f"[{host}]" if port == default else f"[{host}]:{port}"
    path = parts.path.rstrip("/")
    if any(ord(c) < 33 for c in path):
        raise GeneratorError(_("A feed generator's URL has no spaces or control characters"))
    return f"{scheme}://{netloc.lower()}{path}"


def check_reachable(url: str) -> str:
    """``normalise_url``, then the address check a request would make (private,
    loopback, link-local and metadata addresses are refused): done once when a
    reader subscribes, and again by ``core.net`` on every request."""
    url = normalise_url(url)
    try:
        __, host, port = net.check_url(url)
        net.resolve_checked(host, port)
    except net.BlockedAddress:
        raise GeneratorError(_("That feed generator is not on a public address")) from None
    except net.NetError as exc:
        raise GeneratorError(_("That feed generator cannot be reached: %(exc)s")
                             % {"exc": exc}) from None
    return url


def label(url: str) -> str:
    """A generator's name in lists: its host and path (never what it calls itself,
    which could be anything, such as "Home")."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


def endpoint(url: str, method: str, **params: str | int) -> str:
    parts = urlsplit(url)
    query = urlencode({k: v for k, v in params.items() if v not in ("", None)})
    return f"{parts.scheme}://{parts.netloc}/xrpc/{method}" + (f"?{query}" if query else "")


# --- requests ---------------------------------------------------------------------

def _get_json(url: str) -> object:
    """GET a generator's JSON answer under the caps; ``GeneratorError`` otherwise."""
    try:
        response = net.fetch(url, accept="application/json", max_bytes=MAX_KILOBYTES * 1024,
                             timeout=TIMEOUT_SECONDS, follow_redirects=False)
    except net.NetTimeout:
        raise GeneratorError(_("The feed generator did not answer within %(timeout_seconds)s "
          "seconds") % {"timeout_seconds": TIMEOUT_SECONDS}) from None
    except net.ResponseTooLarge:
        raise GeneratorError(_("The feed generator's answer is larger than %(max_kilobytes)s KB, "
          "the most this server reads") % {"max_kilobytes": MAX_KILOBYTES}) from None
    except net.BlockedAddress:
        raise GeneratorError(_("The feed generator is not on a public address")) from None
    except net.NetError:
        raise GeneratorError(_("The feed generator could not be reached")) from None
    if not response.ok:
        raise GeneratorError(_("The feed generator answered with an error (HTTP %(status)s)")
            % {"status": response.status})
    if response.content_type not in JSON:
        raise GeneratorError(_("The feed generator did not answer with JSON"))
    try:
        return response.json()
    except net.BadResponse:
        raise GeneratorError(_("The feed generator's answer is not valid JSON")) from None


def fetch_skeleton(url: str, limit: int, cursor: str = "") -> Skeleton:
    """One page of the generator's feed: at most ``MAX_ITEMS`` post ids, in its order."""
    limit = max(1, min(int(limit), MAX_ITEMS))
    body = _get_json(endpoint(url, SKELETON_METHOD, feed=url, limit=limit, cursor=cursor))
    return parse_skeleton(body)


def parse_skeleton(body: object) -> Skeleton:
    """A ``getFeedSkeleton`` answer, checked. An item whose ``post`` is not an http(s)
    id is left out (like an id this server does not know); a wrong shape, too many
    items or an unusable cursor is a ``GeneratorError``."""
    if not isinstance(body, dict) or not isinstance(body.get("feed"), list):
        raise GeneratorError(
            _('The feed generator\'s answer is not a feed skeleton (no "feed" list)'))
    feed = body["feed"]
    if len(feed) > MAX_ITEMS:
        raise GeneratorError(_("The feed generator sent more than %(max_items)s posts at once")
            % {"max_items": MAX_ITEMS})
    cursor = body.get("cursor")
    if cursor is None:
        cursor = ""
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR:
        raise GeneratorError(_("The feed generator's cursor is not a short string"))
    items = []
    for entry in feed:
        if not isinstance(entry, dict):
            raise GeneratorError(_("The feed generator's answer is not a feed skeleton (an item "
              "is not an object)"))
        post = entry.get("post")
        if isinstance(post, str) and len(post) <= MAX_POST_ID and \
                urlsplit(post).scheme in ("https", "http") and urlsplit(post).hostname:
            items.append(Item(post, claimed_reason(entry.get("reason"))))
    return Skeleton(tuple(items), cursor)


def claimed_reason(reason: object) -> str:
    """The reason a generator gives for an item, in plain words (its claim, unchecked):
    Bluesky's repost and pin reasons, or Rostra's ``{"text": ...}``."""
    if not isinstance(reason, dict):
        return ""
    text = reason.get("text")
    if isinstance(text, str) and text.strip():
        return " ".join(text.split())[:MAX_TEXT]
    kind = reason.get("$type")
    if kind == REASON_REPOST:
        return "boosted by someone"
    if kind == REASON_PIN:
        return "pinned by the generator"
    return ""


def describe(url: str) -> Description | None:
    """What the generator says about itself (name, description), kept for an hour;
    None when it does not say or cannot be asked (also kept, for a few minutes)."""
    key = "feedgen:describe:" + hashlib.sha256(url.encode()).hexdigest()
    found = cache.get(key)
    if found is not None:
        return found or None
    try:
        described = parse_description(_get_json(endpoint(url, DESCRIBE_METHOD)), url)
    except GeneratorError:
        described = None
    cache.set(key, described or "", DESCRIBE_SECONDS if described else DESCRIBE_SECONDS // 12)
    return described


def parse_description(body: object, url: str) -> Description | None:
    """The entry of ``feeds`` whose ``uri`` is ``url`` (Rostra adds ``displayName``
    and ``description`` to Bluesky's entries), else None."""
    if not isinstance(body, dict) or not isinstance(body.get("feeds"), list):
        return None
    for entry in body["feeds"]:
        if isinstance(entry, dict) and isinstance(entry.get("uri"), str) and \
                entry["uri"].rstrip("/") == url:
            name, text = entry.get("displayName"), entry.get("description")
            return Description(
                " ".join(name.split())[:MAX_TEXT] if isinstance(name, str) else "",
                " ".join(text.split())[:MAX_TEXT * 5] if isinstance(text, str) else "")
    return None


# --- paging -----------------------------------------------------------------------

def _cursor_key(url: str, post_id: int) -> str:
    return f"feedgen:cursor:{hashlib.sha256(url.encode()).hexdigest()}:{int(post_id)}"


def remember_cursor(url: str, last_post_id: int, cursor: str) -> None:
    """Remember the generator's cursor for the page after ``last_post_id`` (readers
    page with ``max_id`` as in Mastodon; the generator pages with its cursor). Shared
    by every reader: the generator's answer does not depend on who reads."""
    cache.set(_cursor_key(url, last_post_id), cursor, CURSOR_SECONDS)


def cursor_after(url: str, post_id: int) -> str | None:
    """The remembered cursor for the page after ``post_id``, or None."""
    return cache.get(_cursor_key(url, post_id))
