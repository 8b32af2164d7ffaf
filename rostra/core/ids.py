"""Time-sortable 64-bit ids, as Mastodon builds them.

The high 48 bits are milliseconds since the Unix epoch, the low 16 bits a
per-process sequence mixed with randomness. Id order is therefore time order,
pagination is by id, and a post imported with ``published`` in 2014 sorts into 2014.
"""

from __future__ import annotations

import secrets
import threading
from datetime import UTC, datetime, timedelta

_lock = threading.Lock()
_sequence = secrets.randbelow(1 << 16)

SEQUENCE_BITS = 16
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MILLISECOND = timedelta(milliseconds=1)


def _millis(when: datetime) -> int:
    """Whole milliseconds since the epoch, exactly (float timestamps round wrongly
    for far dates)."""
    if when.tzinfo is None:
        raise ValueError("ids need an aware datetime")
    return (when - EPOCH) // MILLISECOND


def make_id(when: datetime | None = None) -> int:
    """A new id for an object published at ``when`` (now when omitted)."""
    global _sequence
    if when is None:
        when = datetime.now(UTC)
    millis = _millis(when)
    if millis < 0:
        raise ValueError("dates before 1970 cannot be stored")
    with _lock:
        _sequence = (_sequence + 1) & 0xFFFF
        low = _sequence
    return (millis << SEQUENCE_BITS) | low


def id_floor(when: datetime) -> int:
    """The smallest id an object published at ``when`` can have (for range queries)."""
    return _millis(when) << SEQUENCE_BITS


def id_time(object_id: int) -> datetime:
    """The publication time encoded in an id."""
    return EPOCH + (object_id >> SEQUENCE_BITS) * MILLISECOND
