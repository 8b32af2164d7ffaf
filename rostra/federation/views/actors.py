"""Actor documents, their collections and the object documents of posts.

Every path that also has an HTML page answers by content negotiation: ActivityStreams
JSON for ``Accept: application/activity+json`` (or ``application/ld+json`` with the
ActivityStreams profile), a redirect to the web page otherwise. ``/@user`` and
``/@user/<id>`` belong to the web door; ``middleware.py`` routes AS2 requests for them
here.

Posts: only what an anonymous reader may see (``posts.visibility.can_see(None, …)``)
is served; anything else is a 404, indistinguishable from a missing post. Authorized
fetch (serving followers-only posts to a verified, permitted signer) comes with
inbox processing.
"""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from rostra.accounts.models import Account
from rostra.accounts.services import find_account
from rostra.federation import uris
from rostra.federation.negotiation import activity_response, wants_activity_json
from rostra.federation.serializers import activity, collections
from rostra.federation.serializers.actor import serialize_actor, serialize_instance_actor
from rostra.federation.serializers.context import with_context
from rostra.federation.serializers.note import serialize_note
from rostra.posts.models import Post
from rostra.posts.queries import with_relations
from rostra.posts.visibility import OPEN, can_see


def local_account_or_404(username: str) -> Account:
    account = find_account(username, "")
    if account is None or not account.local:
        raise Http404("No such account.")
    return account


def public_post_or_404(account: Account, post_id: int) -> Post:
    """The post ``post_id`` of ``account`` if anyone may see it, else 404."""
    post = with_relations(Post.objects.filter(pk=post_id, account=account)).first()
    if post is None or post.visibility not in OPEN or not can_see(None, post):
        raise Http404("No such post.")
    return post


# --- actors -----------------------------------------------------------------------------

@require_safe
def actor(request, username: str):
    account = local_account_or_404(username)
    if not wants_activity_json(request):
        return redirect(f"/@{account.username}")
    return activity_response(serialize_actor(account))


def actor_json(request, username: str):
    """The actor document whatever ``Accept`` says (the middleware's entry)."""
    return activity_response(serialize_actor(local_account_or_404(username)))


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
    """Inboxes exist (actors name them) but incoming activities are not processed yet:
    say so honestly with 501 so senders retry later rather than count it delivered."""
    if username is not None:
        local_account_or_404(username)
    return JsonResponse({"error": "Inbox processing is not available yet on this server."},
                        status=501)


# --- collections -------------------------------------------------------------------------

def _paged(request, whole, page):
    if "page" in request.GET or "max_id" in request.GET or "min_id" in request.GET:
        return activity_response(page(request.GET))
    return activity_response(whole())


@require_safe
def outbox(request, username: str):
    account = local_account_or_404(username)
    return _paged(request, lambda: collections.outbox(account),
                  lambda params: collections.outbox_page(account, params))


@require_safe
def followers(request, username: str):
    account = local_account_or_404(username)
    return _paged(request, lambda: collections.follow_collection(account, "followers"),
                  lambda params: collections.follow_page(account, "followers", params))


@require_safe
def following(request, username: str):
    account = local_account_or_404(username)
    return _paged(request, lambda: collections.follow_collection(account, "following"),
                  lambda params: collections.follow_page(account, "following", params))


@require_safe
def featured(request, username: str):
    return activity_response(collections.featured(local_account_or_404(username)))


# --- posts ---------------------------------------------------------------------------------

@require_safe
def status(request, username: str, post_id: int):
    account = local_account_or_404(username)
    if not wants_activity_json(request):
        return redirect(f"/@{account.username}/{post_id}")
    return status_json(request, username, post_id)


def status_json(request, username: str, post_id: int):
    """The post's object (an ``Announce`` for a boost), whatever ``Accept`` says."""
    post = public_post_or_404(local_account_or_404(username), post_id)
    if post.reblog_of_id:
        return activity_response(activity.announce(post))
    return activity_response(serialize_note(post))


@require_safe
def status_activity(request, username: str, post_id: int):
    post = public_post_or_404(local_account_or_404(username), post_id)
    if post.reblog_of_id:
        return activity_response(activity.announce(post))
    return activity_response(activity.create(post))


@require_safe
def status_replies(request, username: str, post_id: int):
    post = public_post_or_404(local_account_or_404(username), post_id)
    if post.reblog_of_id:
        raise Http404("A boost has no replies.")
    if "page" in request.GET or "min_id" in request.GET:
        try:
            after = int(request.GET["min_id"]) if request.GET.get("min_id") else None
        except ValueError:
            after = None
        return activity_response(collections.replies_page(post, after))
    return activity_response(collections.replies(post))
