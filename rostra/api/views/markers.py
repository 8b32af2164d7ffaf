"""``/api/v1/markers``: where the user stopped reading home and notifications."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rostra.api.auth import by_method, endpoint
from rostra.api.errors import validation
from rostra.api.serializers.marker import serialize_markers
from rostra.notifications import markers as marker_rules


@endpoint(["GET"], scope="read:statuses")
def show(request):
    wanted = [str(t) for t in request.params.list("timeline")]
    return serialize_markers(marker_rules.markers(request.api_account, wanted or None))


@endpoint(["POST"], scope="write:statuses")
def save(request):
    p = request.params
    saved = {}
    for timeline in marker_rules.TIMELINES:
        value = p.dict(timeline).get("last_read_id")
        if value in (None, ""):
            continue
        try:
            last_read_id = int(str(value))
        except ValueError as exc:
            raise validation(_("last_read_id must be an id."), timeline) from exc
        try:
            saved[timeline] = marker_rules.set_marker(request.api_account, timeline,
                                                      last_read_id)
        except marker_rules.MarkerError as exc:
            raise validation(str(exc), timeline) from exc
    if not saved:
        raise validation(_("Give home[last_read_id] or notifications[last_read_id]."), "base")
    return serialize_markers(saved)


markers = by_method(GET=show, POST=save)
