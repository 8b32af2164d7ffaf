"""Opening an uploaded archive (zip, or tar/tar.gz) safely: the one guard of imports.

Archives are hostile input. ``SafeArchive`` refuses what is not an archive,
bombs (a ratio cap and a total-size cap on what it would expand to), members
whose path climbs out (``../``, absolute), links and device files, before
anything is read. A zip is read in place, member by member; a tar is read once,
in order, and only the members the caller wants are copied to a private
temporary folder under generated names (so a tar name never becomes a path).

``stream_json_array`` yields the objects of one JSON array one at a time, so
memory is bounded by the largest record, not by the file.

Every problem raises ``ArchiveError`` with a message naming it.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from django.utils.translation import gettext as _

MAX_TOTAL_BYTES = 64 * 1024**3  # uncompressed, whole archive
MAX_RATIO = 200  # uncompressed / compressed, per zip member (whole stream for a tar)
RATIO_FLOOR = 1024 * 1024
MAX_MEMBERS = 2_000_000
MAX_MEDIA_BYTES = 512 * 1024 * 1024
CHUNK = 64 * 1024
# What reading a damaged or cut-off archive raises.
DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, tarfile.TarError)
_DAMAGE = DAMAGE


class ArchiveError(Exception):
    """The upload is not a readable, safe archive; the message says why."""


def check_member_name(name: str) -> None:
    """Refuse a member whose path is absolute or leaves the archive."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        raise ArchiveError(_("The archive contains an absolute path (%(name)s); refusing it.")
            % {"name": repr(name)})
    if ".." in re.split(r"[/\\]", name):
        raise ArchiveError(_("The archive contains a path that leaves it (%(name)s); refusing it.")
            % {"name": repr(name)})


