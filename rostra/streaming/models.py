"""The stream log: one row per (event, stream) that live connections poll.

Rows carry ids, not rendered payloads: each connection renders the post or
notification for its own viewer (and checks visibility again) when it sends it.
"""

from django.db import models
from django.utils import timezone


class StreamEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    # "user:<account id>", "public", "public:local", "public:remote",
    # "hashtag:<name>", "hashtag:local:<name>", "list:<id>", "direct:<account id>".
    stream = models.CharField(max_length=255)
    event = models.CharField(max_length=32)  # update, status.update, delete, notification
    post_id = models.BigIntegerField(null=True, blank=True)  # no FK: deletes outlive posts
    notification_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["stream", "id"], name="stream_event_stream_id"),
            models.Index(fields=["post_id"], name="stream_event_post"),
        ]

    def __str__(self) -> str:
        return f"{self.stream} {self.event} {self.post_id or self.notification_id}"
