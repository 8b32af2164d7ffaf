"""``GET /safety/feeds/<name>.json``: the signed hash feed of a victims' list (see
``federation.hash_feeds``). Public, as other servers pull it without an account;
``If-None-Match`` with the current ``ETag`` answers 304 without building it."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.views.decorators.http import require_safe

from rostra.federation import hash_feeds


def _matches(header: str, tag: str) -> bool:
    tokens = {token.strip().removeprefix("W/") for token in header.split(",")}
    return "*" in tokens or tag in tokens


@require_safe
def feed(request, name: str) -> HttpResponse:
    hash_list = hash_feeds.shared_list(name)
    if hash_list is None:
        return JsonResponse({"error": "No such feed."}, status=404)
    tag = hash_feeds.etag(hash_list)
    if _matches(request.headers.get("If-None-Match", ""), tag):
        response = HttpResponseNotModified()
    else:
        tag, body = hash_feeds.published(hash_list)
        response = HttpResponse(body, content_type=f"{hash_feeds.CONTENT_TYPE}; charset=utf-8")
    response["ETag"] = tag
    response["Cache-Control"] = "public, no-cache"  # always revalidate: minutes matter
    response["Access-Control-Allow-Origin"] = "*"
    return response
