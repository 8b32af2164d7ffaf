"""``/api/v1/trends/tags``, ``/trends/statuses``, ``/trends/links``: plain counts
over recent public posts (definitions in ``timelines.trends``), paged by
``limit``/``offset``. ``/api/v1/trends`` is the old name of the tags list."""

from __future__ import annotations

from rostra.api.auth import endpoint
from rostra.api.serializers.status import serialize_statuses
from rostra.api.serializers.trend import serialize_link, serialize_trend_tag
from rostra.timelines import trends


def _window(request, default: int, most: int) -> tuple[int, int]:
    p = request.params
    limit = max(1, min(p.int("limit", default) or default, most))
    offset = min(max(0, p.int("offset", 0) or 0), 10_000)  # a huge OFFSET overflowed SQL
    return limit, offset


@endpoint(["GET"], auth="optional")
def tags(request):
    limit, offset = _window(request, 10, 20)
    return [serialize_trend_tag(t) for t in trends.trending_tags(limit, offset)]


@endpoint(["GET"], auth="optional")
def statuses(request):
    limit, offset = _window(request, 20, 40)
    viewer = request.api_account
    return serialize_statuses(trends.trending_statuses(viewer, limit, offset), viewer)


@endpoint(["GET"], auth="optional")
def links(request):
    limit, offset = _window(request, 10, 20)
    return [serialize_link(t) for t in trends.trending_links(limit, offset)]
