"""``/api/v2/notifications``: grouped notifications (Mastodon 4.3), one group, its
accounts, dismissing a group, and the unread group count. The grouping rule is
``rostra.notifications.groups``; what a viewer is shown is what v1 shows (no
status the viewer may not see, ``notifications`` filters applied)."""

from __future__ import annotations

from rostra.api.auth import endpoint
from rostra.api.errors import not_found
from rostra.api.pagination import link_header, page_of, paged
from rostra.api.serializers.account import serialize_account
from rostra.api.serializers.notification import internal_types
from rostra.api.serializers.notification_group import serialize_results
from rostra.api.views.lookups import as_id
from rostra.notifications import groups
from rostra.notifications.models import Notification
from rostra.posts.visibility import can_see
from rostra.timelines import filters
from rostra.timelines.pagination import paginate

UNREAD_DEFAULT, UNREAD_MAX = 100, 1000


def _keeper(viewer):
    def keep(batch: list[Notification]) -> list[Notification]:
        shown = [n for n in batch if n.post_id is None or can_see(viewer, n.post)]
        kept = {p.pk for p in filters.apply(viewer, [n.post for n in shown if n.post_id],
                                            "notifications")}
        return [n for n in shown if not n.post_id or n.post_id in kept]
    return keep


def _selection(request) -> dict:
    p = request.params
    grouped = [str(t) for t in p.list("grouped_types")]
    account_id = p.str("account_id")
    return {
        "types": internal_types([str(t) for t in p.list("types")]) or None,
        "exclude_types": internal_types([str(t) for t in p.list("exclude_types")]) or None,
        "grouped_types": [t for t in grouped if t in groups.GROUPABLE]
        if p.has("grouped_types") else groups.GROUPABLE,
        "from_account_id": as_id(account_id) if account_id else None,
    }


@endpoint(["GET"], scope="read:notifications")
def index(request):
    viewer = request.api_account
    result = groups.page_groups(viewer, page_of(request, 40), keep=_keeper(viewer),
                                **_selection(request))
    partial = request.params.str("expand_accounts") == "partial_avatars"
    response = paged(request, serialize_results(result.groups, viewer, partial), [])
    header = link_header(request, result.scanned_ids)
    if header:
        response["Link"] = header
    return response


@endpoint(["GET"], scope="read:notifications")
def show(request, group_key):
    group = groups.find_group(request.api_account, group_key, _keeper(request.api_account))
    if group is None:
        raise not_found()
    return serialize_results([group], request.api_account)


@endpoint(["POST"], scope="write:notifications")
def dismiss(request, group_key):
    if not groups.dismiss_group(request.api_account, group_key):
        raise not_found()
    return {}


@endpoint(["GET"], scope="read:notifications")
def accounts(request, group_key):
    """The accounts of a group, newest notification first (paged by notification id)."""
    viewer = request.api_account
    qs = groups.group_query(viewer, group_key).select_related("from_account", "post__account")
    rows = paginate(qs, page_of(request, 40))
    shown = _keeper(viewer)(rows)
    if not rows and not qs.exists():
        raise not_found()
    return paged(request, [serialize_account(n.from_account) for n in shown],
                 [n.pk for n in rows])


@endpoint(["GET"], scope="read:notifications")
def unread_count(request):
    viewer = request.api_account
    limit = request.params.int("limit", UNREAD_DEFAULT) or UNREAD_DEFAULT
    count = groups.unread_group_count(viewer, max(1, min(limit, UNREAD_MAX)),
                                      **_selection(request))
    return {"count": count}

