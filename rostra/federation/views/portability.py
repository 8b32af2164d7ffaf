"""LOLA (live online account portability), source side: what this server serves to
the server an account moves to, and how old post addresses answer afterwards.

Following the SWICG LOLA draft where it is specific:

* discovery: every actor document names the portability authorization endpoint
  as ``accountPortabilityOauth`` (the current draft's ``endpoints.
  oauthMigrationEndpoint`` is read by our client but not served yet); it is our
  ordinary ``/oauth/authorize``, asked for the ``activitypub_account_portability`` scope
  (``api.scopes.PORTABILITY``), which covers nothing else and is covered by no
  other scope;
* fetching: a request carrying ``Authorization: Bearer`` with a live token of that
  scope *belonging to the actor's own user* sees the "migration outbox": the same
  outbox URL (the draft allows it), listing every own post of every audience
  (public, unlisted, followers-only, direct), as ``Create`` activities with full
  objects (attachments, dates, addressing). Boosts and posts moderators removed or
  the media gate holds are left out. With such a token the actor document also
  carries ``migration`` (``outbox``, and ``movedObjects``, below). A Bearer that is
  not such a grant is refused (401): a destination must not silently get the
  public view believing it has everything. Without any Bearer nothing changes;
* redirects: where the draft is silent on how the source learns the new ids, the
  destination POSTs them with the same token to ``movedObjects``
  (``/users/<name>/migration/moved``): ``{"actor": new actor id, "items":
  [{"object": old id, "target": new id, "url": new page}]}``. It is accepted only
  once the account has moved (``Account.moved_to``) to that actor, and only for
  targets on that actor's server and posts of this account. Then the old post's
  page answers ``301`` to the new page, and an ActivityPub fetch of it answers
  ``410`` with a ``Tombstone`` whose ``movedTo`` (and ``url``) give the new place;
  and every server its ``Create`` reached gets a ``Move`` (``object_moves``).
"""

from __future__ import annotations

import json

from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from rostra.accounts.models import Account
from rostra.api import oauth
from rostra.api import scopes as scope_rules
from rostra.core.links import absolute_url
from rostra.federation import object_moves, policy, remote, uris
from rostra.federation.negotiation import activity_response, wants_activity_json
from rostra.federation.serializers import activity, collections
from rostra.federation.serializers.common import iso
from rostra.federation.serializers.context import with_context
from rostra.posts import moves
from rostra.posts.errors import PostError
from rostra.posts.models import Post
from rostra.posts.queries import with_relations
from rostra.posts.visibility import OPEN
from rostra.timelines.pagination import paginate

MAX_ITEMS = 500  # per report request


class NotGranted(Exception):
    """A Bearer token was presented but is not a portability grant for this account."""


def bearer(request) -> str:
    kind, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if kind.lower() == "bearer" else ""


def granted(request, account: Account) -> bool:
    """True with a live portability token of ``account``'s own user, False with no
    Bearer at all; ``NotGranted`` for any other Bearer (another account's, another
    scope, revoked, unknown)."""
    plain = bearer(request)
    if not plain:
        return False
    token = oauth.find_token(plain)
    if (token is None or token.user is None or token.user.account_id != account.pk
            or not scope_rules.allows(token.scope_list, scope_rules.PORTABILITY)):
        raise NotGranted("This token does not grant access to this account's data.")
    return True


def not_granted(exc: NotGranted) -> JsonResponse:
    response = JsonResponse({"error": str(exc)}, status=401)
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def private(response):
    """Answers that depend on the token must not be cached for others."""
    response["Cache-Control"] = "private, no-store"
    response["Vary"] = "Authorization, Accept"
    return response


# --- discovery ------------------------------------------------------------------

def with_discovery(document: dict, account: Account, *, grant: bool) -> dict:
    """``document`` (an actor) plus the LOLA discovery fields; ``migration`` only
    for a granted request."""
    document["accountPortabilityOauth"] = absolute_url("/oauth/authorize")
    if not document.get("alsoKnownAs") and account.also_known_as:
        document["alsoKnownAs"] = list(account.also_known_as)
    if grant:
        document["migration"] = {
            "outbox": uris.actor_path(account, "/outbox"),
            "movedObjects": uris.actor_path(account, "/migration/moved"),
        }
    return document


# --- the migration outbox -------------------------------------------------------

