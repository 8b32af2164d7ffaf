"""Paged lists for the API: ``Page`` from the query string, and the ``Link``
header (``rel="next"`` older, ``rel="prev"`` newer) Mastodon clients follow."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from django.http import JsonResponse

from rostra.core.links import absolute_url
from rostra.timelines.pagination import Page

KEEP = ("limit", "only_media", "local", "remote", "exclude_replies", "exclude_reblogs",
        "pinned", "tagged")


def page_of(request, default_limit: int = 20) -> Page:
    return Page.from_params(request.GET, default_limit=default_limit)


def link_header(request, ids: Sequence[int]) -> str:
    if not ids:
        return ""
    base = absolute_url(request.path)
    kept = [(k, v) for k in request.GET for v in request.GET.getlist(k)
            if k in KEEP or k.endswith("[]")]
    next_url = f"{base}?{urlencode([*kept, ('max_id', str(ids[-1]))])}"
    prev_url = f"{base}?{urlencode([*kept, ('min_id', str(ids[0]))])}"
    return f'<{next_url}>; rel="next", <{prev_url}>; rel="prev"'


def paged(request, items: list, page_ids: Sequence[int]) -> JsonResponse:
    """A JSON list with its Link header; ``page_ids`` are the ids the pages run on
    (post ids, or the ids of follow/like/bookmark rows), newest first."""
    response = JsonResponse(items, safe=False)
    header = link_header(request, page_ids)
    if header:
        response["Link"] = header
    return response
