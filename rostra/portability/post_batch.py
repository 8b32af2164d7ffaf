"""Imported posts, created a batch at a time (the X and Mastodon importers).

``PostBatch.add`` queues a post; every ``size`` posts (and at the end) ``flush``
uploads their media through ``posts.media.upload_media`` (the safety gate), creates
them with ``posts.services.create_posts`` (the one insertion path: quiet, original
dates) and records an ``ImportedItem`` per post, all in one transaction. A crash
loses at most the open batch, whole posts only; re-running skips what was recorded,
so imports stay idempotent and resumable. A reply may point at a post still queued
in the same batch: threads are created together.

A post the services refuse is reported (``report.errors``) and its uploads removed;
the others of the batch are created.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction

from rostra.portability.models import ImportedItem
from rostra.posts import media as media_service
from rostra.posts import services as posts
from rostra.posts.errors import PostError
from rostra.posts.models import Post

BATCH = 200


@dataclass
class _Item:
    source_id: str
    new: posts.NewPost
    photos: list  # (ref, archive member) pairs
    on_created: Callable[[Post], None] | None
    uploaded: list = field(default_factory=list)


class PostBatch:
    """Queue imported posts and create them ``size`` at a time (a context manager:
    the last batch is flushed on a clean exit, dropped on an exception)."""

    def __init__(self, account, job, archive, report, done_ids: dict, size: int | None = None):
        self.account, self.job, self.archive, self.report = account, job, archive, report
        self.done_ids = done_ids  # source id -> post pk, of every post imported so far
        self.size = size or BATCH
        self.items: list[_Item] = []
        self.queued: dict[str, posts.NewPost] = {}
        self.recent: dict[str, Post] = {}  # the last batch's posts: likely parents

    def __enter__(self) -> PostBatch:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.flush()

    def add(self, source, text: str, visibility: str, parent_id: str | Post | None, photos: list, *,
            spoiler_text: str = "", sensitive: bool = False,
            on_created: Callable[[Post], None] | None = None, uri: str = "") -> None:
        """Queue ``source`` (needs ``source_id``, ``published``, ``language``,
        ``origin_url``) as a post replying to the imported ``parent_id``, if any;
        ``uri``: the id it had where it came from (a live transfer keeps it)."""
        new = posts.NewPost(
            text=text, visibility=visibility, language=source.language,
            in_reply_to=self._parent(parent_id), published=source.published,
            source="import", quiet=True, origin_url=source.origin_url,
            spoiler_text=spoiler_text, sensitive=sensitive, uri=uri)
        self.items.append(_Item(source.source_id, new, list(photos)[:4], on_created))
        self.queued[source.source_id] = new
        if len(self.items) >= self.size:
            self.flush()

    def _parent(self, parent_id: str | Post | None):
        """An imported parent by its source id, or a post found here already."""
        if isinstance(parent_id, Post):
            return parent_id
        if not parent_id:
            return None
        if parent_id in self.queued:
            return self.queued[parent_id]
        if parent_id in self.recent:
            return self.recent[parent_id]
        pk = self.done_ids.get(parent_id)
        return Post.objects.filter(pk=pk).first() if pk else None

    def flush(self) -> None:
        items, self.items, self.queued = self.items, [], {}
        if not items:
            return
        try:
            with transaction.atomic():
                for item in items:
                    item.new.media = item.uploaded = self._upload(item)
                results = posts.create_posts(self.account, [i.new for i in items])
                ImportedItem.objects.bulk_create(
                    [ImportedItem(job=self.job, source_id=i.source_id, post=post)
                     for i, post in zip(items, results, strict=True) if isinstance(post, Post)],
                    batch_size=500)
        except BaseException:
            for item in items:
                _discard(self.account, item.uploaded)
            raise
        self.recent = {}
        for item, result in zip(items, results, strict=True):
            if isinstance(result, PostError):
                self.report.errors.append({"id": item.source_id, "error": str(result)})
                _discard(self.account, item.uploaded)
                continue
            self.done_ids[item.source_id] = result.pk
            self.recent[item.source_id] = result
            self.report.media_imported += len(item.uploaded)
            if item.on_created is not None:
                item.on_created(result)

    def _upload(self, item: _Item) -> list:
        uploaded = []
        for ref, member in item.photos:
            try:
                data = ContentFile(self.archive.read_media(member), name=ref.filename)
                uploaded.append(media_service.upload_media(
                    self.account, data, description=ref.description[:1500],
                    focus=getattr(ref, "focus", None),
                    ai_generated=getattr(ref, "ai_generated", False), source="import"))
            except media_service.MediaHeld as exc:
                # The post is imported held with it: a moderator decides (the gate).
                uploaded.append(exc.media)
                self.report.errors.append({"id": item.source_id,
                                           "error": f"{ref.filename}: {exc}"})
            except PostError as exc:
                self.report.errors.append({"id": item.source_id,
                                           "error": f"{ref.filename}: {exc}"})
        return uploaded


def _discard(account, uploaded) -> None:
    """Remove uploads a refused post (or a rolled-back batch) leaves unattached."""
    for item in uploaded:
        item.post = None
        media_service.discard_upload(account, item)
