"""A Rostra export's manifest, and what a Rostra export adds to a Mastodon archive.

A Rostra export (``export.build_export``) is a Mastodon-shaped zip plus
``manifest.json``: the format name (``rostra-export``), its version, the
account's actor URI, when it was made, and the size and SHA-256 of every other
file. ``HashingZipFile`` computes those while the export is written (no second
read); ``check`` verifies them before an import creates anything, so a
tampered, truncated or incomplete export is refused with the reason, and an
archive without a manifest is read as Mastodon's.

The manifest catches damage and edits made without recomputing it; it is not a
signature (whoever holds the zip can rewrite both).

``relations`` reads the export's CSV files (follows, mutes, blocks, domain
blocks, lists, and Rostra's private notes on accounts) through
``csv_imports.parse``; ``hand_over`` turns them into ``csv_imports`` jobs, once
per export, run in the background (or at once by the CLI).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime

from django.db import transaction
from django.utils.translation import gettext as _

from rostra.portability import csv_imports
from rostra.portability.archive_files import CHUNK, DAMAGE, ArchiveError
from rostra.portability.models import ImportJob

FORMAT = "rostra-export"
VERSION = 1
MANIFEST = "manifest.json"
MAX_MANIFEST = 256 * 1024 * 1024
SOURCE = "rostra"
# The CSV files a Rostra export holds, in the order their jobs run (blocks first:
# a later follow must not reach someone blocked).
log = logging.getLogger(__name__)
RELATIONS = (("blocked_domains.csv", "domain_blocking"), ("blocked_accounts.csv", "blocking"),
             ("muted_accounts.csv", "muting"), ("following_accounts.csv", "following"),
             ("lists.csv", "lists"), ("account_notes.csv", "account_notes"))


# --- writing --------------------------------------------------------------------------------

class _Hashing(io.BufferedIOBase):
    """A zip member's write stream that measures what goes through it."""

    def __init__(self, inner, done: Callable[[int, str], None]) -> None:
        super().__init__()
        self._inner, self._done = inner, done
        self._hash, self._size = hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        self._hash.update(data)
        self._size += len(data)
        return self._inner.write(data)

    def flush(self) -> None:
        if not self._inner.closed:
            self._inner.flush()

    def close(self) -> None:
        if self.closed:
            return
        super().close()
        self._inner.close()
        self._done(self._size, self._hash.hexdigest())


