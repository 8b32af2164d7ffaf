"""Grouped notifications (Mastodon 4.3's ``/api/v2/notifications``).

The rule, in full:

* Only ``favourite``, ``reblog`` and ``follow`` notifications are grouped.
* A groupable notification gets a ``group_key`` when it is created:
  ``favourite-<status id>-<hour>``, ``reblog-<status id>-<hour>`` or
  ``follow-<hour>``, where ``<hour>`` is the creation time in whole hours since
  the Unix epoch. If the newest notification of the same recipient with the same
  prefix started its group less than 12 hours earlier, its hour is reused, so a
  group spans at most 12 hours (Mastodon's ``MAXIMUM_GROUP_SPAN_HOURS``).
* Every other notification (and a groupable one whose type the client did not
  ask to group with ``grouped_types[]``) is its own group ``ungrouped-<id>``.
* A page of groups is read newest first: notifications are scanned in id order
  and each joins its group; the page stops before the notification that would
  open group number ``limit + 1`` (or after ``SCAN_LIMIT`` notifications). Counts
  and samples are those of the notifications in the page, so a long-lived group
  can show up again on the next page with the same ``group_key``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from rostra.accounts.models import Account
from rostra.notifications.models import Notification, NotificationMarker
from rostra.posts.models import Post
from rostra.timelines.pagination import Page

GROUPABLE = ("favourite", "reblog", "follow")
MAX_SPAN_HOURS = 12
SCAN_LIMIT = 1000
BATCH = 200
SAMPLE_ACCOUNTS = 8

Keep = Callable[[list[Notification]], Iterable[Notification]]


def assign_key(recipient: Account, type_: str, post: Post | None, when: datetime) -> str:
    """The ``group_key`` a new notification gets ("" when its type is not grouped)."""
    if type_ not in GROUPABLE or (type_ != "follow" and post is None):
        return ""
    prefix = "follow" if type_ == "follow" else f"{type_}-{post.pk}"
    hour = int(when.timestamp()) // 3600
    previous = (Notification.objects.filter(account=recipient, group_key__startswith=prefix + "-")
                .order_by("-id").values_list("group_key", flat=True).first())
    if previous:
        try:
            started = int(previous.rsplit("-", 1)[1])
        except ValueError:
            started = None
        if started is not None and started <= hour < started + MAX_SPAN_HOURS:
            hour = started
    return f"{prefix}-{hour}"


def effective_key(notification: Notification, grouped_types: Iterable[str] = GROUPABLE) -> str:
    if notification.group_key and notification.type in grouped_types:
        return notification.group_key
    return f"ungrouped-{notification.pk}"


@dataclass
class Group:
    key: str
    type: str
    notifications: list[Notification] = field(default_factory=list)  # newest first

    @property
    def latest(self) -> Notification:
        return self.notifications[0]

    def sample_accounts(self, size: int = SAMPLE_ACCOUNTS) -> list[Account]:
        seen: dict[int, Account] = {}
        for n in self.notifications:
            if n.from_account_id not in seen:
                seen[n.from_account_id] = n.from_account
            if len(seen) >= size:
                break
        return list(seen.values())


@dataclass
class GroupPage:
    groups: list[Group]
    scanned_ids: list[int]  # ids of every notification read, for the Link header


def _query(account: Account, types, exclude_types, from_account_id):
    qs = Notification.objects.filter(account=account).select_related(
        "from_account", "post__account")
    if types:
        qs = qs.filter(type__in=types)
    if exclude_types:
        qs = qs.exclude(type__in=exclude_types)
    if from_account_id is not None:
        qs = qs.filter(from_account_id=from_account_id)
    return qs


def _rows(qs, page: Page):
    """Notifications in page order (newest first; oldest first for ``min_id``)."""
    if page.max_id is not None:
        qs = qs.filter(id__lt=page.max_id)
    if page.since_id is not None:
        qs = qs.filter(id__gt=page.since_id)
    ascending = page.min_id is not None
    if ascending:
        qs = qs.filter(id__gt=page.min_id)
    qs = qs.order_by("id" if ascending else "-id")
    read, cursor = 0, None
    while read < SCAN_LIMIT:
        batch_qs = qs
        if cursor is not None:
            batch_qs = qs.filter(id__gt=cursor) if ascending else qs.filter(id__lt=cursor)
        batch = list(batch_qs[: min(BATCH, SCAN_LIMIT - read)])
        if not batch:
            return
        read += len(batch)
        cursor = batch[-1].pk
        yield batch


def page_groups(account: Account, page: Page, *, keep: Keep, types=None, exclude_types=None,
                grouped_types: Iterable[str] = GROUPABLE,
                from_account_id: int | None = None) -> GroupPage:
    """One page of ``page.limit`` groups, newest group first. ``keep`` drops the
    notifications the viewer may not be shown (the door's visibility and filters)."""
    grouped_types = tuple(grouped_types)
    groups: dict[str, Group] = {}
    scanned: list[int] = []
    full = False
    for batch in _rows(_query(account, types, exclude_types, from_account_id), page):
        kept = {n.pk for n in keep(batch)}
        for n in batch:
            if n.pk in kept:
                key = effective_key(n, grouped_types)
                if key not in groups:
                    if len(groups) >= page.limit:
                        full = True
                        break
                    groups[key] = Group(key, n.type)
                groups[key].notifications.append(n)
            scanned.append(n.pk)
        if full:
            break
    result = list(groups.values())
    for group in result:
        group.notifications.sort(key=lambda n: n.pk, reverse=True)
    result.sort(key=lambda g: g.latest.pk, reverse=True)
    return GroupPage(result, sorted(scanned, reverse=True))


def find_group(account: Account, key: str, keep: Keep) -> Group | None:
    """Every notification (up to ``SCAN_LIMIT``) of the group ``key``, or None."""
    rows = list(group_query(account, key).select_related("from_account", "post__account")
                .order_by("-id")[:SCAN_LIMIT])
    rows = [n for n in rows if n.pk in {k.pk for k in keep(rows)}]
    if not rows:
        return None
    return Group(key, rows[0].type, rows)


def group_query(account: Account, key: str):
    """The notifications of ``account`` in the group ``key`` (none for a bad key)."""
    qs = Notification.objects.filter(account=account)
    if key.startswith("ungrouped-"):
        try:
            return qs.filter(pk=int(key.removeprefix("ungrouped-")))
        except ValueError:
            return qs.none()
    if not key or len(key) > 64:
        return qs.none()
    return qs.filter(group_key=key)


def dismiss_group(account: Account, key: str) -> bool:
    deleted, _ = group_query(account, key).delete()
    return bool(deleted)


def unread_group_count(account: Account, limit: int, *, types=None,
                       exclude_types=None, grouped_types: Iterable[str] = GROUPABLE,
                       from_account_id: int | None = None) -> int:
    """How many groups have a notification newer than the ``notifications`` marker,
    capped at ``limit``."""
    grouped_types = tuple(grouped_types)
    marker = NotificationMarker.objects.filter(account=account).first()
    after_id = marker.last_read_id if marker else 0
    qs = _query(account, types, exclude_types, from_account_id).filter(id__gt=after_id)
    keys: set[str] = set()
    for pk, type_, group_key in qs.order_by("-id").values_list("id", "type", "group_key")[
            : SCAN_LIMIT * 5]:
        keys.add(group_key if group_key and type_ in grouped_types else f"ungrouped-{pk}")
        if len(keys) >= limit:
            break
    return len(keys)
