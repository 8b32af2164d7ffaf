"""Read markers: where the account stopped reading its home timeline and its
notifications, shared by all its apps. The notifications marker is the one the
unread count is counted from (``services.unread_count``)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from rostra.accounts.models import Account
from rostra.notifications.models import HomeMarker, NotificationMarker

TIMELINES = {"home": HomeMarker, "notifications": NotificationMarker}


class MarkerError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def markers(account: Account, timelines: list[str] | None = None) -> dict:
    """``{"home": HomeMarker, ...}`` for the markers that exist."""
    names = [t for t in (timelines or TIMELINES) if t in TIMELINES]
    found = {}
    for name in names:
        marker = TIMELINES[name].objects.filter(account=account).first()
        if marker is not None:
            found[name] = marker
    return found


@transaction.atomic
def set_marker(account: Account, timeline: str, last_read_id: int):
    """Move ``timeline``'s marker to ``last_read_id`` (back as well as forward, as
    Mastodon), bumping its version."""
    model = TIMELINES.get(timeline)
    if model is None:
        raise MarkerError(_("Unknown timeline %(timeline)s: use home or notifications.")
            % {"timeline": repr(timeline)}, timeline)
    if last_read_id < 0:
        raise MarkerError(_("last_read_id must be a positive id."), timeline)
    marker, __ = model.objects.select_for_update().get_or_create(account=account)
    marker.last_read_id = last_read_id
    marker.version += 1
    marker.save()
    return marker
