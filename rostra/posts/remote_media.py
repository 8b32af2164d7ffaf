"""Media of posts from other servers pass the same gate as uploads, before anyone
sees them.

A remote post with attachments is stored held (``Post.held == "pending"``) and
announced to no one. ``check`` then fetches each file through ``core.net`` (size
and time limits, SSRF guard), processes it like an upload (``media.fill_media``:
re-encoding, the hashes, the hash lists, provenance) and keeps a local copy, so
that nothing is ever hot-linked past the gate. If every file is clear the post is
released and announced (``post_created``); a match quarantines the file and holds
the post for a moderator; a file that cannot be fetched after ``ATTEMPTS`` tries
is left out (shown as a link to its origin, as Mastodon shows media it could not
fetch) and the post released.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rostra.core import net
from rostra.posts import events
from rostra.posts.errors import PostError
from rostra.posts.media import MediaHeld, fill_media, hold
from rostra.posts.models import Media, Post

logger = logging.getLogger("rostra.posts")
ATTEMPTS = 4
RETRY_AFTER = timedelta(minutes=2)
ACCEPT = "image/*, video/*;q=0.9, */*;q=0.1"


class Unavailable(Exception):
    """The file could not be fetched or is not a picture or video we can read."""


def _download(url: str) -> bytes:
    limit = max(settings.ROSTRA_MEDIA_MAX_BYTES, settings.ROSTRA_VIDEO_MAX_BYTES)
    try:
        response = net.fetch(url, accept=ACCEPT, max_bytes=limit, timeout=30)
    except net.NetError as exc:
        raise Unavailable(str(exc)) from exc
    if not response.ok:
        raise Unavailable(f"HTTP {response.status}")
    return response.content


def _check_one(media: Media) -> bool:
    """Fetch and gate one file; True when it is clear (or left out), False when held.
    Raises ``Unavailable`` for a failure worth retrying."""
    data = _download(media.remote_url)
    try:
        verdict = fill_media(media, data, video_hint=media.kind == Media.Kind.VIDEO)
    except PostError as exc:
        media.meta = {**(media.meta or {}), "unavailable": str(exc)[:200]}
        media.save()
        return True
    media.save()
    if verdict.matches:
        try:
            hold(media, verdict, source="federation")
        except MediaHeld:
            return False
    return True


def check(post_id: int, attempt: int = 1) -> str:
    """Fetch and gate the held post's media; returns the post's new ``held`` state
    ("" released, "quarantine", "pending" while a retry is scheduled)."""
    post = Post.objects.filter(pk=post_id).select_related("account").first()
    if post is None or post.held != "pending":
        return post.held if post else ""
    clear, retry = True, False
    for media in post.media.filter(file=""):
        if (media.meta or {}).get("unavailable"):
            continue
        try:
            clear = _check_one(media) and clear
        except Unavailable as exc:
            if attempt < ATTEMPTS:
                retry = True
            else:
                logger.info("Media %s left out after %s attempts: %s", media.remote_url,
                            attempt, exc)
                media.meta = {**(media.meta or {}), "unavailable": str(exc)[:200]}
                media.save(update_fields=["meta"])
    if not clear:
        _set_held(post, "quarantine")
    elif retry:
        from rostra.posts.tasks import check_remote_media

        check_remote_media.using(run_after=timezone.now() + RETRY_AFTER * attempt).enqueue(
            post_id, attempt + 1)
    else:
        release(post)
    return post.held


def _set_held(post: Post, state: str) -> None:
    Post.objects.filter(pk=post.pk).update(held=state)
    post.held = state


def release(post: Post) -> None:
    """The gate (or a moderator) cleared ``post``: published and announced now,
    through the same ``post_created`` event as any new post."""
    with transaction.atomic():
        _set_held(post, "")
        transaction.on_commit(lambda: events.post_created.send(Post, post=post))
        transaction.on_commit(lambda: events.post_released.send(Post, post=post))
