"""``POST /x-connections/lookup``: other Rostra servers ask which X account ids
belong to people here who opted in to be found by them (see ``portability.x_lookup``
for the contract, ``portability.x_connections`` for the privacy rules).

In order: the body is capped (413); the server must not be refused (403); the HTTP
signature must verify (401), and the signer must be a server's instance actor
(an ``Application`` or ``Service`` actor, 403), so the answer goes to a server,
not to a person; each server has ``RATE_LIMIT`` requests per ``RATE_WINDOW``
(429); the body is ``{"ids": [...]}`` with at most ``MAX_LOOKUP_IDS`` ids (400).
The answer lists only opted-in local accounts: ``{"results": [{"x_id", "actor"}]}``.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from rostra.core import rate_limits
from rostra.core.links import absolute_url
from rostra.federation import policy, remote
from rostra.federation.signatures import SignatureError, signature_key_id
from rostra.portability import x_connections as xc

MAX_BODY = 64 * 1024  # 1,000 ids of 20 digits, quoted, fit with room to spare
RATE_LIMIT = 120
RATE_WINDOW = 60 * 60
SERVER_ACTOR_TYPES = frozenset({"Application", "Service"})


def capability() -> dict:
    """What NodeInfo advertises under ``metadata.rostraXConnections``."""
    return {"lookup": absolute_url("/x-connections/lookup"), "maxIds": xc.MAX_LOOKUP_IDS}


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _over_limit(domain: str) -> bool:
    return rate_limits.over_limit("x-lookup", domain, RATE_LIMIT, RATE_WINDOW)


def _ids(body: bytes) -> list[str]:
    data = json.loads(body)
    ids = data.get("ids") if isinstance(data, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, str | int) for i in ids):
        raise ValueError('The body must be {"ids": ["<X account id>", ...]}.')
    if len(ids) > xc.MAX_LOOKUP_IDS:
        raise ValueError(f"At most {xc.MAX_LOOKUP_IDS} ids per request.")
    return [str(i) for i in ids]


@csrf_exempt
@require_POST
def lookup(request):
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > MAX_BODY:
        return _error(413, f"Lookups are limited to {MAX_BODY} bytes.")
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return _error(413, f"Lookups are limited to {MAX_BODY} bytes.")
    try:
        key_id = signature_key_id(request.headers)
    except SignatureError as exc:
        return _error(401, exc.reason)
    if policy.is_refused(policy.host_of(key_id)):
        return _error(403, "This server does not federate with yours.")
    url = f"{settings.ROSTRA_SCHEME}://{request.get_host()}{request.get_full_path()}"
    try:
        signer = remote.verify_request("POST", url, request.headers, body)
    except SignatureError as exc:
        return _error(401, exc.reason)
    actor = getattr(signer, "remote_actor", None)
    if signer.local or actor is None or actor.actor_type not in SERVER_ACTOR_TYPES:
        return _error(403, "Only a server's instance actor may ask.")
    if _over_limit(signer.domain):
        return _error(429, "Too many lookups from your server; try again later.")
    try:
        ids = _ids(body)
    except (ValueError, RecursionError) as exc:
        return _error(400, str(exc))
    return JsonResponse({"results": xc.lookup(ids)})
