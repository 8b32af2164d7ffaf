"""Mastodon's Account entity (and CredentialAccount with ``source``)."""

from __future__ import annotations

from html import escape

from rostra.accounts.models import Account, FollowRequest
from rostra.api.serializers.common import file_url, iso
from rostra.core.links import absolute_url
from rostra.integrity.labels import labels_of

MISSING_AVATAR = "/static/api/missing.png"


def account_url(account: Account) -> str:
    return account.url or absolute_url(f"/@{account.username}")


def serialize_account(account: Account) -> dict:
    avatar = file_url(account.avatar) or absolute_url(MISSING_AVATAR)
    header = file_url(account.header) or absolute_url(MISSING_AVATAR)
    created = account.created_at.replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "id": str(account.pk),
        "username": account.username,
        "acct": account.acct,
        "display_name": account.display_name,
        "locked": account.locked,
        "bot": account.bot,
        "discoverable": account.discoverable,
        "indexable": account.discoverable,
        "group": False,
        "created_at": iso(created),
        "note": account.note_html,
        "url": account_url(account),
        "uri": account.uri or absolute_url(f"/users/{account.username}"),
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": account.followers_count,
        "following_count": account.following_count,
        "statuses_count": account.statuses_count,
        "last_status_at": account.last_status_at.date().isoformat()
        if account.last_status_at else None,
        "hide_collections": False,
        "noindex": not account.discoverable,
        "emojis": [],
        "roles": [],
        "fields": [
            {"name": f.get("name", ""), "value": escape(f.get("value", "")), "verified_at": None}
            for f in account.fields or []
        ],
        "moved": serialize_account(account.moved_to) if account.moved_to_id else None,
        "suspended": bool(account.suspended_at) or None,
        # Not Mastodon's: this server's moderators' labels (state-affiliated media,
        # government, official body), namespaced as Pleroma does; see docs/api-compat.md.
        "rostra": {"labels": [
            {"kind": label.kind, "name": label.name, "country": label.country or None,
             "source_url": label.source_url or None, "source_note": label.source_note,
             "since": label.since.isoformat()}
            for label in labels_of(account)]},
    }


def serialize_credential_account(account: Account) -> dict:
    """The log-in's own account, with the ``source`` (raw profile and defaults)."""
    data = serialize_account(account)
    user = account.user
    data["source"] = {
        "privacy": user.default_visibility,
        "sensitive": user.default_sensitive,
        "language": user.locale or None,
        "note": account.note,
        "fields": [
            {"name": f.get("name", ""), "value": f.get("value", ""), "verified_at": None}
            for f in account.fields or []
        ],
        "follow_requests_count": FollowRequest.objects.filter(target_account=account).count(),
        "hide_collections": False,
        "discoverable": account.discoverable,
        "indexable": account.discoverable,
    }
    data["role"] = {"id": "-99", "name": "", "permissions": "0", "color": "",
                    "highlighted": False}
    return data
