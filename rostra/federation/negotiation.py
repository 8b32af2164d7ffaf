"""Content negotiation: does a request ask for ActivityStreams JSON, and the response
type we answer with."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

ACTIVITY_JSON = "application/activity+json"
AS2_PROFILE = "https://www.w3.org/ns/activitystreams"


def wants_activity_json(request: HttpRequest) -> bool:
    """True when ``Accept`` names ``application/activity+json`` or ``application/ld+json``
    (with the ActivityStreams profile, or none) with a non-zero quality."""
    for part in request.headers.get("Accept", "").split(","):
        media, *params = [p.strip() for p in part.split(";")]
        media = media.lower()
        options = {}
        for param in params:
            key, _, value = param.partition("=")
            options[key.strip().lower()] = value.strip().strip('"')
        if options.get("q", "1") in ("0", "0.0", "0.00", "0.000"):
            continue
        if media == ACTIVITY_JSON:
            return True
        if media == "application/ld+json" and (
            "profile" not in options or AS2_PROFILE in options["profile"].split()
        ):
            return True
    return False


def activity_response(document: dict, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False), status=status, content_type=ACTIVITY_JSON
    )
    response["Access-Control-Allow-Origin"] = "*"
    patch_vary_headers(response, ["Accept"])
    return response


def json_response(document: dict, content_type: str = "application/json") -> HttpResponse:
    response = HttpResponse(json.dumps(document, ensure_ascii=False),
                            content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"
    return response
