"""Mastodon 4.3's GroupedNotificationsResults: ``notification_groups`` with the
accounts and statuses they refer to, each listed once (and, for
``expand_accounts=partial_avatars``, ``partial_accounts``)."""

from __future__ import annotations

from rostra.accounts.models import Account
from rostra.api.serializers.account import MISSING_AVATAR, account_url, serialize_account
from rostra.api.serializers.common import file_url, iso
from rostra.api.serializers.notification import api_type, serialize_account_warning
from rostra.api.serializers.status import serialize_statuses
from rostra.core.links import absolute_url
from rostra.moderation.models import Decision
from rostra.notifications.groups import Group


def serialize_group(group: Group) -> dict:
    latest = group.latest
    data = {
        "group_key": group.key,
        "notifications_count": len(group.notifications),
        "type": api_type(group.type),
        "most_recent_notification_id": str(latest.pk),
        "page_min_id": str(group.notifications[-1].pk),
        "page_max_id": str(latest.pk),
        "latest_page_notification_at": iso(latest.created_at),
        "sample_account_ids": [str(a.pk) for a in group.sample_accounts()],
    }
    if latest.post_id:
        data["status_id"] = str(latest.post_id)
    if latest.warning_id is not None:
        decision = (Decision.objects.filter(pk=latest.warning_id)
                    .select_related("target_account").first())
        if decision is not None:
            data["moderation_warning"] = serialize_account_warning(decision,
                                                                   latest.from_account)
    return data


def serialize_partial_account(account: Account) -> dict:
    """PartialAccountWithAvatar."""
    avatar = file_url(account.avatar) or absolute_url(MISSING_AVATAR)
    return {"id": str(account.pk), "acct": account.acct, "locked": account.locked,
            "bot": account.bot, "url": account_url(account), "avatar": avatar,
            "avatar_static": avatar}


def serialize_results(groups: list[Group], viewer: Account, partial_avatars: bool = False
                      ) -> dict:
    full: dict[int, Account] = {}
    partial: dict[int, Account] = {}
    posts: dict[int, object] = {}
    for group in groups:
        for i, account in enumerate(group.sample_accounts()):
            if i == 0 or not partial_avatars:
                full[account.pk] = account
            else:
                partial.setdefault(account.pk, account)
        if group.latest.post_id:
            posts.setdefault(group.latest.post_id, group.latest.post)
    data = {
        "accounts": [serialize_account(a) for a in full.values()],
        "statuses": serialize_statuses(list(posts.values()), viewer),
        "notification_groups": [serialize_group(g) for g in groups],
    }
    if partial_avatars:
        data["partial_accounts"] = [serialize_partial_account(a) for pk, a in partial.items()
                                    if pk not in full]
    return data
