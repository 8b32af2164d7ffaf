"""Routes ActivityStreams requests for the web door's profile and post pages
(``/@user``, ``/@user/<id>``) to the federation views, so one URL serves both a
browser (HTML, from the web door, untouched) and a server (AS2 JSON, from here).

Responses on those paths get ``Vary: Accept`` so caches keep the two apart.
"""

from __future__ import annotations

import re

from django.http import Http404, JsonResponse
from django.utils.cache import patch_vary_headers

from rostra.federation.negotiation import wants_activity_json

_PROFILE = re.compile(r"^/@(?P<username>[A-Za-z0-9_.\-]+)$")
_POST = re.compile(r"^/@(?P<username>[A-Za-z0-9_.\-]+)/(?P<post_id>\d{1,19})$")


class ActivityPubNegotiationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        profile = _PROFILE.match(request.path_info)
        post = None if profile else _POST.match(request.path_info)
        if (profile or post) and request.method in ("GET", "HEAD") and wants_activity_json(
            request
        ):
            from rostra.federation.views import actors

            try:
                if profile:
                    return actors.actor_json(request, profile["username"])
                return actors.status_json(request, post["username"], int(post["post_id"]))
            except Http404 as exc:
                return JsonResponse({"error": str(exc) or "Not found"}, status=404)
        if post and request.method in ("GET", "HEAD"):
            from rostra.federation.views import portability

            moved = portability.moved_post_redirect(request, post["username"],
                                                    int(post["post_id"]))
            if moved is not None:  # the post moved with its author (LOLA): 301
                patch_vary_headers(moved, ["Accept"])
                return moved
        response = self.get_response(request)
        if profile or post:
            patch_vary_headers(response, ["Accept"])
        return response
