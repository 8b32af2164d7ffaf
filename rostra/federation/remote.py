"""Remote actors and objects: fetch, check, cache, and hand to the domain services.

* ``fetch_actor(uri)`` → the ``Account`` of a remote actor (cached a day, refreshed
  after), through ``accounts.services.upsert_remote_account`` plus our ``RemoteActor``;
* ``resolve_handle("user@host")`` → WebFinger, then the actor;
* ``fetch_object(uri)`` → the ``Post`` of a remote Note/Question, its missing parents
  fetched up to ``MAX_REPLY_DEPTH`` deep, stored through ``create_remote_post``;
* ``KeyResolver`` / ``verify_request`` → HTTP-signature verification with the signer's
  key (refreshed once on a mismatch: key rotation);
* ``resolve_url(query)`` → an account or post for a search (URL or handle).

Every fetch goes through ``core.net`` (SSRF guard, size and time caps) signed by the
instance actor, and a document is only believed about its own server: its ``id`` must
be on the host it came from, and a post's author on the post's host. Refused domains
(``policy.is_refused``) are never contacted. Failures raise ``RemoteError``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rostra.accounts import services as accounts
from rostra.accounts.models import Account
from rostra.core import net
from rostra.core import text as text_mod
from rostra.core.links import account_path_username, post_path_ref
from rostra.federation import notes, policy, uris
from rostra.federation.keys import signer_for
from rostra.federation.models import RemoteActor
from rostra.federation.signatures import SignatureError
from rostra.federation.signatures import verify_request as _verify_signature
from rostra.posts import services as posts
from rostra.posts.errors import PostError
from rostra.posts.models import Post

ACTOR_TYPES = frozenset({"Person", "Service", "Application", "Group", "Organization"})
OBJECT_TYPES = frozenset({"Note", "Question", "Article", "Page"})
KEY_TYPES = frozenset({"Key", "CryptographicKey"})
REFRESH_AFTER = timedelta(days=1)
MAX_REPLY_DEPTH = 5
MAX_DOCUMENT_BYTES = 1024 * 1024
HANDLE_RE = re.compile(r"@?([A-Za-z0-9_.\-]{1,64})@([A-Za-z0-9.\-]+(?::\d{1,5})?)")


class RemoteError(Exception):
    """A remote actor or object could not be fetched or is not acceptable."""


# --- documents ---------------------------------------------------------------------

def fetch_document(uri: str) -> tuple[dict, str]:
    """GET an ActivityStreams document (signed by the instance actor); return it and
    the URL it finally came from. Raises ``RemoteError`` (refused domain, network,
    status, content type, not a JSON object)."""
    if policy.is_refused(policy.host_of(uri)):
        raise RemoteError(_("%(server)s is blocked here.") % {"server": policy.host_of(uri)})
    try:
        response = net.fetch(uri, sign_with=signer_for(None), max_bytes=MAX_DOCUMENT_BYTES)
        if not response.ok:
            raise RemoteError(_("%(url)s answered HTTP %(status)s.")
                              % {"url": uri, "status": response.status})
        net.require_content_type(response)
        document = response.json()
    except net.NetError as exc:
        raise RemoteError(str(exc)) from exc
    if not isinstance(document, dict) or not isinstance(document.get("id"), str):
        raise RemoteError(_("%(url)s is not an ActivityStreams object.") % {"url": uri})
    if policy.is_refused(policy.host_of(response.url)):
        raise RemoteError(_("%(url)s redirected to a blocked server.") % {"url": uri})
    return document, response.url


def same_origin(a: str, b: str) -> bool:
    return bool(policy.authority_of(a)) and policy.authority_of(a) == policy.authority_of(b)


def _check_origin(document: dict, fetched_from: str) -> str:
    doc_id = document.get("id")
    if not isinstance(doc_id, str) or not same_origin(doc_id, fetched_from):
        raise RemoteError("The document's id is not on the server it came from.")
    return doc_id


# --- actors --------------------------------------------------------------------------

def local_account_for(uri: str) -> Account | None:
    username = account_path_username(urlsplit(uri).path) if uris.is_local_uri(uri) else None
    return accounts.find_account(username) if username else None


def fetch_actor(uri: str, *, refresh: bool = False) -> Account:
    """The account of the actor ``uri`` (local ones are looked up, never fetched).

    A remote actor seen less than a day ago comes from the database unless
    ``refresh``; a stale one whose server does not answer is returned as it was.
    """
    uri = uri.split("#", 1)[0]
    if uris.is_local_uri(uri):
        account = local_account_for(uri)
        if account is None:
            raise RemoteError(_("No such local account."))
        return account
    account = (Account.objects.filter(uri=uri).exclude(domain="")
               .select_related("remote_actor").first())
    fresh = account is not None and hasattr(account, "remote_actor") and (
        account.remote_actor.fetched_at > timezone.now() - REFRESH_AFTER
    )
    if fresh and not refresh:
        return account
    try:
        document, final_url = fetch_document(uri)
    except RemoteError:
        if account is not None and not refresh:
            return account
        raise
    return store_actor(document, fetched_from=final_url)


def _public_key(document: dict, actor_id: str) -> tuple[str, str]:
    keys = document.get("publicKey")
    for key in keys if isinstance(keys, list) else [keys]:
        if not isinstance(key, dict):
            continue
        owner = key.get("owner", actor_id)
        pem, key_id = key.get("publicKeyPem"), key.get("id")
        if owner == actor_id and isinstance(pem, str) and isinstance(key_id, str):
            if same_origin(key_id, actor_id):
                return key_id, pem
    return "", ""


def _profile_fields(document: dict) -> list[dict]:
    fields = []
    items = document.get("attachment")
    for item in (items if isinstance(items, list) else [])[:8]:
        if isinstance(item, dict) and item.get("type") == "PropertyValue":
            name, value = item.get("name"), item.get("value")
            if isinstance(name, str) and isinstance(value, str):
                fields.append({"name": text_mod.plain_text(name)[:255],
                               "value": text_mod.sanitize(value)[:2048]})
    return fields[:accounts.MAX_PROFILE_FIELDS]


def _image_url(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url")
    return notes.first_id(value)


def store_actor(document: dict, *, fetched_from: str) -> Account:
    """Store (create or update) the actor ``document`` that came from ``fetched_from``."""
    actor_id = _check_origin(document, fetched_from)
    if document.get("type") not in ACTOR_TYPES:
        raise RemoteError("The document is not an actor.")
    username = document.get("preferredUsername")
    inbox = notes.first_id(document.get("inbox"))
    if not isinstance(username, str) or not username.strip() or not inbox:
        raise RemoteError("The actor has no username or no inbox.")
    domain = policy.authority_of(actor_id)
    if policy.is_refused(domain):
        raise RemoteError(_("%(server)s is blocked here.") % {"server": domain})
    key_id, pem = _public_key(document, actor_id)
    endpoints = document.get("endpoints") if isinstance(document.get("endpoints"), dict) else {}
    summary = document.get("summary")
    host = policy.host_of(actor_id)
    media_ok = not policy.rejects_media(host)
    with transaction.atomic():
        account = accounts.upsert_remote_account(
            actor_id, username.strip()[:64], domain,
            display_name=text_mod.plain_text(document["name"])[:100]
            if isinstance(document.get("name"), str) else "",
            note_html=text_mod.sanitize(summary) if isinstance(summary, str) else "",
            fields=_profile_fields(document),
            locked=document.get("manuallyApprovesFollowers") is True,
            bot=document.get("type") in ("Service", "Application"),
            discoverable=document.get("discoverable") is True,
            url=notes.first_id(document.get("url")) or actor_id,
            inbox_url=inbox,
            shared_inbox_url=notes.first_id(endpoints.get("sharedInbox")),
            public_key=pem,
        )
        RemoteActor.objects.update_or_create(account=account, defaults={
            "actor_type": document["type"],
            "key_id": key_id,
            "followers_url": notes.first_id(document.get("followers")),
            "following_url": notes.first_id(document.get("following")),
            "outbox_url": notes.first_id(document.get("outbox")),
            "featured_url": notes.first_id(document.get("featured")),
            "also_known_as": notes.id_list(document.get("alsoKnownAs"))[:20],
            "avatar_url": _image_url(document.get("icon")) if media_ok else "",
            "header_url": _image_url(document.get("image")) if media_ok else "",
            "fetched_at": timezone.now(),
            "document": document,
        })
    return Account.objects.select_related("remote_actor").get(pk=account.pk)


def followers_url(account: Account) -> str:
    actor = RemoteActor.objects.filter(account=account).first()
    return actor.followers_url if actor else ""


def _webfinger(username: str, domain: str) -> str:
    resource = quote(f"acct:{username}@{domain}", safe=":@")
    schemes = ["https", "http"] if settings.ROSTRA_FEDERATION_ALLOW_HTTP else ["https"]
    last: Exception | None = None
    for scheme in schemes:
        url = f"{scheme}://{domain}/.well-known/webfinger?resource={resource}"
        try:
            jrd = net.fetch_json(url, accept="application/jrd+json, application/json",
                                 max_bytes=64 * 1024)
        except net.NetError as exc:
            last = exc
            continue
        links = jrd.get("links") if isinstance(jrd, dict) else None
        for link in links if isinstance(links, list) else []:
            if (isinstance(link, dict) and link.get("rel") == "self"
                    and net.media_type(str(link.get("type", ""))) in net.JSON_TYPES):
                href = notes.first_id(link.get("href"))
                if href:
                    return href
        raise RemoteError(_("%(handle)s has no ActivityPub actor.")
                      % {"handle": f"{username}@{domain}"})
    raise RemoteError(_("%(server)s could not be asked about %(username)s: %(error)s")
                      % {"server": domain, "username": username, "error": last})


def resolve_handle(handle: str) -> Account:
    """The account ``user@host`` (``@`` prefix allowed): known, or found by WebFinger."""
    match = HANDLE_RE.fullmatch((handle or "").strip())
    if match is None:
        local = accounts.find_account((handle or "").strip().lstrip("@"))
        if local is None:
            raise RemoteError(_("No such account."))
        return local
    username, domain = match[1], match[2].lower()
    if domain in accounts.local_domain_names():
        local = accounts.find_account(username)
        if local is None:
            raise RemoteError(_("No such account."))
        return local
    known = accounts.find_account(username, domain)
    if known is not None and known.uri:
        return fetch_actor(known.uri)
    if policy.is_refused(domain):
        raise RemoteError(_("%(server)s is blocked here.") % {"server": domain})
    account = fetch_actor(_webfinger(username, domain))
    if account.domain != domain or account.username.lower() != username.lower():
        raise RemoteError(_("The server named an actor that is not this handle."))
    return account


# --- signatures ------------------------------------------------------------------------

class KeyResolver:
    """``keyId → public key PEM`` for ``signatures``; remembers the key's ``account``
    and whether the key came from the cache (so a mismatch may refresh it once)."""

    def __init__(self, *, refresh: bool = False):
        self.refresh = refresh
        self.account: Account | None = None
        self.from_cache = False

    def __call__(self, key_id: str) -> str | None:
        if policy.is_refused(policy.host_of(key_id)):
            return None
        cached = RemoteActor.objects.filter(key_id=key_id).select_related("account").first()
        if cached is not None and not self.refresh and cached.account.public_key:
            self.account, self.from_cache = cached.account, True
            return cached.account.public_key
        try:
            account = _actor_for_key(key_id)
        except RemoteError:
            return None
        self.account = account
        return account.public_key or None


def _actor_for_key(key_id: str) -> Account:
    base = key_id.split("#", 1)[0]
    if uris.is_local_uri(base):
        raise RemoteError("Local keys do not sign incoming requests.")
    document, final_url = fetch_document(base)
    if document.get("type") in ACTOR_TYPES:
        account = store_actor(document, fetched_from=final_url)
    elif document.get("type") in KEY_TYPES and notes.first_id(document.get("owner")):
        owner = notes.first_id(document.get("owner"))
        if not same_origin(owner, key_id):
            raise RemoteError("The key's owner is on another server.")
        account = fetch_actor(owner, refresh=True)
    else:
        raise RemoteError("The keyId names neither an actor nor a key.")
    if account.remote_actor.key_id != key_id:
        raise RemoteError("The actor does not hold this key.")
    return account


def verify_request(method: str, url: str, headers, body: bytes) -> Account:
    """Verify a signed request and return the signing actor's account.

    A signature that does not match a *cached* key is tried once more after
    re-fetching the actor (it may have rotated its key). Raises ``SignatureError``.
    """
    resolver = KeyResolver()
    try:
        _verify_signature(method, url, headers, body, resolver)
    except SignatureError as exc:
        retry = resolver.from_cache and ("does not match" in exc.reason
                                         or "does not fit" in exc.reason)
        if not retry:
            raise
        resolver = KeyResolver(refresh=True)
        _verify_signature(method, url, headers, body, resolver)
    if resolver.account is None:
        raise SignatureError("The signing key is unknown.")
    return resolver.account


# --- objects ----------------------------------------------------------------------------

def local_post_for(uri: str) -> Post | None:
    if not uris.is_local_uri(uri):
        return None
    ref = post_path_ref(urlsplit(uri).path)
    if ref is None:
        return None
    username, post_id = ref
    return Post.objects.filter(pk=post_id, account__username__iexact=username,
                               account__domain="").first()


def known_post(uri: str) -> Post | None:
    """The post ``uri`` names if we have it (local or stored remote)."""
    if not uri:
        return None
    if uris.is_local_uri(uri):
        return local_post_for(uri)
    return Post.objects.filter(uri=uri).exclude(account__domain="").first()


def fetch_object(uri: str, *, depth: int = 0) -> Post:
    """The post ``uri`` names: known, or fetched and stored (with its missing parents
    up to ``MAX_REPLY_DEPTH`` deep). Raises ``RemoteError``."""
    post = known_post(uri)
    if post is not None:
        return post
    if uris.is_local_uri(uri):
        raise RemoteError(_("No such local post."))
    document, final_url = fetch_document(uri)
    return store_object(document, fetched_from=final_url, depth=depth)


def store_object(document: dict, *, fetched_from: str, depth: int = 0,
                 author: Account | None = None) -> Post:
    """Store the Note/Question ``document`` that came from ``fetched_from`` (or, with
    ``author``, that ``author`` signed). Idempotent by its id."""
    object_id = _check_origin(document, fetched_from)
    if document.get("type") not in OBJECT_TYPES:
        raise RemoteError(_("The document is not a post."))
    author_uri = notes.first_id(document.get("attributedTo"))
    if not author_uri or not same_origin(author_uri, object_id):
        raise RemoteError("The post's author is not on the post's server.")
    if author is not None and author.uri != author_uri:
        raise RemoteError("The post is not by the actor who sent it.")
    author = author or fetch_actor(author_uri)
    existing = Post.objects.filter(uri=object_id, account=author).first()
    if existing is not None:
        return existing
    parent = None
    parent_uri = notes.first_id(document.get("inReplyTo"))
    if parent_uri:
        parent = known_post(parent_uri)
        if parent is None and depth < MAX_REPLY_DEPTH:
            try:
                parent = fetch_object(parent_uri, depth=depth + 1)
            except RemoteError:
                parent = None
    arguments = notes.note_arguments(document, author, followers_url(author))
    try:
        return posts.create_remote_post(author, in_reply_to=parent, **arguments)
    except PostError as exc:
        raise RemoteError(str(exc)) from exc


# --- search -------------------------------------------------------------------------------

def resolve_url(query: str) -> Account | Post | None:
    """The account or post a search names: ``@user@host``, an actor URL, a post URL.
    None when it names nothing we can show; ``RemoteError`` when the fetch failed."""
    query = (query or "").strip()
    if HANDLE_RE.fullmatch(query):
        return resolve_handle(query)
    if not query.startswith(("https://", "http://")):
        return None
    if uris.is_local_uri(query):
        return local_post_for(query) or local_account_for(query)
    post = Post.objects.filter(Q(uri=query) | Q(origin_url=query)).exclude(
        account__domain="").first()
    if post is not None:
        return post
    account = Account.objects.filter(Q(uri=query) | Q(url=query)).exclude(domain="").first()
    if account is not None:
        return fetch_actor(account.uri)
    document, final_url = fetch_document(query)
    kind = document.get("type")
    if kind in ACTOR_TYPES:
        return store_actor(document, fetched_from=final_url)
    if kind in OBJECT_TYPES:
        return store_object(document, fetched_from=final_url)
    return None
