"""Stored files no row refers to: removed by ``rostra media remove-orphans``.

A file is written before the row that names it is committed. When a process dies
between the two (a worker killed in the middle of an import batch, a server killed
during an upload), the transaction is rolled back and the file stays, named by
nothing. Media, thumbnails, avatars and headers are looked for in the media storage
(local or S3-compatible); a file younger than ``older_than`` is left alone, because
its row may still be on its way. Quarantined files live elsewhere and are never
touched: they are evidence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from rostra.accounts.models import Account
from rostra.posts.models import Media

FOLDERS = ("media", "avatars", "headers")  # the upload_to roots of the file fields


@dataclass
class Orphans:
    names: list[str]
    size: int  # bytes


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}")


def _referenced() -> set[str]:
    names: set[str] = set()
    for row in Media.objects.values_list("file", "thumbnail").iterator(chunk_size=5000):
        names.update(row)
    for row in Account.objects.exclude(avatar="", header="").values_list(
            "avatar", "header").iterator(chunk_size=5000):
        names.update(row)
    names.discard("")
    names.discard(None)
    return names


def find(older_than: timedelta = timedelta(hours=24),
         storage: Storage | None = None) -> Orphans:
    """The stored files under ``FOLDERS`` that no row names, older than ``older_than``.

    The files are listed before the rows are read: a file written meanwhile is either
    not listed or too young, so a file and its row arriving during the walk are safe."""
    storage = storage or default_storage
    listed = [name for folder in FOLDERS for name in _walk(storage, folder)]
    known = _referenced()
    cutoff = timezone.now() - older_than
    names, size = [], 0
    for name in listed:
        if name in known:
            continue
        try:
            if storage.get_modified_time(name) > cutoff:
                continue
            size += storage.size(name)
        except FileNotFoundError:
            continue  # removed meanwhile
        names.append(name)
    return Orphans(names, size)


def remove(older_than: timedelta = timedelta(hours=24),
           storage: Storage | None = None) -> Orphans:
    """Delete what ``find`` finds; return it."""
    storage = storage or default_storage
    found = find(older_than, storage)
    for name in found.names:
        storage.delete(name)
    return found
