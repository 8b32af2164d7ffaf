"""Domain events of notifications. Sent after the transaction commits; the live
streams subscribe."""

from django.dispatch import Signal

notification_created = Signal()  # notification=Notification
