"""Signals of the timelines app (receivers connect in their own ``apps.py``)."""

from django.dispatch import Signal

# A moderator approved or rejected a trend candidate: sent with ``review`` (the
# ``TrendReview`` row) after commit; moderation writes it to its audit log.
trend_decided = Signal()
