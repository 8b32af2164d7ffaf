"""The inbox door: ``POST /inbox``, ``/users/<name>/inbox`` and ``/actor/inbox``.

In order, and storing nothing until the last step:

1. the body is capped (``MAX_BODY``; a larger ``Content-Length`` is refused before
   reading: 413) and must be a JSON object with ``id``, ``type`` and ``actor`` (400);
2. servers that are suspended, or not allowed in allow-list mode, get 403;
3. the HTTP signature must verify (401); its key's owner must be the ``actor``,
   except for a forwarded Create/Update (the object is then re-fetched from its
   origin) or Announce (the activity is re-fetched);
4. the activity is recorded by id (``InboxActivity``): a replay is answered 202 and
   changes nothing; then its handler runs (synchronously: handlers are idempotent
   and quick, remote fetches capped) and the outcome is recorded.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from rostra.accounts.errors import AccountError
from rostra.accounts.models import Account
from rostra.core import json_input
from rostra.federation import handlers, notes, policy, remote
from rostra.federation.models import InboxActivity
from rostra.federation.signatures import SignatureError, signature_key_id
from rostra.posts.errors import PostError

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
REFETCHABLE = ("Create", "Update")


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _read_body(request) -> bytes | None:
    """The body, or None when it is over ``MAX_BODY`` (read no further than that)."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    body = request.read(MAX_BODY + 1)
    return None if len(body) > MAX_BODY else body


def parse_activity(body: bytes) -> dict:
    """The activity in ``body``; ``ValueError`` unless a JSON object with a string
    ``id``, ``type`` and an ``actor`` on the same server as the ``id``."""
    activity = json_input.loads(body)
    if not isinstance(activity, dict):
        raise ValueError("The body is not a JSON object.")
    activity_id, kind = activity.get("id"), activity.get("type")
    actor_uri = notes.first_id(activity.get("actor"))
    if not isinstance(activity_id, str) or not activity_id or len(activity_id) > 2048:
        raise ValueError("The activity has no id.")
    if not isinstance(kind, str) or not actor_uri:
        raise ValueError("The activity has no type or no actor.")
    if not remote.same_origin(activity_id, actor_uri):
        raise ValueError("The activity's id is not on its actor's server.")
    return activity


def _reauthenticate(activity: dict, actor_uri: str) -> dict | None:
    """A forwarded activity signed by someone else: believe it only as its origin
    serves it. Returns the activity to process, or None."""
    kind = activity.get("type")
    try:
        if kind in REFETCHABLE:
            object_id = notes.first_id(activity.get("object"))
            if not object_id or not remote.same_origin(object_id, actor_uri):
                return None
            document, final_url = remote.fetch_document(object_id)
            remote._check_origin(document, final_url)
            owner = notes.first_id(document.get("attributedTo")) or document.get("id")
            if owner != actor_uri:
                return None
            return {**activity, "object": document}
        if kind == "Announce":
            document, final_url = remote.fetch_document(activity["id"])
            remote._check_origin(document, final_url)
            if (document.get("type") == "Announce"
                    and notes.first_id(document.get("actor")) == actor_uri):
                return {**document, "id": activity["id"]}
    except remote.RemoteError:
        return None
    return None


@csrf_exempt
def receive(request, username: str | None = None):
    if request.method != "POST":
        return _error(405, "Inboxes take POST requests.")
    if username is not None:
        from rostra.federation.views.actors import local_account_or_404

        try:
            local_account_or_404(username)
        except Http404:
            return _error(404, "No such account.")
    body = _read_body(request)
    if body is None:
        return _error(413, f"Activities are limited to {MAX_BODY} bytes.")
    try:
        key_id = signature_key_id(request.headers)
    except SignatureError as exc:
        return _error(401, exc.reason)
    try:
        activity = parse_activity(body)
    except (ValueError, RecursionError) as exc:
        return _error(400, f"Malformed activity: {exc}")
    actor_uri = notes.first_id(activity.get("actor"))
    for host in (policy.host_of(actor_uri), policy.host_of(key_id)):
        if policy.is_refused(host):
            return _error(403, "This server does not federate with yours.")
    if (activity["type"] == "Delete" and notes.first_id(activity.get("object")) == actor_uri
            and not Account.objects.filter(uri=actor_uri).exists()):
        return HttpResponse(status=202)  # an unknown actor deleted itself: nothing to do
    url = f"{settings.ROSTRA_SCHEME}://{request.get_host()}{request.get_full_path()}"
    try:
        signer = remote.verify_request("POST", url, request.headers, body)
    except SignatureError as exc:
        return _error(401, exc.reason)
    actor = signer
    if signer.uri != actor_uri:
        activity = _reauthenticate(activity, actor_uri)
        if activity is None:
            return _error(401, "The request is signed by another actor than the activity's.")
        try:
            actor = remote.fetch_actor(actor_uri)
        except remote.RemoteError:
            return _error(401, "The activity's actor cannot be fetched.")
    if InboxActivity.objects.filter(activity_id=activity["id"]).exists():
        return HttpResponse(status=202)
    try:
        with transaction.atomic():
            record = InboxActivity.objects.create(
                activity_id=activity["id"], actor_uri=actor.uri, type=activity["type"][:32],
                payload=activity,
            )
    except IntegrityError:
        return HttpResponse(status=202)  # the same activity, delivered concurrently
    process(record, actor)
    return HttpResponse(status=202)


def process(record: InboxActivity, actor: Account) -> InboxActivity:
    """Run the handler of ``record`` once and store its outcome."""
    status, error = InboxActivity.Status.PROCESSED, ""
    try:
        with transaction.atomic():
            handlers.dispatch(record.payload, actor)
    except handlers.Ignored as exc:
        status, error = InboxActivity.Status.IGNORED, str(exc)
        if isinstance(exc, handlers.Refused):
            exc.answer()
    except (remote.RemoteError, AccountError, PostError) as exc:
        status, error = InboxActivity.Status.IGNORED, str(exc)
    except Exception as exc:  # a bug must not make the sender retry forever
        log.exception("Inbox activity %s failed", record.activity_id)
        status, error = InboxActivity.Status.FAILED, f"{exc.__class__.__name__}: {exc}"
    InboxActivity.objects.filter(pk=record.pk).update(
        status=status, error=error[:2000], processed_at=timezone.now()
    )
    record.status, record.error = status, error
    return record
