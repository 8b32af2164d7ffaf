"""Events of the federation door that domain apps subscribe to (sent after commit)."""

from django.dispatch import Signal

flag_received = Signal()  # report=RemoteReport (a Flag from another server, stored)
