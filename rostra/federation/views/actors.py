"""Actor documents, their collections and the object documents of posts.

Every path that also has an HTML page answers by content negotiation: ActivityStreams
JSON for ``Accept: application/activity+json`` (or ``application/ld+json`` with the
ActivityStreams profile), a redirect to the web page otherwise. ``/@user`` and
``/@user/<id>`` belong to the web door; ``middleware.py`` routes AS2 requests for them
here.

Posts: only what an anonymous reader may see (``posts.visibility.can_see(None, …)``)
is served, plus what a verified signer may see (a followers-only post to a follower's
signed fetch); anything else is a 404, indistinguishable from a missing post.

Authorized fetch (``FederationSettings.authorized_fetch``): posts and collections need
a valid signature (401 otherwise); an unsigned actor fetch gets only the minimal
document others need to verify our signatures. The instance actor is always served.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from rostra.accounts.models import Account
from rostra.accounts.services import find_account
from rostra.federation import policy, uris
from rostra.federation.models import FederationSettings
from rostra.federation.negotiation import activity_response, wants_activity_json
from rostra.federation.serializers import activity, collections
from rostra.federation.serializers.actor import serialize_actor, serialize_instance_actor
from rostra.federation.serializers.context import with_context
from rostra.federation.serializers.note import serialize_note
from rostra.federation.views import portability
from rostra.posts.models import Post
from rostra.posts.queries import with_relations
from rostra.posts.visibility import OPEN, can_see


def local_account_or_404(username: str) -> Account:
    account = find_account(username, "")
    if account is None or not account.local:
        raise Http404("No such account.")
    return account


def public_post_or_404(account: Account, post_id: int, viewer: Account | None = None) -> Post:
    """The post ``post_id`` of ``account`` if anyone may see it, or if ``viewer`` (a
    verified signer) may (``posts.visibility.can_see``); else 404."""
    post = with_relations(Post.objects.filter(pk=post_id, account=account)).first()
    if post is None:
        raise Http404("No such post.")
    if post.visibility in OPEN and can_see(None, post):
        return post
    if callable(viewer):  # verified only now that it matters
        viewer = viewer()
    if viewer is not None and not viewer.local and can_see(viewer, post):
        return post
    raise Http404("No such post.")


class Unauthorized(Exception):
    pass


def signed_fetcher(request) -> Account | None:
    """The verified signer of a GET, or None when unsigned. Raises ``Unauthorized`` for
    a bad signature, a refused server, or no signature under authorized fetch."""
    from rostra.federation import remote
    from rostra.federation.signatures import SignatureError, signature_key_id

    signed = "signature" in request.headers or "signature-input" in request.headers
    if not signed:
        if FederationSettings.current().authorized_fetch:
            raise Unauthorized("This server requires signed requests.")
        return None
    try:
        if policy.is_refused(policy.host_of(signature_key_id(request.headers))):
            raise Unauthorized("This server does not federate with yours.")
        url = f"{settings.ROSTRA_SCHEME}://{request.get_host()}{request.get_full_path()}"
        return remote.verify_request(request.method, url, request.headers, b"")
    except SignatureError as exc:
        raise Unauthorized(exc.reason) from exc


def _unauthorized(exc: Unauthorized) -> JsonResponse:
    return JsonResponse({"error": str(exc)}, status=401)


def _lazy_fetcher(request):
    """The signer, verified on first call (None when unsigned or not verifiable)."""
    cache: list = []

    def get() -> Account | None:
        if not cache:
            try:
                cache.append(signed_fetcher(request))
            except Unauthorized:
                cache.append(None)
        return cache[0]

    return get


def _authorized(view):
    """Run ``view(request, *args, viewer=…)``: under authorized fetch after the signature
    check (401 on failure); otherwise ``viewer`` is a callable verifying on demand."""
    from functools import wraps

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not FederationSettings.current().authorized_fetch:
            return view(request, *args, viewer=_lazy_fetcher(request), **kwargs)
        try:
            viewer = signed_fetcher(request)
        except Unauthorized as exc:
            return _unauthorized(exc)
        return view(request, *args, viewer=viewer, **kwargs)

    return wrapper


def minimal_actor(account: Account) -> dict:
    """What an unsigned fetch gets under authorized fetch: enough to verify us."""
    document = serialize_actor(account)
    keep = ("@context", "id", "type", "preferredUsername", "inbox", "outbox", "publicKey",
            "endpoints", "url")
    return {k: v for k, v in document.items() if k in keep}


# --- actors -----------------------------------------------------------------------------

def deleted(username: str) -> bool:
    """Whether ``username`` was a local account its owner closed (answered 410 Gone)."""
    return Account.objects.filter(username__iexact=username, domain="",
                                  deleted_at__isnull=False).exists()


@require_safe
def actor(request, username: str):
    if deleted(username):
        return HttpResponse("This account was deleted.", status=410,
                            content_type="text/plain")
    if "redirect_ap_obj" in request.GET:  # LOLA: where a copied object lives now
        account = local_account_or_404(username)
        return portability.copy_redirect(request, account, request.GET["redirect_ap_obj"])
    if wants_activity_json(request):
        return actor_json(request, username)
    return redirect(f"/@{local_account_or_404(username).username}")


def actor_json(request, username: str):
    """The actor document whatever ``Accept`` says (the middleware's entry)."""
    if deleted(username):
        return HttpResponse(status=410)
    held = find_account(username, "", suspended=True)
    if held is not None and held.local and held.suspended_at and not held.delete_after:
        # Suspended by moderators: the flag and an empty profile, as Mastodon serves
        # it, so other servers hide the account instead of keeping what they had. (An
        # account waiting for its deletion is hidden everywhere: 404 below.)
        return activity_response(serialize_actor(held))
    account = local_account_or_404(username)
    try:
        grant = portability.granted(request, account)
    except portability.NotGranted as exc:
        return portability.not_granted(exc)
    if grant:
        document = portability.with_discovery(serialize_actor(account), account, grant=True)
        return portability.private(activity_response(document))
    if FederationSettings.current().authorized_fetch:
        try:
            signed_fetcher(request)
        except Unauthorized:
            return activity_response(portability.with_discovery(
                minimal_actor(account), account, grant=False))
    return activity_response(portability.with_discovery(serialize_actor(account), account,
                                                        grant=False))


@require_safe
def instance_actor(request):
    return activity_response(serialize_instance_actor())


@require_safe
def instance_actor_outbox(request):
    """The instance actor publishes nothing: its outbox is truly empty."""
    collection_id = f"{uris.instance_actor_uri()}/outbox"
    return activity_response(with_context({
        "id": collection_id, "type": "OrderedCollection", "totalItems": 0, "orderedItems": [],
    }))


@csrf_exempt
def inbox(request, username: str | None = None):
    """Incoming activities: see ``federation.inbox``."""
    from rostra.federation.inbox import receive

    return receive(request, username)


# --- collections -------------------------------------------------------------------------

def _paged(request, whole, page):
    if "page" in request.GET or "max_id" in request.GET or "min_id" in request.GET:
        return activity_response(page(request.GET))
    return activity_response(whole())


@require_safe
def outbox(request, username: str):
    """The public outbox; with a portability grant, the migration outbox (LOLA)."""
    account = local_account_or_404(username)
    try:
        if portability.granted(request, account):
            return portability.migration_outbox(request, account)
    except portability.NotGranted as exc:
        return portability.not_granted(exc)
    return _public_outbox(request, username)


@_authorized
def _public_outbox(request, username: str, viewer=None):
    account = local_account_or_404(username)
    return _paged(request, lambda: collections.outbox(account),
                  lambda params: collections.outbox_page(account, params))


@require_safe
@_authorized
def followers(request, username: str, viewer=None):
    account = local_account_or_404(username)
    return _paged(request, lambda: collections.follow_collection(account, "followers"),
                  lambda params: collections.follow_page(account, "followers", params))


@require_safe
@_authorized
def following(request, username: str, viewer=None):
    account = local_account_or_404(username)
    return _paged(request, lambda: collections.follow_collection(account, "following"),
                  lambda params: collections.follow_page(account, "following", params))


@require_safe
@_authorized
def featured(request, username: str, viewer=None):
    return activity_response(collections.featured(local_account_or_404(username)))


# --- posts ---------------------------------------------------------------------------------

@require_safe
def status(request, username: str, post_id: int):
    account = local_account_or_404(username)
    if not wants_activity_json(request):
        moved = portability.moved_post_redirect(request, account.username, post_id)
        return moved or redirect(f"/@{account.username}/{post_id}")
    return status_json(request, username, post_id)


@_authorized
def status_json(request, username: str, post_id: int, viewer=None):
    """The post's object (an ``Announce`` for a boost), whatever ``Accept`` says."""
    post = public_post_or_404(local_account_or_404(username), post_id, viewer)
    if post.reblog_of_id:
        return activity_response(activity.announce(post))
    return portability.moved_answer(request, post, as_json=True) or activity_response(
        serialize_note(post))


@require_safe
@_authorized
def status_activity(request, username: str, post_id: int, viewer=None):
    post = public_post_or_404(local_account_or_404(username), post_id, viewer)
    if post.reblog_of_id:
        return activity_response(activity.announce(post))
    return portability.moved_answer(request, post, as_json=True) or activity_response(
        activity.create(post))


@require_safe
@_authorized
def status_replies(request, username: str, post_id: int, viewer=None):
    post = public_post_or_404(local_account_or_404(username), post_id, viewer)
    if post.reblog_of_id:
        raise Http404("A boost has no replies.")
    if "page" in request.GET or "min_id" in request.GET:
        try:
            after = int(request.GET["min_id"]) if request.GET.get("min_id") else None
        except ValueError:
            after = None
        return activity_response(collections.replies_page(post, after))
    return activity_response(collections.replies(post))
