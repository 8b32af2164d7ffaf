"""Hash-list feeds between servers: a server publishes the hashes its victims
submitted, others subscribe and keep a copy in step (issue 7, point 5).

**Published lists.** Exactly the lists with source ``victims`` (``safety.ncii``'s
``ncii-victims``) are public, at ``/safety/feeds/<name>.json``: ``HashList`` has no
"shareable" flag, and the victims' list is the one made to be shared (its people
asked for their images to be blocked; the hashes are not the images). Imported lists
(NCMEC, Tech Against Terrorism...) are never published: their licences forbid it.

**Document.** ``{"type": "RostraHashFeed", "list", "kind", "generated", "entries":
[{"signal_type", "value", "quality"}], "signature"}``: hashes only, never a case
number, note or date of a submission. ``generated`` is the time the list last
changed, so the document of one list state is the same bytes in every process and
its ``ETag`` is strong.

**Signature** (``RostraFeedSignature``): RSA-SHA256 (PKCS#1 v1.5) by the instance
actor's key over the canonical JSON of the document without ``signature`` (keys
sorted, no spaces, UTF-8). ``{"type", "creator": "<actor>#main-key", "created",
"signatureValue": base64}``; ``creator`` and ``created`` are outside the signed
bytes, ``generated`` is inside.

**Subscribers** (``subscribe``, ``pull``, the ``pull_feeds_task`` every
``ROSTRA_HASH_FEED_INTERVAL`` seconds) believe a feed only when it is signed by the
``Application`` actor of the feed URL's own server and every entry is a valid hash;
otherwise the copy keeps its entries and the pull reports why. So is a feed older
than the last one taken (a replay). A good feed is mirrored: new hashes added,
hashes gone from it (a withdrawn submission) removed, through ``safety.lists``
(which announces both, so stored media are rescanned). The last pull's ETag, time
and outcome are kept in the cache (``last_pull``): losing them costs one full
download and the replay check for that pull, nothing else.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from rostra.core import net
from rostra.core.links import absolute_url
from rostra.federation import policy, uris
from rostra.federation.keys import instance_actor
from rostra.federation.remote import KeyResolver
from rostra.safety import lists
from rostra.safety.list_formats import check_hash
from rostra.safety.models import HashList

log = logging.getLogger(__name__)

FEED_TYPE = "RostraHashFeed"
SIGNATURE_TYPE = "RostraFeedSignature"
CONTENT_TYPE = "application/json"
MAX_FEED_BYTES = 64 * 1024 * 1024
FETCH_TIMEOUT = 120.0  # seconds for a whole feed
MAX_REPORTED = 20  # bad entries named in a report
SIGNER_TYPES = frozenset({"Application"})  # the server's own actor, not a person's
DEFAULT_INTERVAL = 120  # seconds between pulls of every feed


class FeedError(Exception):
    """A feed that cannot be fetched or believed; the message says why."""


# --- the document ------------------------------------------------------------------

def canonical(document: dict) -> bytes:
    """The signed bytes: ``document`` without ``signature`` as canonical JSON."""
    unsigned = {k: v for k, v in document.items() if k != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def shared_list(name: str) -> HashList | None:
    """The list ``name`` if this server publishes it (victims' lists only)."""
    return HashList.objects.filter(name=name, source=HashList.Source.VICTIMS).first()


def feed_url(hash_list: HashList) -> str:
    return absolute_url(f"/safety/feeds/{quote(hash_list.name, safe='')}.json")


def _creator() -> str:
    return f"{uris.instance_actor_uri()}#main-key"


def etag(hash_list: HashList) -> str:
    """A strong ETag of the published document, computed without building it."""
    key = instance_actor().public_key
    seed = "|".join([FEED_TYPE, str(hash_list.pk), hash_list.name, hash_list.kind,
                     hash_list.updated_at.isoformat(), _creator(), key])
    return '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'


def document(hash_list: HashList) -> dict:
    """The signed feed document of ``hash_list``."""
    entries = [{"signal_type": signal, "value": value, "quality": quality}
               for signal, value, quality in hash_list.entries.order_by(
                   "signal_type", "value").values_list("signal_type", "value", "quality")
               .iterator(chunk_size=lists.BATCH)]
    generated = hash_list.updated_at.isoformat()
    unsigned = {"type": FEED_TYPE, "list": hash_list.name, "kind": hash_list.kind,
                "generated": generated, "entries": entries}
    private_key = serialization.load_pem_private_key(
        instance_actor().private_key.encode(), password=None)
    value = private_key.sign(canonical(unsigned), padding.PKCS1v15(), hashes.SHA256())
    return {**unsigned, "signature": {
        "type": SIGNATURE_TYPE, "creator": _creator(), "created": generated,
        "signatureValue": base64.b64encode(value).decode()}}


_published: dict[str, tuple[str, bytes]] = {}  # list name -> (ETag, body), this process


def published(hash_list: HashList) -> tuple[str, bytes]:
    """``(ETag, body)`` of the feed, built once per list state in each process."""
    tag = etag(hash_list)
    cached = _published.get(hash_list.name)
    if cached is None or cached[0] != tag:
        body = json.dumps(document(hash_list), ensure_ascii=False).encode("utf-8")
        cached = _published[hash_list.name] = (tag, body)
    return cached


# --- reading and verifying a feed ------------------------------------------------------

@dataclass
class Feed:
    """A verified feed: its kind, time and ``(signal_type, value) -> quality``."""

    name: str
    kind: str
    generated: datetime
    entries: dict[tuple[str, str], int | None]
    etag: str = ""


def parse(data: dict) -> Feed:
    """Check the shape of a feed document (not its signature). Raises ``FeedError``,
    naming the first ``MAX_REPORTED`` malformed entries."""
    if not isinstance(data, dict) or data.get("type") != FEED_TYPE:
        raise FeedError(f"The document is not a {FEED_TYPE}.")
    kind, name, raw = data.get("kind"), data.get("list"), data.get("entries")
    if kind not in HashList.Kind.values:
        raise FeedError(f"The feed's kind {str(kind)[:20]!r} is not one Rostra knows.")
    try:
        generated = datetime.fromisoformat(str(data.get("generated")))
    except ValueError:
        raise FeedError("The feed's generated time is not an ISO 8601 date.") from None
    if generated.tzinfo is None:
        raise FeedError("The feed's generated time has no time zone.")
    if not isinstance(raw, list):
        raise FeedError("The feed has no list of entries.")
    entries: dict[tuple[str, str], int | None] = {}
    problems: list[str] = []
    for n, entry in enumerate(raw, 1):
        try:
            if not isinstance(entry, dict):
                raise ValueError("not an object")
            signal, value, quality = check_hash(entry.get("signal_type"), entry.get("value"),
                                                entry.get("quality"))
        except (TypeError, ValueError) as exc:
            problems.append(f"entry {n}: {exc}")
            continue
        entries.setdefault((signal, value), quality)
    if problems:
        more = len(problems) - MAX_REPORTED
        raise FeedError(f"{len(problems)} malformed entr{'y' if len(problems) == 1 else 'ies'}: "
                        + "; ".join(problems[:MAX_REPORTED])
                        + (f"; and {more} more" if more > 0 else ""))
    return Feed(str(name or "")[:100], kind, generated, entries)


def _public_key(creator: str, *, refresh: bool) -> rsa.RSAPublicKey:
    resolver = KeyResolver(refresh=refresh)
    pem = resolver(creator)
    account = resolver.account
    if pem is None or account is None:
        raise FeedError(f"The signing key {creator} could not be fetched.")
    actor_type = getattr(getattr(account, "remote_actor", None), "actor_type", "")
    if actor_type not in SIGNER_TYPES:
        raise FeedError("The feed is signed by a person's key, not by its server's actor.")
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise FeedError("The signing key cannot be read.") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise FeedError("The signing key is not an RSA key.")
    return key


def verify(data: dict, url: str) -> None:
    """Check the signature of the feed ``data`` fetched from ``url``: by the
    ``Application`` actor of ``url``'s own server (host and port). Raises ``FeedError``."""
    signature = data.get("signature") if isinstance(data, dict) else None
    if not isinstance(signature, dict) or signature.get("type") != SIGNATURE_TYPE:
        raise FeedError(f"The feed carries no {SIGNATURE_TYPE}.")
    creator, value = signature.get("creator"), signature.get("signatureValue")
    if not isinstance(creator, str) or not isinstance(value, str):
        raise FeedError("The signature names no creator or has no value.")
    if not policy.authority_of(creator) or (
            policy.authority_of(creator) != policy.authority_of(url)):
        raise FeedError(f"The feed is signed by a key of another server ({creator[:200]}).")
    if uris.is_local_uri(creator):
        raise FeedError("This is this server's own feed.")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise FeedError("The signature is not valid base64.") from None
    signed = canonical(data)
    for refresh in (False, True):  # a mismatch with a cached key: the key may have rotated
        try:
            _public_key(creator, refresh=refresh).verify(raw, signed, padding.PKCS1v15(),
                                                         hashes.SHA256())
            return
        except InvalidSignature:
            continue
    raise FeedError("The signature does not match the feed: it was changed or forged.")


def fetch(url: str, *, etag: str = "") -> Feed | None:
    """Fetch, verify and parse the feed at ``url``; None when it answers 304 to
    ``etag``. Raises ``FeedError``."""
    if policy.is_refused(policy.host_of(url)):
        raise FeedError(f"{policy.host_of(url)} is blocked here.")
    try:
        response = net.fetch(url, accept=CONTENT_TYPE, max_bytes=MAX_FEED_BYTES,
                             timeout=FETCH_TIMEOUT,
                             headers={"If-None-Match": etag} if etag else None)
        if response.status == 304 and etag:
            return None
        if not response.ok:
            raise FeedError(f"The feed answered HTTP {response.status}.")
        net.require_content_type(response)
        data = response.json()
    except net.NetError as exc:
        raise FeedError(str(exc)) from None
    if not isinstance(data, dict):
        raise FeedError("The feed is not a JSON object.")
    feed = parse(data)
    verify(data, url)
    feed.etag = response.headers.get("etag", "")
    return feed


# --- subscriptions ---------------------------------------------------------------------

@dataclass
class PullReport:
    hash_list: HashList
    status: str  # "updated", "unchanged" (304) or "refused" (the entries kept)
    added: int = 0
    removed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status != "refused"

    def summary(self) -> str:
        if self.status == "refused":
            return f"{self.hash_list.name}: refused, entries kept: {'; '.join(self.errors)}"
        if self.status == "unchanged":
            return f"{self.hash_list.name}: unchanged"
        return f"{self.hash_list.name}: {self.added:,} added, {self.removed:,} removed"


def _state_key(hash_list: HashList) -> str:
    return f"rostra:hash-feed:{hash_list.pk}:{hash_list.created_at.timestamp()}"


def last_pull(hash_list: HashList) -> dict:
    """What this server remembers of the last pull: ``etag``, ``generated`` (ISO),
    ``at`` (ISO), ``status``, ``error`` (kept in the cache: best effort)."""
    return cache.get(_state_key(hash_list)) or {}


def _remember(hash_list: HashList, **changes) -> None:
    state = {**last_pull(hash_list), **changes, "at": timezone.now().isoformat()}
    cache.set(_state_key(hash_list), state, timeout=None)


def _mirror(hash_list: HashList, wanted: dict[tuple[str, str], int | None]) -> tuple[int, int]:
    """Make ``hash_list`` hold exactly ``wanted``; returns (added, removed)."""
    held = set(hash_list.entries.values_list("signal_type", "value").iterator(
        chunk_size=lists.BATCH))
    new = [(s, v, q) for (s, v), q in wanted.items() if (s, v) not in held]
    gone = [key for key in held if key not in wanted]
    added = 0
    for start in range(0, len(new), lists.BATCH):  # one rescan event per batch
        added += len(lists.add_entries(hash_list, new[start:start + lists.BATCH]))
    removed = lists.remove_entries(hash_list, gone) if gone else 0
    return added, removed


def pull(hash_list: HashList) -> PullReport:
    """Bring the subscribed ``hash_list`` in step with its feed. A feed that cannot
    be fetched or believed, or that is older than the last one taken, leaves the
    entries as they are (``status`` "refused", ``errors`` say why)."""
    if hash_list.source != HashList.Source.FEED or not hash_list.feed_url:
        return PullReport(hash_list, "refused", errors=["The list is not a feed subscription."])
    state = last_pull(hash_list)
    try:
        feed = fetch(hash_list.feed_url, etag=state.get("etag", ""))
        if feed is None:
            _remember(hash_list, status="unchanged", error="")
            return PullReport(hash_list, "unchanged")
        if feed.kind != hash_list.kind:
            raise FeedError(f"The feed's kind changed from {hash_list.kind} to {feed.kind}.")
        if state.get("generated") and feed.generated < datetime.fromisoformat(
                state["generated"]):
            raise FeedError("The feed is older than the one taken before (a replay?).")
        with transaction.atomic():
            added, removed = _mirror(hash_list, feed.entries)
    except (FeedError, lists.HashListError) as exc:
        log.warning("hash feed %s refused: %s", hash_list.feed_url, exc)
        _remember(hash_list, status="refused", error=str(exc))
        return PullReport(hash_list, "refused", errors=[str(exc)])
    _remember(hash_list, status="updated", error="", etag=feed.etag,
              generated=feed.generated.isoformat())
    return PullReport(hash_list, "updated", added, removed)


def subscribe(url: str, *, name: str, action: str = HashList.Action.BLOCK) -> HashList:
    """Subscribe to the feed at ``url`` as the new list ``name`` (source ``feed``, the
    feed's kind, ``action`` on a match), after a first successful pull. Raises
    ``FeedError`` (nothing is created then)."""
    url = (url or "").strip()
    try:
        net.check_url(url)
    except net.BlockedURL as exc:
        raise FeedError(str(exc)) from None
    name = (name or "").strip()
    if not 0 < len(name) <= 100 or action not in HashList.Action.values:
        raise FeedError("A subscription needs a name of 1 to 100 characters and an action "
                        f"({', '.join(HashList.Action.values)}).")
    if HashList.objects.filter(Q(name=name) | Q(feed_url=url)).exists():
        raise FeedError("A list with this name or this feed exists already.")
    feed = fetch(url)
    with transaction.atomic():
        try:
            hash_list = lists.create_list(
                name, kind=feed.kind, action=action, source=HashList.Source.FEED,
                description=f"Subscribed to {url}", feed_url=url)
            _mirror(hash_list, feed.entries)
        except lists.HashListError as exc:
            raise FeedError(str(exc)) from None
    _remember(hash_list, status="updated", error="", etag=feed.etag,
              generated=feed.generated.isoformat())
    return hash_list


def subscriptions():
    return HashList.objects.filter(source=HashList.Source.FEED).exclude(feed_url="")


def pull_all() -> list[PullReport]:
    """Pull every enabled subscription (a disabled one is left as it is); one
    failing feed does not stop the others."""
    reports = []
    for hash_list in subscriptions().filter(enabled=True).order_by("name"):
        try:
            reports.append(pull(hash_list))
        except Exception:
            log.exception("hash feed %s could not be pulled", hash_list.feed_url)
    return reports


# --- the periodic pull -------------------------------------------------------------------

def interval() -> int:
    return int(getattr(settings, "ROSTRA_HASH_FEED_INTERVAL", DEFAULT_INTERVAL))


@task()
def pull_feeds_task() -> int:
    """Pull every feed, then come back in ``interval()`` seconds."""
    try:
        reports = pull_all()
    finally:
        if not _queued(statuses=("READY",)):  # two chains (workers started together) merge
            pull_feeds_task.using(
                run_after=timezone.now() + timedelta(seconds=interval())).enqueue()
    return sum(report.ok for report in reports)


def _queued(statuses=("READY", "RUNNING")) -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status__in=statuses,
                                       task_path=pull_feeds_task.module_path).exists()


def start_pulling() -> None:
    """Run at worker start: keep one periodic pull of the feeds in the queue."""
    try:
        if not _queued():
            pull_feeds_task.enqueue()
    except Exception:  # pragma: no cover - the worker must start anyway
        log.exception("Could not schedule the hash-feed pulls")
