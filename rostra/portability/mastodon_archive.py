"""Reading a Mastodon account archive ("Request your archive") safely.

Mastodon sends a zip (older versions a tar.gz) holding ``outbox.json`` (an
ActivityPub OrderedCollection of the account's Create and Announce
activities), ``actor.json`` (the Person), ``likes.json`` and ``bookmarks.json``
(OrderedCollections of post URIs), ``avatar.*``, ``header.*`` and the media
under ``media_attachments/``. Only those are read; the opening guard
(``archive_files.SafeArchive``) refuses bombs, escaping paths and links. The
outbox is streamed one activity at a time.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from rostra.portability.archive_files import (
    MAX_TOTAL_BYTES,
    ArchiveError,
    SafeArchive,
    stream_json_array,
)

DATA_FILES = ("outbox.json", "actor.json", "likes.json", "bookmarks.json")
MEDIA_DIR = "media_attachments/"
MAX_SMALL_JSON = 64 * 1024 * 1024  # actor, likes, bookmarks: parsed whole
_OUTBOX_PREFIX = re.compile(r'^\s*\{.*?"orderedItems"\s*:\s*', re.DOTALL)
_OBJECT_END = re.compile(r'\s*(?:,\s*"[^"]*"\s*:\s*(?:"[^"]*"|[\d.]+|null|true|false)\s*)*\}\s*')
_PROFILE_IMAGE = re.compile(r"(?:^|/)(avatar|header)\.(?:png|jpe?g|gif|webp)$", re.IGNORECASE)


def _wanted(name: str) -> bool:
    base = posixpath.basename(name)
    return (base in DATA_FILES or f"/{MEDIA_DIR}" in f"/{name}"
            or bool(_PROFILE_IMAGE.search(name)))


class MastodonArchive:
    """An opened, checked Mastodon archive. Use as a context manager."""

    def __init__(self, path: str | Path, *, max_total: int = MAX_TOTAL_BYTES) -> None:
        self._archive = SafeArchive(path, max_total=max_total, tar=True, wanted=_wanted,
                                    kind="a zip or tar.gz archive (Mastodon sends a .zip)")
        try:
            self._root = self._find_root()
        except BaseException:
            self._archive.close()
            raise

    def __enter__(self) -> MastodonArchive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._archive.close()

    def _find_root(self) -> str:
        """The prefix before ``outbox.json`` (an archive re-packed inside a folder has one)."""
        for name in sorted(self._archive.names, key=len):
            if name == "outbox.json" or name.endswith("/outbox.json"):
                root = name[: -len("outbox.json")]
                if root + "actor.json" not in self._archive.names:
                    raise ArchiveError(_("actor.json is missing: whose archive is this? Upload "
                      "the archive exactly as Mastodon sent it."))
                return root
        raise ArchiveError(_("No Mastodon data found: the archive has no outbox.json. Upload the "
          "archive exactly as Mastodon sent it."))

    def has(self, name: str) -> bool:
        return self._root + name in self._archive.names

    def actor(self) -> dict:
        value = self._archive.read_json(self._root + "actor.json", MAX_SMALL_JSON)
        if not isinstance(value, dict) or not isinstance(value.get("id"), str):
            raise ArchiveError(_("actor.json has the wrong shape (expected a Person with an id)."))
        return value

    def outbox(self) -> Iterator[dict]:
        """Every activity of ``outbox.json``, streamed, in file order."""
        name = self._root + "outbox.json"
        with self._archive.open_text(name) as stream:
            yield from stream_json_array(
                stream, "outbox.json", _OUTBOX_PREFIX, what="an ActivityPub collection "
                "(no \"orderedItems\")", suffix=_OBJECT_END)

    def uris(self, name: str) -> list[str]:
        """The post URIs of ``likes.json`` or ``bookmarks.json`` ([] when absent)."""
        if name not in ("likes.json", "bookmarks.json"):
            raise ValueError(f"{name!r} is not a collection this importer reads")
        if not self.has(name):
            return []
        value = self._archive.read_json(self._root + name, MAX_SMALL_JSON)
        items = value.get("orderedItems") if isinstance(value, dict) else None
        if not isinstance(items, list):
            raise ArchiveError(_("%(name)s has the wrong shape (expected an OrderedCollection).")
                % {"name": name})
        uris = []
        for item in items:
            uri = item.get("id") if isinstance(item, dict) else item
            if not isinstance(uri, str) or not uri.startswith(("https://", "http://")):
                raise ArchiveError(_("%(name)s has the wrong shape: %(item)s is not a post URI.")
                    % {"name": name, "item": repr(str(item)[:80])})
            uris.append(uri)
        return uris

    def media_member(self, url: str) -> str | None:
        """The member an attachment ``url`` names (``/media_attachments/files/…``,
        ``system/…`` or a full URL), if it is in the archive's media folder."""
        path = urlsplit(url or "").path if "://" in (url or "") else (url or "")
        path = path.lstrip("/").removeprefix("system/")
        if MEDIA_DIR not in f"/{path}" or ".." in path.split("/"):
            return None
        path = path[path.index(MEDIA_DIR):]
        member = self._root + path
        return member if member in self._archive.names else None

    def profile_image(self, url: str) -> str | None:
        """The member of the avatar or header ``actor.json`` names (``avatar.png``)."""
        base = posixpath.basename(urlsplit(url or "").path or (url or ""))
        member = self._root + base
        if _PROFILE_IMAGE.search(base) and member in self._archive.names:
            return member
        return None

    def read_media(self, member: str) -> bytes:
        return self._archive.read_bytes(member)

    # --- what a Rostra export adds (``rostra_archive`` checks and reads it) ---------------
    @property
    def root(self) -> str:
        return self._root

    @property
    def is_zip(self) -> bool:
        return self._archive.is_zip

    def names(self) -> set[str]:
        """Every file the archive holds (for a tar: the ones kept), full names."""
        return set(self._archive.names)

    def size(self, name: str) -> int:
        return self._archive.size(self._root + name)

    def open_binary(self, name: str):
        """``name`` (relative to the root) as a binary stream."""
        return self._archive.open_binary(self._root + name)

    def read_file(self, name: str, limit: int) -> bytes:
        return self._archive.read_bytes(self._root + name, limit)

    def read_json(self, name: str, limit: int = MAX_SMALL_JSON) -> object:
        return self._archive.read_json(self._root + name, limit)