def migration_posts(account: Account):
    """Every own post of ``account``, any audience, that may leave with it."""
    return Post.objects.filter(account=account, reblog_of__isnull=True,
                               removed_at__isnull=True, held="")


def migration_outbox(request, account: Account):
    collection_id = uris.actor_path(account, "/outbox")
    params = request.GET
    if not any(k in params for k in ("page", "max_id", "min_id")):
        document = collections.ordered_collection(collection_id,
                                                  migration_posts(account).count())
        return private(activity_response(document))
    page = collections.page_from(params)
    rows = paginate(migration_posts(account), page)
    found = with_relations(Post.objects.filter(pk__in=[p.pk for p in rows])).order_by("-id")
    items = [activity.create(p, context=False) for p in found]
    return private(activity_response(collections.ordered_page(collection_id, page, rows,
                                                              items)))


# --- moved posts ----------------------------------------------------------------------

def tombstone(post: Post) -> dict:
    return with_context({
        "id": uris.post_uri(post),
        "type": "Tombstone",
        "formerType": "Note",
        "movedTo": post.moved_to_uri,
        "url": post.moved_to_url or post.moved_to_uri,
        "published": iso(post.published),
    })


def moved_answer(request, post: Post, *, as_json: bool | None = None):
    """The answer for a post that moved away, or None when it did not."""
    if not post.moved_to_uri:
        return None
    if as_json is None:
        as_json = wants_activity_json(request)
    if as_json:
        return activity_response(tombstone(post), status=410)
    return HttpResponsePermanentRedirect(post.moved_to_url or post.moved_to_uri)


def moved_post_redirect(request, username: str, post_id: int):
    """For the web page ``/@user/<id>``: a 301 when the post moved, else None. Only
    for public and unlisted posts: the others' pages say nothing to strangers."""
    post = (Post.objects.filter(pk=post_id, account__username__iexact=username,
                                account__domain="", visibility__in=OPEN)
            .exclude(moved_to_uri="").only("moved_to_uri", "moved_to_url").first())
    return moved_answer(request, post, as_json=False) if post else None


def copy_redirect(request, account: Account, old_id: str):
    """Destination side of the draft's ``<actor>?redirect_ap_obj=<old id>``: a 301
    to ``account``'s copy of ``old_id`` (``Post.uri`` keeps a copy's old id), or 404."""
    copy = Post.objects.filter(account=account, uri=old_id).first() if old_id else None
    if copy is None:
        return JsonResponse({"error": "No copy of that object here."}, status=404)
    target = uris.post_uri(copy) if wants_activity_json(request) else uris.post_url(copy)
    return HttpResponsePermanentRedirect(target)


@csrf_exempt
@require_POST
def report_moved(request, username: str):
    """``movedObjects``: the destination tells which copy each old post became."""
    from rostra.federation.views.actors import local_account_or_404

    account = local_account_or_404(username)
    try:
        if not granted(request, account):
            raise NotGranted("A portability grant of this account is required.")
    except NotGranted as exc:
        return not_granted(exc)
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "The body is not JSON."}, status=400)
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        return JsonResponse({"error": f"items must be a list of at most {MAX_ITEMS}."},
                            status=400)
    target = account.moved_to
    new_actor = uris.actor_uri(target) if target is not None else ""
    if not new_actor or body.get("actor") != new_actor:
        return JsonResponse({"error": "This account has not moved to that actor (yet): "
                                      "move it first, then report the copies again."},
                            status=409)
    recorded, skipped = _record(account, new_actor, items)
    object_moves.notify_holders(account, recorded)
    return JsonResponse({"recorded": len(recorded), "skipped": skipped})


def _record(account: Account, new_actor: str, items: list) -> tuple[list[Post], list[dict]]:
    recorded: list[Post] = []
    skipped: list[dict] = []
    for item in items:
        item = item if isinstance(item, dict) else {}
        old, new = str(item.get("object") or ""), str(item.get("target") or "")
        url = str(item.get("url") or new)
        post = remote.local_post_for(old) if old else None
        if post is None or post.account_id != account.pk:
            skipped.append({"object": old, "error": "not a post of this account"})
            continue
        if not (remote.same_origin(new, new_actor) and remote.same_origin(url, new_actor)
                and policy.authority_of(new)):
            skipped.append({"object": old, "error": "the copy is not on the new server"})
            continue
        try:
            if moves.record_moved(post, new, url):
                recorded.append(post)
        except PostError as exc:
            skipped.append({"object": old, "error": str(exc)})
    return recorded, skipped
