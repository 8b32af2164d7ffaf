"""Notifications: who is told what, the unread count, and clearing them."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from rostra.accounts.domain_blocks import is_domain_blocked
from rostra.accounts.models import Account, Block, Mute
from rostra.accounts.services import active_mutes_q
from rostra.notifications import events
from rostra.notifications.groups import assign_key
from rostra.notifications.models import Notification, NotificationMarker
from rostra.posts.conversation_mutes import is_muted
from rostra.posts.models import Post
from rostra.posts.visibility import can_see
from rostra.timelines.pagination import Page, paginate


def notify(
    recipient: Account, from_account: Account, type_: str, post: Post | None = None,
    *, to_self: bool = False,
) -> Notification | None:
    """Record a notification unless the recipient would not want or may not see it.

    Nothing for remote recipients (their server notifies them), for oneself (unless
    ``to_self``: the end of one's own poll), across a block, from a server the
    recipient blocked, from an account muted with notifications, about a post the
    recipient may not see, or about a post of a thread the recipient muted
    (``posts.conversation_mutes``).
    """
    if not recipient.local or (recipient.pk == from_account.pk and not to_self):
        return None
    if not from_account.local and is_domain_blocked(recipient, from_account.domain):
        return None
    if Block.objects.filter(account=recipient, target_account=from_account).exists():
        return None
    if Block.objects.filter(account=from_account, target_account=recipient).exists():
        return None
    if Mute.objects.filter(
        active_mutes_q(), account=recipient, target_account=from_account, hide_notifications=True
    ).exists():
        return None
    if post is not None and not can_see(recipient, post):
        return None
    if post is not None and is_muted(recipient, post):
        return None
    existing = Notification.objects.filter(
        account=recipient, from_account=from_account, type=type_, post=post
    ).first()
    if existing is not None and type_ not in (Notification.Type.UPDATE,):
        return existing
    created = Notification.objects.create(
        account=recipient, from_account=from_account, type=type_, post=post,
        group_key=assign_key(recipient, type_, post, timezone.now()),
    )
    announce(created)
    return created


def notify_moderation(recipient: Account, warning_id: int) -> Notification | None:
    """Tell a local account that moderators decided about it or its posts (the
    decision ``warning_id``, a statement of reasons). Blocks and mutes do not apply:
    nobody may keep someone from learning about a measure against them."""
    if not recipient.local:
        return None
    created = Notification.objects.create(
        account=recipient, from_account=recipient, type=Notification.Type.MODERATION_WARNING,
        warning_id=warning_id)
    announce(created)
    return created


def announce(notification: Notification) -> None:
    """Send ``notification_created`` once the transaction commits."""
    transaction.on_commit(
        lambda: events.notification_created.send(Notification, notification=notification)
    )


def for_account(account: Account, page: Page, types: list[str] | None = None,
                exclude_types: list[str] | None = None) -> list[Notification]:
    qs = Notification.objects.filter(account=account).select_related(
        "from_account", "post__account"
    )
    if types:
        qs = qs.filter(type__in=types)
    if exclude_types:
        qs = qs.exclude(type__in=exclude_types)
    return paginate(qs, page)


def unread_count(account: Account) -> int:
    marker = NotificationMarker.objects.filter(account=account).first()
    last = marker.last_read_id if marker else 0
    return Notification.objects.filter(account=account, id__gt=last).count()


def mark_read(account: Account, up_to: int | None = None) -> None:
    if up_to is None:
        up_to = Notification.objects.filter(account=account).aggregate(m=Max("id"))["m"] or 0
    marker, _ = NotificationMarker.objects.get_or_create(account=account)
    if up_to > marker.last_read_id:
        marker.last_read_id = up_to
        marker.version += 1
        marker.save()


def dismiss(account: Account, notification_id: int) -> bool:
    deleted, _ = Notification.objects.filter(account=account, pk=notification_id).delete()
    return bool(deleted)


def clear(account: Account) -> None:
    Notification.objects.filter(account=account).delete()