def check_zip_member(info: zipfile.ZipInfo) -> None:
    check_member_name(info.filename)
    if stat.S_ISLNK(info.external_attr >> 16):
        raise ArchiveError(_("The archive contains a symbolic link (%(filename)s); refusing it.")
            % {"filename": repr(info.filename)})
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise ArchiveError(
            _("%(filename)s expands %(ratio)s times: this looks like a zip bomb.")
            % {"filename": repr(info.filename),
               "ratio": info.file_size // max(info.compress_size, 1)}
        )


class SafeArchive:
    """A checked zip or tar archive: ``names``, ``open_text``, ``read_bytes``.

    ``wanted(name)`` says which tar members to keep (a zip keeps all, reads on
    demand); ``tar`` allows tar archives; ``kind`` names the expected upload in
    the "not an archive" message.
    """

    def __init__(self, path: str | Path, *, max_total: int = MAX_TOTAL_BYTES, tar: bool = False,
                 wanted: Callable[[str], bool] = lambda _n: True,
                 kind: str = "a zip archive") -> None:
        self._zip: zipfile.ZipFile | None = None
        self._dir: tempfile.TemporaryDirectory | None = None
        self._files: dict[str, Path] = {}
        path = Path(path)
        if zipfile.is_zipfile(path):
            self._open_zip(path, max_total)
        elif tar and _is_tar(path):
            self._open_tar(path, max_total, wanted)
        elif _starts_like_zip(path):
            raise ArchiveError(_("This zip archive is truncated or damaged: its end (the list of "
              "its files) is missing. Download it again and upload it whole."))
        else:
            raise ArchiveError(_("This file is not %(kind)s.") % {"kind": kind})

    # --- zip ------------------------------------------------------------------------------
    def _open_zip(self, path: Path, max_total: int) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ArchiveError(_("This file is not a readable zip archive (%(exc)s).")
                % {"exc": exc}) from exc
        try:
            infos = self._zip.infolist()
            if len(infos) > MAX_MEMBERS:
                raise ArchiveError(_("The archive holds more than %(max_members)s files.")
                    % {"max_members": MAX_MEMBERS})
            total = 0
            for info in infos:
                check_zip_member(info)
                total += info.file_size
            if total > max_total:
                raise ArchiveError(
                    _("The archive expands to %(total)s bytes, over the %(max_total)s-byte limit.")
                        % {"total": total, "max_total": max_total})
            self.names = {i.filename for i in infos if not i.is_dir()}
        except BaseException:
            self._zip.close()
            raise

    # --- tar ------------------------------------------------------------------------------
    def _open_tar(self, path: Path, max_total: int, wanted) -> None:
        compressed = max(path.stat().st_size, 1)
        self._dir = tempfile.TemporaryDirectory(prefix="rostra-import-")
        self.names = set()
        total = count = 0
        try:
            with tarfile.open(path, "r|*") as tar:
                for member in tar:
                    count += 1
                    if count > MAX_MEMBERS:
                        raise ArchiveError(_("The archive holds more than %(max_members)s files.")
                            % {"max_members": MAX_MEMBERS})
                    check_member_name(member.name)
                    if member.issym() or member.islnk():
                        raise ArchiveError(_("The archive contains a link (%(name)s); refusing "
                          "it.") % {"name": repr(member.name)})
                    if member.isdir():
                        continue
                    if not member.isfile():
                        raise ArchiveError(_("The archive contains a special file (%(name)s); "
                          "refusing it.") % {"name": repr(member.name)})
                    total += member.size
                    if total > max_total:
                        raise ArchiveError(_("The archive expands to more than %(max_total)s "
                          "bytes, over the limit.") % {"max_total": max_total})
                    if total > RATIO_FLOOR and total > MAX_RATIO * compressed:
                        raise ArchiveError(_("The archive expands over %(max_ratio)s times: this "
                          "looks like a bomb.") % {"max_ratio": MAX_RATIO})
                    name = member.name.removeprefix("./")
                    if not wanted(name) or name in self._files:
                        continue
                    target = Path(self._dir.name) / str(len(self._files))
                    source = tar.extractfile(member)
                    with target.open("wb") as out:
                        shutil.copyfileobj(source, out, CHUNK)
                    self._files[name] = target
                    self.names.add(name)
        except ArchiveError:
            self.close()
            raise
        except _DAMAGE as exc:
            self.close()
            raise ArchiveError(_("The archive is damaged or truncated (%(exc)s).")
                               % {"exc": exc}) from exc

    # --- reading --------------------------------------------------------------------------
    @property
    def is_zip(self) -> bool:
        return self._zip is not None

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._dir is not None:
            self._dir.cleanup()

    def size(self, name: str) -> int:
        if self._zip is not None:
            return self._zip.getinfo(name).file_size
        return self._files[name].stat().st_size

    def open_binary(self, name: str):
        if self._zip is not None:
            return self._zip.open(name)
        return self._files[name].open("rb")

    def open_text(self, name: str) -> io.TextIOBase:
        return io.TextIOWrapper(self.open_binary(name), encoding="utf-8-sig", errors="strict")

    def read_bytes(self, name: str, limit: int = MAX_MEDIA_BYTES) -> bytes:
        if self.size(name) > limit:
            raise ArchiveError(_("%(name)s is larger than %(limit)s bytes.")
                % {"name": name, "limit": limit})
        try:
            with self.open_binary(name) as stream:
                return stream.read()
        except _DAMAGE as exc:
            raise ArchiveError(_("The archive is damaged: %(name)s cannot be read (%(exc)s).")
                % {"name": name, "exc": exc}) from exc

    def read_json(self, name: str, limit: int) -> object:
        """The whole JSON document ``name`` (at most ``limit`` bytes)."""
        if self.size(name) > limit:
            raise ArchiveError(_("%(name)s is larger than %(limit)s bytes.")
                % {"name": name, "limit": limit})
        try:
            with self.open_text(name) as stream:
                return json.load(stream)
        except json.JSONDecodeError as exc:
            raise ArchiveError(_("%(name)s is truncated or not valid JSON (%(msg)s, line "
              "%(lineno)s).") % {"name": name, "msg": exc.msg, "lineno": exc.lineno}) from exc
        except (*_DAMAGE, UnicodeDecodeError) as exc:
            raise ArchiveError(_("The archive is damaged: %(name)s cannot be read (%(exc)s).")
                % {"name": name, "exc": exc}) from exc


def _starts_like_zip(path: Path) -> bool:
    """A zip's first bytes (a local file header) without its end: a cut-off download."""
    try:
        with path.open("rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _is_tar(path: Path) -> bool:
    try:
        with tarfile.open(path, "r|*") as tar:
            return tar.next() is not None
    except (*_DAMAGE, UnicodeDecodeError):
        return False


def stream_json_array(stream: io.TextIOBase, name: str, prefix: re.Pattern, *,
                      chunk: int = CHUNK, what: str = "a data file",
                      suffix: re.Pattern | None = None) -> Iterator[dict]:
    """Yield each object of the JSON array that follows ``prefix`` in ``stream``.

    ``prefix`` must match at the start (``window.YTD.x.part0 =``, or an object's
    opening up to ``"orderedItems":``); after the array, what is left must match
    ``suffix`` (a closing ``}``), else the file is truncated.
    """
    decoder = json.JSONDecoder()
    buf = ""
    eof = False

    def more() -> bool:
        nonlocal buf, eof
        if eof:
            return False
        try:
            data = stream.read(chunk)
        except (*_DAMAGE, UnicodeDecodeError) as exc:
            raise ArchiveError(_("The archive is damaged: %(name)s cannot be read (%(exc)s).")
                % {"name": name, "exc": exc}) from exc
        if not data:
            eof = True
            return False
        buf += data
        return True

    match = None
    while (match is None or len(buf) < 4096) and len(buf) < 1024 * 1024 and more():
        match = prefix.match(buf)
    match = prefix.match(buf)
    if not match:
        raise ArchiveError(_("%(name)s is not %(what)s.") % {"name": name, "what": what})
    while len(buf) < match.end() + 64 and more():
        match = prefix.match(buf)
    pos = match.end()
    if buf[pos:pos + 1] != "[":
        raise ArchiveError(_("%(name)s has the wrong shape: expected a list.") % {"name": name})
    pos += 1
    expect_item = True
    while True:
        while True:  # skip blanks and separators
            while pos < len(buf) and buf[pos] in " \t\r\n":
                pos += 1
            if pos < len(buf) or not more():
                break
        if pos >= len(buf):
            raise ArchiveError(_("%(name)s is truncated: the list never closes.") % {"name": name})
        char = buf[pos]
        if char == "]":
            break
        if char == ",":
            if expect_item:
                raise ArchiveError(_("%(name)s is not valid JSON (stray comma).") % {"name": name})
            pos += 1
            expect_item = True
            continue
        if not expect_item:
            raise ArchiveError(_("%(name)s is not valid JSON (missing comma).") % {"name": name})
        while True:
            try:
                value, end = decoder.raw_decode(buf, pos)
                if end < len(buf) or eof:
                    break
                # a value ending exactly at the buffer's end may continue (numbers)
                if isinstance(value, dict | list) or not more():
                    break
            except json.JSONDecodeError as exc:
                if not more():
                    raise ArchiveError(
                        _("%(name)s is truncated or not valid JSON (%(msg)s).")
                            % {"name": name, "msg": exc.msg}
                    ) from exc
        if not isinstance(value, dict):
            raise ArchiveError(_("%(name)s has the wrong shape: its list holds a non-object.")
                % {"name": name})
        yield value
        buf = buf[end:]
        pos = 0
        expect_item = False
    if suffix is not None:
        rest = buf[pos + 1:]
        while len(rest) < 1024 * 1024 and more():
            rest = buf[pos + 1:]
        if not suffix.fullmatch(rest):
            raise ArchiveError(_("%(name)s is truncated: the document does not close after its "
              "list.") % {"name": name})
