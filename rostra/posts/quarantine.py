"""Quarantine of media files that matched a hash list.

A quarantined file leaves the public media storage for a private folder
(``ROSTRA_QUARANTINE_ROOT``), so its addresses, thumbnail included, answer 404 to
everyone whatever serves the media (Django, nginx, object storage); moderators
read it through ``open_file``. Releasing it (a cleared false positive) moves it
back. The ``Media`` row keeps its hashes either way: they are the evidence.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction
from django.utils import timezone

from rostra.posts.models import Media


def quarantine_storage() -> FileSystemStorage:
    root = getattr(settings, "ROSTRA_QUARANTINE_ROOT", "") or str(
        Path(settings.BASE_DIR) / "quarantine")
    return FileSystemStorage(location=root, base_url=None)


def _files(media: Media):
    return [f for f in (media.file, media.thumbnail) if f and f.name]


def _move(name: str, source, target) -> None:
    if not source.exists(name):
        return
    with source.open(name, "rb") as handle:
        if target.exists(name):
            target.delete(name)
        saved = target.save(name, File(handle))
    if saved != name:  # storages never rename a free name; refuse to lose track
        raise OSError(f"Could not move {name} intact")
    source.delete(name)


def quarantine(media: Media) -> None:
    """Move ``media``'s files out of public storage and mark it quarantined."""
    private = quarantine_storage()
    for f in _files(media):
        _move(f.name, default_storage, private)
    media.quarantined_at = media.quarantined_at or timezone.now()
    Media.objects.filter(pk=media.pk).update(quarantined_at=media.quarantined_at)


def release(media: Media) -> None:
    """A moderator cleared ``media``: its files go back where everyone can see them."""
    private = quarantine_storage()
    for f in _files(media):
        _move(f.name, private, default_storage)
    with transaction.atomic():
        Media.objects.filter(pk=media.pk).update(quarantined_at=None)
        media.quarantined_at = None


def open_file(media: Media, which: str = "file"):
    """The quarantined ``file`` or ``thumbnail`` of ``media``, opened for reading
    (moderators only: the caller checks). Raises ``FileNotFoundError``."""
    field = media.thumbnail if which == "thumbnail" else media.file
    if not field or not field.name:
        raise FileNotFoundError(which)
    storage = quarantine_storage() if media.quarantined_at else default_storage
    return storage.open(field.name, "rb")
