"""``/api/v1/notifications``: list (with ``types[]``/``exclude_types[]``), one,
dismiss, clear and the unread count."""

from __future__ import annotations

from rostra.api.auth import endpoint
from rostra.api.errors import not_found
from rostra.api.pagination import page_of, paged
from rostra.api.serializers.notification import internal_types, serialize_notification
from rostra.api.views.lookups import as_id
from rostra.notifications import services as notifications
from rostra.notifications.models import Notification
from rostra.posts.visibility import can_see
from rostra.timelines import filters


def _shown(notification: Notification, viewer) -> bool:
    return notification.post_id is None or can_see(viewer, notification.post)


@endpoint(["GET"], scope="read:notifications")
def index(request):
    p = request.params
    viewer = request.api_account
    rows = notifications.for_account(
        viewer, page_of(request, 40),
        types=internal_types([str(t) for t in p.list("types")]) or None,
        exclude_types=internal_types([str(t) for t in p.list("exclude_types")]) or None,
    )
    account_id = p.str("account_id")
    shown = [n for n in rows if _shown(n, viewer)
             and (not account_id or str(n.from_account_id) == account_id)]
    kept = {p.pk for p in filters.apply(viewer, [n.post for n in shown if n.post_id],
                                        "notifications")}
    shown = [n for n in shown if not n.post_id or n.post_id in kept]
    return paged(request, [serialize_notification(n, viewer) for n in shown],
                 [n.pk for n in rows])


@endpoint(["GET"], scope="read:notifications")
def show(request, notification_id):
    found = Notification.objects.filter(
        pk=as_id(notification_id), account=request.api_account
    ).select_related("from_account", "post__account").first()
    if found is None or not _shown(found, request.api_account):
        raise not_found()
    return serialize_notification(found, request.api_account)


@endpoint(["POST"], scope="write:notifications")
def dismiss(request, notification_id):
    if not notifications.dismiss(request.api_account, as_id(notification_id)):
        raise not_found()
    return {}


@endpoint(["POST"], scope="write:notifications")
def clear(request):
    notifications.clear(request.api_account)
    return {}


@endpoint(["GET"], scope="read:notifications")
def unread_count(request):
    return {"count": notifications.unread_count(request.api_account)}
