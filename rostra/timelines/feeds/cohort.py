"""The control cohort of the amplification audit: a small, random and published
share of accounts whose ranked feeds are replaced by home's newest-first order.

Membership is ``sha256(CONTROL_SALT + ":" + account id)`` read as a number: the
first 8 bytes, modulo 10,000, below ``CONTROL_PERCENT`` × 100, for accounts this
server has known for at least ``SETTLED_DAYS`` days: a newcomer's first week is
not an experiment, and the panel is one of settled readers. Anyone can check
whether an account is in the cohort, nobody can choose to be, and it changes only
if the salt does (a new salt, published with the date, starts a new cohort).
Members are told on the feed page. Their reads are counted as ``control``, so each
feed's exposure of an author can be compared with what newest-first gives.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

CONTROL_SALT = "rostra-audit-control-2025-06"
CONTROL_PERCENT = 2
SETTLED_DAYS = 7
SAMPLE_ONE_IN = 100  # one feed request in this many is kept in the replay log


def in_control(account_id: int) -> bool:
    """Whether the account's id falls in the control share (see ``settled`` too)."""
    digest = hashlib.sha256(f"{CONTROL_SALT}:{int(account_id)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 10_000 < CONTROL_PERCENT * 100


def settled(created_at: datetime, now: datetime) -> bool:
    """Whether an account is old enough to be in the cohort at ``now``."""
    return now - created_at >= timedelta(days=SETTLED_DAYS)


def member(account_id: int, created_at: datetime, now: datetime) -> bool:
    """Whether the account is in the control cohort at ``now``."""
    return settled(created_at, now) and in_control(account_id)
