"""Moderators' measures on an account, and their exact undoing.

Moderation (above accounts) decides; this module is the only writer of the fields
those measures set: suspension (``suspended_at``, and ``suspended_until`` when it is
temporary), limiting (Mastodon's "silence"), forcing media behind a warning
(``sensitized_at``), termination, and a frozen log-in (``login_disabled``: the
user's ``is_active``). ``sanction`` returns the previous values; ``restore`` puts
them back, so a reversed decision leaves the account exactly as it was. Suspension
keeps every post and follow: they only disappear from view (``posts.visibility``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from rostra.accounts import events
from rostra.accounts.models import Account, User

FIELDS = ("suspended_at", "suspended_until", "limited_at", "sensitized_at", "terminated_at")
LOGIN = "login_disabled"


def plain(value):
    """A field's value as JSON keeps it (datetimes as ISO 8601)."""
    return value.isoformat() if isinstance(value, datetime) else value


def current(account: Account, names) -> dict:
    """The present values of ``names`` on ``account`` (as ``sanction`` reports them)."""
    values = {name: plain(getattr(account, name)) for name in names if name in FIELDS}
    if LOGIN in names:
        user = User.objects.filter(account=account).first()
        values[LOGIN] = None if user is None else not user.is_active
    return values


def sanction(account: Account, **changes) -> dict:
    """Set ``changes`` (of ``FIELDS`` and ``login_disabled``) on ``account``; return
    the previous values of what changed (JSON-able)."""
    unknown = set(changes) - {*FIELDS, LOGIN}
    if unknown:
        raise ValueError(f"Not a measure on an account: {', '.join(sorted(unknown))}")
    before = {name: plain(getattr(account, name)) for name in changes if name != LOGIN}
    if LOGIN in changes:
        user = User.objects.filter(account=account).first()
        before[LOGIN] = None if user is None else not user.is_active
    _write(account, changes, before)
    return before


def restore(account: Account, before: dict) -> None:
    """Put back the values ``sanction`` returned."""
    values = {name: (datetime.fromisoformat(value) if isinstance(value, str) else value)
              for name, value in before.items() if name in FIELDS}
    if before.get(LOGIN) is not None:
        values[LOGIN] = before[LOGIN]
    _write(account, values, current(account, list(values)))


def _write(account: Account, values: dict, before: dict) -> None:
    login = values.pop(LOGIN, None)
    with transaction.atomic():
        if values:
            Account.objects.filter(pk=account.pk).update(**values)
            for name, value in values.items():
                setattr(account, name, value)
        if login is not None:
            User.objects.filter(account=account).update(is_active=not login)
    transaction.on_commit(lambda: events.account_sanctioned.send(
        Account, account=account, before=before))
