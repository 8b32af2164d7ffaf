"""Domain events of moderation (sent after commit); federation and notifications
subscribe."""

from django.dispatch import Signal

case_opened = Signal()  # case=Case (a notice, a report, a Flag, a detection)
decision_taken = Signal()  # decision=Decision
decision_reversed = Signal()  # decision=Decision, appeal=Appeal | None