class HashingZipFile(zipfile.ZipFile):
    """A zip being written that records each member's size and SHA-256 (``digests``)
    and ends with ``write_manifest``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.digests: dict[str, tuple[int, str]] = {}

    def open(self, name, mode="r", pwd=None, *, force_zip64=False):
        stream = super().open(name, mode, pwd, force_zip64=force_zip64)
        if mode != "w":
            return stream
        member = name.filename if isinstance(name, zipfile.ZipInfo) else name

        def done(size: int, digest: str) -> None:
            self.digests[member] = (size, digest)

        return _Hashing(stream, done)

    def write_manifest(self, account_uri: str) -> None:
        document = {
            "format": FORMAT, "version": VERSION, "account": account_uri,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "files": [{"path": name, "size": size, "sha256": digest}
                      for name, (size, digest) in self.digests.items()],
        }
        super().writestr(MANIFEST, json.dumps(document, ensure_ascii=False, indent=1))


# --- checking -------------------------------------------------------------------------------

def check(archive) -> dict | None:
    """The verified manifest of a Rostra export, or None for an archive without one.

    ``archive`` is an open ``MastodonArchive``. Raises ``ArchiveError`` naming
    the problem: another format, a newer version, a file missing, changed,
    cut short or added, or an ``actor.json`` of another account.
    """
    if archive.root + MANIFEST not in archive.names():
        return None
    if not archive.is_zip:
        raise ArchiveError(_("A Rostra export is a .zip: upload the zip exactly as it was "
          "downloaded, not re-packed."))
    manifest = archive.read_json(MANIFEST, MAX_MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise ArchiveError(_("This is not a Rostra export: its manifest.json names the format "
          "%(found)s, not %(format)s.") % {"found": repr(str(found)[:60]), "format": repr(FORMAT)})
    version = manifest.get("version")
    if not isinstance(version, int) or version < 1:
        raise ArchiveError(_("The export's manifest.json has no valid version."))
    if version > VERSION:
        raise ArchiveError(_("This export was made by a newer Rostra (format version "
          "%(version)s; this server reads up to %(version2)s). Update this server first.")
            % {"version": version, "version2": VERSION})
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
            isinstance(f, dict) and isinstance(f.get("path"), str)
            and isinstance(f.get("size"), int) and isinstance(f.get("sha256"), str)
            for f in files):
        raise ArchiveError(_("The export's manifest.json has the wrong shape (expected a list of "
          "files with path, size and sha256)."))
    listed = {f["path"] for f in files}
    present = {n[len(archive.root):] for n in archive.names() if n.startswith(archive.root)}
    present |= {n for n in archive.names() if not n.startswith(archive.root)}
    extra = sorted(present - listed - {MANIFEST})
    if extra:
        raise ArchiveError(_("The export holds a file its manifest does not list (%(extra)s): it "
          "was changed after it was made. Nothing was imported.") % {"extra": extra[0]})
    for entry in files:
        _check_file(archive, entry, present)
    actor = archive.actor()
    if manifest.get("account") != actor.get("id"):
        raise ArchiveError(_("The export's actor.json is not the account its manifest names: the "
          "files come from different exports. Nothing was imported."))
    return manifest


def _check_file(archive, entry: dict, present: set[str]) -> None:
    name = entry["path"]
    if name not in present:
        raise ArchiveError(_("The export is incomplete: %(name)s is missing. Download it again; "
          "nothing was imported.") % {"name": name})
    if archive.size(name) != entry["size"]:
        raise ArchiveError(_("%(name)s is %(size)s bytes, but the manifest says %(entry)s: the "
          "export was damaged or changed after it was made. Nothing was imported.")
            % {"name": name, "size": archive.size(name), "entry": entry['size']})
    digest = hashlib.sha256()
    try:
        with archive.open_binary(name) as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
    except DAMAGE as exc:
        raise ArchiveError(_("The export is damaged: %(name)s cannot be read (%(exc)s). Nothing "
          "was imported.") % {"name": name, "exc": exc}) from exc
    if digest.hexdigest() != entry["sha256"].lower():
        raise ArchiveError(_("%(name)s was changed after the export was made (its SHA-256 does "
          "not match the manifest). Nothing was imported.") % {"name": name})


def relations(archive) -> dict[str, list[list]]:
    """Kind -> checked rows of the export's CSV files (absent or empty files: none).
    Raises ``ArchiveError`` naming the file and line of a bad row."""
    found = {}
    for name, kind in RELATIONS:
        if archive.root + name not in archive.names():
            continue
        data = archive.read_file(name, csv_imports.MAX_BYTES)
        try:
            rows = csv_imports.parse(kind, data, allow_empty=True)
        except csv_imports.CsvImportError as exc:
            raise ArchiveError(_("%(name)s: %(exc)s") % {"name": name, "exc": exc}) from exc
        if rows:
            found[kind] = rows
    return found


def export_key(manifest: dict) -> str:
    """What names one export (its account and moment), to hand its relations over once."""
    return hashlib.sha256(f"{manifest.get('account')} {manifest.get('created_at')}"
                          .encode()).hexdigest()[:32]


def hand_over(user, job: ImportJob, rows: dict[str, list[list]], key: str, *,
              run_now: bool) -> dict[str, int]:
    """Make one ``csv_imports`` job per kind of relation (once per export: a re-import
    reuses the earlier jobs), then queue them, or run them at once (``run_now``).
    Returns kind -> job id."""
    earlier = next((j.options["follow_ups"] for j in ImportJob.objects.filter(
        user=user, source=SOURCE, options__export=key).exclude(pk=job.pk)
        if j.options.get("follow_ups")), None)
    follow_ups = earlier or {
        kind: csv_imports.create_job(user, kind, kind_rows, mode="merge",
                                     origin=f"{name} of import #{job.pk}").pk
        for name, kind in RELATIONS if (kind_rows := rows.get(kind))}
    job.options = {**job.options, "export": key, "follow_ups": follow_ups}
    ImportJob.objects.filter(pk=job.pk).update(options=job.options)
    if earlier:
        return follow_ups
    jobs = [ImportJob.objects.get(pk=pk) for pk in follow_ups.values()]
    if run_now:
        for follow_up in jobs:
            try:
                csv_imports.run(follow_up)
            except Exception:  # recorded on that job as failed; the others still run
                log.exception("Follow-up import #%s failed", follow_up.pk)
    else:
        transaction.on_commit(lambda: [csv_imports.enqueue(j) for j in jobs])
    return follow_ups
