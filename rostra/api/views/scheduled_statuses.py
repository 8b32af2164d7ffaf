"""``/api/v1/scheduled_statuses``: list, show, move and cancel scheduled posts
(they are created by ``POST /api/v1/statuses`` with ``scheduled_at``)."""

from __future__ import annotations

from datetime import UTC

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from rostra.api.auth import by_method, endpoint
from rostra.api.errors import from_domain, not_found, validation
from rostra.api.pagination import page_of, paged
from rostra.api.serializers.scheduled_status import serialize_scheduled_status
from rostra.api.views.lookups import as_id
from rostra.posts import scheduling
from rostra.posts.errors import PostError
from rostra.posts.models import ScheduledPost
from rostra.timelines.pagination import paginate


def parse_when(value: str):
    """An ISO 8601 date-time (UTC when no offset is given), or a 422."""
    try:
        when = parse_datetime(value.strip())
    except ValueError:
        when = None
    if when is None:
        raise validation(_("scheduled_at must be an ISO 8601 date-time."), "scheduled_at")
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _own(request, scheduled_id) -> ScheduledPost:
    found = ScheduledPost.objects.filter(pk=as_id(scheduled_id),
                                         account=request.api_account).first()
    if found is None:
        raise not_found()
    return found


@endpoint(["GET"], scope="read:statuses")
def index(request):
    qs = ScheduledPost.objects.filter(account=request.api_account).prefetch_related("media")
    rows = paginate(qs, page_of(request))
    return paged(request, [serialize_scheduled_status(s) for s in rows], [s.pk for s in rows])


@endpoint(["GET"], scope="read:statuses")
def show(request, scheduled_id):
    return serialize_scheduled_status(_own(request, scheduled_id))


@endpoint(["PUT"], scope="write:statuses")
def update(request, scheduled_id):
    scheduled = _own(request, scheduled_id)
    value = request.params.str("scheduled_at")
    if value:
        try:
            scheduling.reschedule(request.api_account, scheduled, parse_when(value))
        except PostError as exc:
            raise from_domain(exc) from exc
    return serialize_scheduled_status(scheduled)


@endpoint(["DELETE"], scope="write:statuses")
def cancel(request, scheduled_id):
    scheduling.cancel(request.api_account, _own(request, scheduled_id))
    return {}


scheduled_status = by_method(GET=show, PUT=update, DELETE=cancel)
