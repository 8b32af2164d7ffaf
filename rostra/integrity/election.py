"""Election mode: while an election period is on, detection runs more often with
tighter windows and thresholds (``DetectConfig.election()``), and every new or grown
incident alerts the moderators by e-mail.

Periods are set by moderators at ``/moderation/integrity/elections``; a period
covering the present turns the mode on, so it starts and ends by itself."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rostra.integrity.models import ElectionPeriod

DEFAULT_INTERVAL_MINUTES = 15
ELECTION_INTERVAL_DIVISOR = 3  # election mode runs detection three times as often


class ElectionError(ValueError):
    """A period that cannot be set; the message says what to fix."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def current_period(now: datetime | None = None) -> ElectionPeriod | None:
    """The election period covering ``now`` (the one ending last, if several)."""
    now = now or timezone.now()
    return (ElectionPeriod.objects.filter(starts_at__lte=now, ends_at__gt=now)
            .order_by("-ends_at").first())


def election_mode(now: datetime | None = None) -> bool:
    """Whether election mode is on at ``now``."""
    return current_period(now) is not None


def detect_config(election: bool):
    """The detector's settings: tightened in election mode."""
    from rostra.integrity.detect import DetectConfig

    return DetectConfig.election() if election else DetectConfig()


def interval_minutes(election: bool) -> int:
    """Minutes between background detection runs (``ROSTRA_INTEGRITY_INTERVAL_MINUTES``;
    0 turns background detection off). Shorter in election mode."""
    minutes = max(0, int(getattr(settings, "ROSTRA_INTEGRITY_INTERVAL_MINUTES",
                                 DEFAULT_INTERVAL_MINUTES)))
    if election and minutes:
        return max(1, minutes // ELECTION_INTERVAL_DIVISOR)
    return minutes


def add_period(*, name: str, starts_at: datetime, ends_at: datetime, by) -> ElectionPeriod:
    """Set an election period (a moderator, ``by``). Raises ``ElectionError``."""
    from rostra.moderation.services import audit

    name = (name or "").strip()
    if not name:
        raise ElectionError("Name the election.", "name")
    if len(name) > 200:
        raise ElectionError("Names are limited to 200 characters.", "name")
    if ends_at <= starts_at:
        raise ElectionError("The period ends after it starts.", "ends_at")
    if ends_at <= timezone.now():
        raise ElectionError("The period is over already: give an end in the future.",
                            "ends_at")
    with transaction.atomic():
        period = ElectionPeriod.objects.create(name=name, starts_at=starts_at, ends_at=ends_at,
                                               created_by=by)
        audit(by, "integrity.election_period_added", None, period=period.pk, name=name,
              starts_at=starts_at.isoformat(), ends_at=ends_at.isoformat())
    return period


def end_period(period: ElectionPeriod, *, by) -> ElectionPeriod | None:
    """End a running period now; a period not yet started is withdrawn (deleted).
    Returns the period, or None when it was withdrawn. A past one stays as it was."""
    from rostra.moderation.services import audit

    now = timezone.now()
    if period.ends_at <= now:
        raise ElectionError("This period is already over.")
    with transaction.atomic():
        if period.starts_at >= now:
            audit(by, "integrity.election_period_withdrawn", None, period=period.pk,
                  name=period.name)
            period.delete()
            return None
        ElectionPeriod.objects.filter(pk=period.pk).update(ends_at=now)
        period.ends_at = now
        audit(by, "integrity.election_period_ended", None, period=period.pk, name=period.name)
    return period
