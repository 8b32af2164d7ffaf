"""Rate limits of the API, with Mastodon's defaults and headers.

Every API request counts against one bucket: the account of a user token, the
token of an app-only token, or the client IP when anonymous (Mastodon: 300
requests per 5 minutes each). Some actions count against a second bucket of
their own (Mastodon: 300 new statuses per 3 hours, 30 media uploads per 30
minutes). A response carries the tightest bucket in ``X-RateLimit-Limit``,
``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (ISO 8601); past a limit the
answer is 429 ``{"error": "Too many requests"}``.

Windows are fixed (``core.rate_limits``: a key per window in Django's cache), so
the cache decides the reach. ``ROSTRA_RATE_LIMITS`` in settings overrides a bucket's
``(requests, seconds)``; ``ROSTRA_RATE_LIMITS_ENABLED = False`` turns limits off.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from django.conf import settings
from django.utils.translation import gettext as _

from rostra.api.errors import ApiError
from rostra.api.serializers.common import iso
from rostra.core import rate_limits, throttles
from rostra.core.rate_limits import Usage

DEFAULTS: dict[str, tuple[int, int]] = {
    "authenticated": (300, 5 * 60),
    "anonymous": (300, 5 * 60),
    "media": (30, 30 * 60),
}

# (method, path) → the per-action bucket, as Mastodon's rack-attack rules name them.
ACTIONS = (
    ("POST", re.compile(r"^/api/v1/statuses/?$"), "statuses"),
    ("POST", re.compile(r"^/api/v[12]/media/?$"), "media"),
)


def headers(usage: Usage) -> dict[str, str]:
    return {"X-RateLimit-Limit": str(usage.limit),
            "X-RateLimit-Remaining": str(max(0, usage.remaining)),
            "X-RateLimit-Reset": iso(datetime.fromtimestamp(usage.reset, UTC))}


class RateLimited(ApiError):
    def __init__(self, usage: Usage):
        super().__init__(429, _("Too many requests"))
        self.usage = usage


def _limits(name: str) -> tuple[int, int]:
    if name in throttles.DEFAULTS:  # shared with the web doors (posting: "statuses")
        spec = throttles.limit(name)
        base = (spec.count, spec.seconds)
    else:
        base = DEFAULTS[name]
    return getattr(settings, "ROSTRA_RATE_LIMITS", {}).get(name, base)


def _count(bucket: str, who: str) -> Usage:
    limit, period = _limits(bucket)
    return rate_limits.count(bucket, who, limit, period)


def _who(request) -> tuple[str, str]:
    if getattr(request, "api_account", None) is not None:
        return "authenticated", f"account:{request.api_account.pk}"
    token = getattr(request, "api_token", None)
    if token is not None:
        return "authenticated", f"token:{token.pk}"
    return "anonymous", rate_limits.client_key(request)


def hit(request) -> Usage | None:
    """Count ``request``; raise ``RateLimited`` past a limit. Returns the usage of
    the tightest bucket (for the headers), None when limits are off."""
    if not rate_limits.enabled():
        return None
    bucket, who = _who(request)
    usages = [_count(bucket, who)]
    for method, pattern, action in ACTIONS:
        if request.method == method and pattern.match(request.path):
            usages.append(_count(action, who))
    tightest = min(usages, key=lambda u: u.remaining)
    exceeded = [u for u in usages if u.remaining < 0]
    if exceeded:
        raise RateLimited(exceeded[0])
    return tightest


def add_headers(response, usage: Usage | None) -> None:
    if usage is not None:
        for name, value in headers(usage).items():
            response[name] = value
