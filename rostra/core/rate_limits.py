"""Fixed-window counters in Django's cache: the one rate limiter every door uses.

A window is a cache key per (bucket, who, window number), so the cache decides the
reach: local memory counts per process, a shared cache (Redis/Valkey) across
processes. ``ROSTRA_RATE_LIMITS_ENABLED = False`` turns every limit off. A client
address is only ever counted as a truncated SHA-256, never stored as such.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Usage:
    limit: int
    remaining: int  # negative once the limit is passed
    reset: float  # Unix time the window ends

    @property
    def exceeded(self) -> bool:
        return self.remaining < 0


def enabled() -> bool:
    return getattr(settings, "ROSTRA_RATE_LIMITS_ENABLED", True)


def client_key(request) -> str:
    """The requesting address as a short hash (what an anonymous bucket counts)."""
    address = request.META.get("REMOTE_ADDR") or "unknown"
    return "ip:" + hashlib.sha256(address.encode()).hexdigest()[:24]


def count(bucket: str, who: str, limit: int, period: int) -> Usage:
    """Count one hit of ``who`` in ``bucket`` (``limit`` per ``period`` seconds)."""
    window = int(time.time() // period)
    key = f"rostra:rl:{bucket}:{who}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        used = 1
    return Usage(limit, limit - used, (window + 1) * period)


def over_limit(bucket: str, who: str, limit: int, period: int) -> bool:
    """Count a hit; True past the limit (always False when limits are off)."""
    return enabled() and count(bucket, who, limit, period).exceeded
