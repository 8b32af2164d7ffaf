"""What the notification tests read back."""

from __future__ import annotations

from rostra.accounts.models import Account
from rostra.notifications.models import Notification


def told(account: Account, type_: str | None = None) -> list[tuple[str, str]]:
    """``account``'s notifications, oldest first, as (type, from whom)."""
    qs = Notification.objects.filter(account=account).order_by("id")
    if type_:
        qs = qs.filter(type=type_)
    return [(n.type, n.from_account.username) for n in qs]
