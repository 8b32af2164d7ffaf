"""Reading an X ("Download an archive of your data") zip safely.

The archive is hostile input: this module refuses what is not a zip, zip bombs
(ratio and total-size caps), paths that climb out (``../``, absolute) and
symlinks, and it reads only a whitelist of data files, never IP logs, direct
messages, e-mail or phone files. Data files (``window.YTD.<name>.partN = [...]``)
are parsed as JSON, never evaluated, one record at a time, so memory is bounded
by the largest record, not by the archive.

Every problem raises ``ArchiveError`` with a message naming it.
"""

from __future__ import annotations

import io
import json
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from rostra.portability.archive_files import (
    MAX_TOTAL_BYTES,
    ArchiveError,
    SafeArchive,
    stream_json_array,
)

__all__ = ["ArchiveError", "XArchive"]

CHUNK = 64 * 1024

# data type -> file names X has used for it (manifest first, these as fallback)
DATA_FILES: dict[str, tuple[str, ...]] = {
    "account": ("account",),
    "profile": ("profile",),
    "tweets": ("tweets", "tweet"),
    "noteTweet": ("note-tweet",),
    "deletedTweets": ("deleted-tweets", "deleted-tweet"),
    "communityTweet": ("community-tweet",),
    "twitterCircleTweet": ("twitter-circle-tweet",),
    "protectedHistory": ("protected-history",),
    "follower": ("follower",),
    "following": ("following",),
    "like": ("like",),
    "block": ("block",),
}
MEDIA_DIRS: dict[str, tuple[str, ...]] = {
    "tweets": ("tweets_media", "tweet_media"),
    "communityTweet": ("community_tweet_media",),
    "twitterCircleTweet": ("twitter_circle_tweet_media",),
    "profile": ("profile_media",),
}
_HEADER_RE = re.compile(r"^\s*window\.(?:YTD\.[\w.]+|__THAR_CONFIG)\s*=\s*")


class XArchive:
    """An opened, checked X archive. Use as a context manager."""

    def __init__(self, path: str | Path, *, max_total: int = MAX_TOTAL_BYTES) -> None:
        self._archive = SafeArchive(path, max_total=max_total,
                                    kind="a zip archive (X sends a .zip)")
        try:
            self._names = self._archive.names
            self._root = self._find_root()
            self.manifest = self._read_manifest()
        except BaseException:
            self._archive.close()
            raise

    def __enter__(self) -> XArchive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._archive.close()

    # --- locating files -------------------------------------------------------
    def _find_root(self) -> str:
        """The prefix before ``data/`` (archives re-zipped inside a folder have one)."""
        for marker in ("data/manifest.js", "data/tweets.js", "data/tweet.js", "data/account.js"):
            for name in sorted(self._names, key=len):
                if name == marker or name.endswith("/" + marker):
                    return name[: -len(marker)]
        raise ArchiveError(
            _("No X data found: the archive has no data/manifest.js, data/tweets.js or "
              "data/account.js. Upload the zip exactly as X sent it.")
        )

    def _read_manifest(self) -> dict:
        name = self._root + "data/manifest.js"
        if name not in self._names:
            return {}
        value = _parse_single(self._open_text(name), name)
        if not isinstance(value, dict):
            raise ArchiveError(_("%(name)s has the wrong shape (expected an object).")
                % {"name": name})
        return value

    def files(self, kind: str) -> list[str]:
        """The whitelisted member names holding data type ``kind``, all parts."""
        if kind not in DATA_FILES:
            raise ValueError(f"{kind!r} is not a data type this importer reads")
        allowed = DATA_FILES[kind]
        listed = ((self.manifest.get("dataTypes") or {}).get(kind) or {}).get("files") or []
        names = []
        for entry in listed:
            raw = str((entry or {}).get("fileName", ""))
            base = posixpath.basename(raw)
            stem = re.sub(r"(-part\d+)?\.js$", "", base)
            name = self._root + "data/" + base
            if stem in allowed and name in self._names:
                names.append(name)
        if names:
            return names
        for stem in allowed:
            single = self._root + f"data/{stem}.js"
            if single in self._names:
                names.append(single)
            part = re.compile(re.escape(self._root + f"data/{stem}-part") + r"(\d+)\.js$")
            names += sorted((n for n in self._names if part.match(n)),
                            key=lambda n: int(part.match(n).group(1)))
            if names:
                break
        return names

    def has(self, kind: str) -> bool:
        return bool(self.files(kind))

    def media_names(self, kind: str) -> dict[str, str]:
        """File name -> member name in the media folder of ``kind``."""
        dirs = list(MEDIA_DIRS.get(kind, ()))
        listed = ((self.manifest.get("dataTypes") or {}).get(kind) or {}).get("mediaDirectory")
        if listed:
            dirs.insert(0, posixpath.basename(str(listed).rstrip("/")))
        found: dict[str, str] = {}
        for d in dirs:
            if d not in MEDIA_DIRS.get(kind, ()) :
                continue
            prefix = self._root + f"data/{d}/"
            for name in self._names:
                if name.startswith(prefix) and "/" not in name[len(prefix):]:
                    found.setdefault(name[len(prefix):], name)
        return found

    def read_media(self, member: str) -> bytes:
        return self._archive.read_bytes(member)

    # --- records ----------------------------------------------------------------
    def _open_text(self, name: str) -> io.TextIOBase:
        return self._archive.open_text(name)

    def records(self, kind: str) -> Iterator[dict]:
        """Every record of data type ``kind``, across all its parts, streamed."""
        for name in self.files(kind):
            with self._open_text(name) as stream:
                yield from _stream_array(stream, name)


def _parse_single(stream: io.TextIOBase, name: str):
    try:
        text = stream.read(8 * 1024 * 1024)
    except (zipfile.BadZipFile, zlib.error, UnicodeDecodeError, EOFError) as exc:
        raise ArchiveError(_("The archive is damaged: %(name)s cannot be read (%(exc)s).")
            % {"name": name, "exc": exc}) from exc
    match = _HEADER_RE.match(text)
    if not match:
        raise ArchiveError(_("%(name)s is not an X data file (no 'window.YTD… =' header).")
            % {"name": name})
    try:
        return json.loads(text[match.end():].strip().rstrip(";"))
    except json.JSONDecodeError as exc:
        raise ArchiveError(_("%(name)s is not valid JSON (%(msg)s, line %(lineno)s).")
            % {"name": name, "msg": exc.msg, "lineno": exc.lineno}) from exc


def _stream_array(stream: io.TextIOBase, name: str) -> Iterator[dict]:
    """Yield each object of the array after ``window.YTD.x.partN =``."""
    return stream_json_array(stream, name, _HEADER_RE, chunk=CHUNK,
                             what="an X data file (no 'window.YTD… =' header)")
