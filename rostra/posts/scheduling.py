"""Scheduled posts: written now, published later through ``services.create_post``.

``schedule_post`` checks the post as ``create_post`` would (so it will not fail
at publication for a reason known today), keeps what was sent in ``params`` and
reserves the attached media; a task (``tasks.publish_scheduled_post``, run
after ``scheduled_at``) publishes it; ``publish_due`` is the sweep in case a
task was lost.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rostra.accounts.models import Account
from rostra.posts import services
from rostra.posts.errors import NotVisible, PostError
from rostra.posts.models import Media, Post, ScheduledPost, Source
from rostra.posts.visibility import can_see

log = logging.getLogger(__name__)

MIN_DELAY = timedelta(minutes=5)
MAX_PENDING = 300  # per account, as Mastodon


def _check_time(scheduled_at: datetime) -> None:
    if scheduled_at < timezone.now() + MIN_DELAY:
        raise PostError(_("The scheduled date must be at least 5 minutes in the future."),
                        "scheduled_at")


def _enqueue(scheduled: ScheduledPost) -> None:
    from rostra.posts.tasks import publish_scheduled_post

    if publish_scheduled_post.get_backend().supports_defer:
        publish_scheduled_post.using(run_after=scheduled.scheduled_at).enqueue(scheduled.pk)


def _poll_params(poll: services.PollSpec | None) -> dict | None:
    if poll is None:
        return None
    return {"options": list(poll.options), "expires_in": int(poll.expires_in.total_seconds()),
            "multiple": poll.multiple, "hide_totals": poll.hide_totals}


def schedule_post(author: Account, text: str, *, scheduled_at: datetime,
                  visibility: str | None = None, spoiler_text: str = "",
                  sensitive: bool = False, language: str = "",
                  in_reply_to: Post | None = None, media: Sequence[Media] = (),
                  poll: services.PollSpec | None = None) -> ScheduledPost:
    """Keep a post to publish at ``scheduled_at``; raises ``PostError`` as create_post."""
    text = (text or "").replace("\r\n", "\n").replace("\x00", "")
    spoiler_text = (spoiler_text or "").replace("\x00", "").strip()
    media = list(media)
    _check_time(scheduled_at)
    if author.suspended_at:
        raise PostError(_("This account is suspended."))
    services._validate(text, spoiler_text, media, poll)
    visibility = services.visibility_for(author, visibility)
    if in_reply_to is not None and (not can_see(author, in_reply_to) or in_reply_to.reblog_of_id):
        raise NotVisible()
    for item in media:
        if item.account_id != author.pk:
            raise PostError(_("You can only attach your own uploads."), "media")
        if item.post_id is not None or item.scheduled_post_id is not None:
            raise PostError(_("This image is already attached to another post."), "media")
    if ScheduledPost.objects.filter(account=author).count() >= MAX_PENDING:
        raise PostError(_("You can have up to %(max_pending)s scheduled posts.")
            % {"max_pending": MAX_PENDING}, "scheduled_at")
    params = {
        "text": text, "visibility": visibility, "spoiler_text": spoiler_text,
        "sensitive": bool(sensitive or spoiler_text), "language": language[:16],
        "in_reply_to_id": in_reply_to.pk if in_reply_to else None,
        "media_ids": [m.pk for m in media], "poll": _poll_params(poll),
    }
    with transaction.atomic():
        scheduled = ScheduledPost.objects.create(account=author, scheduled_at=scheduled_at,
                                                 params=params)
        Media.objects.filter(pk__in=params["media_ids"]).update(scheduled_post=scheduled)
    transaction.on_commit(lambda: _enqueue(scheduled))
    return scheduled


def reschedule(author: Account, scheduled: ScheduledPost, scheduled_at: datetime) -> ScheduledPost:
    if scheduled.account_id != author.pk:
        raise PostError(_("You can only change your own scheduled posts."))
    _check_time(scheduled_at)
    scheduled.scheduled_at = scheduled_at
    scheduled.save(update_fields=["scheduled_at"])
    transaction.on_commit(lambda: _enqueue(scheduled))
    return scheduled


def cancel(author: Account, scheduled: ScheduledPost) -> None:
    """Drop a scheduled post; its media are free again (and kept)."""
    if scheduled.account_id != author.pk:
        raise PostError(_("You can only cancel your own scheduled posts."))
    with transaction.atomic():
        Media.objects.filter(scheduled_post=scheduled).update(scheduled_post=None)
        scheduled.delete()


def _poll_spec(data: dict | None) -> services.PollSpec | None:
    if not data:
        return None
    return services.PollSpec(data["options"], timedelta(seconds=data["expires_in"]),
                             multiple=data.get("multiple", False),
                             hide_totals=data.get("hide_totals", False))


def publish(scheduled_id: int) -> Post | None:
    """Publish a scheduled post whose time has come (the worker calls this).

    Idempotent: a post already published, cancelled or moved later is left alone.
    A post that can no longer be published (its reply target went away, ...) is
    dropped with a log line, its media freed.
    """
    with transaction.atomic():
        scheduled = ScheduledPost.objects.select_for_update().filter(
            pk=scheduled_id, scheduled_at__lte=timezone.now()
        ).select_related("account").first()
        if scheduled is None:
            return None
        p = scheduled.params
        media = list(Media.objects.filter(scheduled_post=scheduled))
        order = {pk: i for i, pk in enumerate(p.get("media_ids") or [])}
        media.sort(key=lambda m: order.get(m.pk, len(order)))
        Media.objects.filter(scheduled_post=scheduled).update(scheduled_post=None)
        for item in media:
            item.scheduled_post = None
        reply_to = Post.objects.filter(pk=p.get("in_reply_to_id")).first() \
            if p.get("in_reply_to_id") else None
        scheduled.delete()
        try:
            with transaction.atomic():
                return services.create_post(
                    scheduled.account, p.get("text", ""), visibility=p.get("visibility"),
                    spoiler_text=p.get("spoiler_text", ""), sensitive=p.get("sensitive", False),
                    language=p.get("language", ""), in_reply_to=reply_to, media=media,
                    poll=_poll_spec(p.get("poll")), source=Source.API,
                )
        except (PostError, NotVisible) as exc:
            log.warning("Scheduled post %s was dropped: %s", scheduled_id, exc)
            return None


def publish_due() -> int:
    """Publish every scheduled post whose time has come (a sweep)."""
    ids = list(ScheduledPost.objects.filter(scheduled_at__lte=timezone.now())
               .values_list("pk", flat=True))
    return sum(publish(pk) is not None for pk in ids)
