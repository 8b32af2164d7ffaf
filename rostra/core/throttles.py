"""The limits on the actions abuse aims at: signing up, logging in, posting and
filing notices, per client address and per account, whichever door is used.

Defaults follow Mastodon's (rack-attack): 5 sign-ups per address per 30 minutes,
25 log-in attempts per address per 5 minutes and per account name per hour, 300
posts per account per 3 hours (the API's ``statuses`` bucket: the web form counts
in the same one, so no door doubles the quota). ``ROSTRA_THROTTLES`` overrides any
of them, e.g. ``sign_up=10/3600,notice=50/3600`` (count/seconds). Counting is
``core.rate_limits`` (off with ``ROSTRA_RATE_LIMITS_ENABLED=0``).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings

from rostra.core import rate_limits


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


DEFAULTS: dict[str, Limit] = {
    "sign_up": Limit(5, 30 * 60),  # per address
    "log_in": Limit(25, 5 * 60),  # per address
    "log_in_account": Limit(25, 60 * 60),  # per account name tried
    "statuses": Limit(300, 3 * 60 * 60),  # per account, web and API
    "notice": Limit(20, 60 * 60),  # per address, and per account when signed in
}


class ThrottleConfigError(ValueError):
    pass


def parse(value: str) -> dict[str, Limit]:
    """``name=count/seconds,...`` → limits. Raises ``ThrottleConfigError`` naming the
    part it cannot read (a typo must stop the server, not silently lift a limit)."""
    limits: dict[str, Limit] = {}
    for part in filter(None, (p.strip() for p in (value or "").split(","))):
        name, _, spec = part.partition("=")
        count, _, seconds = spec.partition("/")
        name = name.strip()
        if name not in DEFAULTS:
            raise ThrottleConfigError(
                f"ROSTRA_THROTTLES: unknown limit {name!r} (known: {', '.join(DEFAULTS)})")
        try:
            limit = Limit(int(count), int(seconds))
        except ValueError:
            raise ThrottleConfigError(
                f"ROSTRA_THROTTLES: {part!r} is not name=count/seconds") from None
        if limit.count < 1 or limit.seconds < 1:
            raise ThrottleConfigError(f"ROSTRA_THROTTLES: {part!r} must be positive")
        limits[name] = limit
    return limits


def limit(name: str) -> Limit:
    return {**DEFAULTS, **getattr(settings, "ROSTRA_THROTTLES", {})}[name]


@dataclass(frozen=True)
class Refusal:
    """A limit was passed: what to tell the person, and when to come back."""

    retry_after: int  # seconds

    @property
    def message(self) -> str:
        from django.utils.translation import ngettext

        minutes = max(1, math.ceil(self.retry_after / 60))
        return ngettext("Too many attempts: please try again in %(n)s minute.",
                        "Too many attempts: please try again in %(n)s minutes.",
                        minutes) % {"n": minutes}


def account_key(account_id: int) -> str:
    return f"account:{account_id}"


def name_key(login: str) -> str:
    """A log-in name as counted (hashed: attempts on unknown names are counted too,
    and no name is kept in the cache)."""
    return "name:" + hashlib.sha256(login.strip().lower().encode()).hexdigest()[:24]


def hit(name: str, *whos: str) -> Refusal | None:
    """Count one ``name`` action of each of ``whos`` (an address key from
    ``rate_limits.client_key``, ``account_key``, ``name_key``); a refusal when any of
    them is past its limit."""
    if not rate_limits.enabled():
        return None
    spec = limit(name)
    refusal = None
    for who in whos:
        usage = rate_limits.count(name, who, spec.count, spec.seconds)
        if usage.exceeded:
            wait = max(1, int(usage.reset - time.time()))
            refusal = Refusal(max(wait, refusal.retry_after if refusal else 0))
    return refusal


def log_in(address: str, login: str) -> Refusal | None:
    """Count a log-in attempt: per address first, then per account name tried (the
    same limits whichever door: the web form, the OAuth page, the password grant)."""
    return hit("log_in", address) or hit("log_in_account", name_key(login))
