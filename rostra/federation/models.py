"""Federation's own state. Only the instance actor's key pair lives here: it is not
an account (it must not appear in searches, counts or directories)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class InstanceActor(models.Model):
    """The server's ``Application`` actor at ``/actor`` (one row, pk=1), which signs
    fetches made on behalf of the server rather than of a person."""

    public_key = models.TextField()
    private_key = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
