"""Which archive an upload is, and the import that reads it: one entry for both doors.

``detect`` looks at the names inside (through the same guard, ``SafeArchive``):
``manifest.json`` beside ``outbox.json`` is a Rostra export, ``outbox.json`` a
Mastodon archive, ``data/…js`` an X archive (each possibly inside one folder).
``import_archive`` runs the matching importer; the Mastodon importer verifies
a Rostra export's manifest itself, so detection never decides what is trusted.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from django.utils.translation import gettext as _

from rostra.portability.archive_files import ArchiveError, SafeArchive
from rostra.portability.importer import import_x_archive
from rostra.portability.mastodon_importer import import_mastodon_archive

X_MARKERS = ("data/manifest.js", "data/tweets.js", "data/tweet.js", "data/account.js")
KINDS = {"x": "an X archive", "mastodon": "a Mastodon archive", "rostra": "a Rostra export"}


def detect(path: str | Path) -> str:
    """``"rostra"``, ``"mastodon"`` or ``"x"``; ``ArchiveError`` for anything else."""
    def marker(name: str) -> bool:  # a tar keeps only these (a zip lists everything)
        return (posixpath.basename(name) in {"outbox.json", "manifest.json"}
                or any(name.endswith(m) for m in X_MARKERS))

    with SafeArchive(path, tar=True, wanted=marker,
                     kind="a zip or tar.gz archive") as archive:
        names = archive.names
    roots = {posixpath.dirname(n) for n in names if posixpath.basename(n) == "outbox.json"}
    if roots:
        root = min(roots, key=len)
        manifest = posixpath.join(root, "manifest.json")
        return "rostra" if manifest in names else "mastodon"
    if any(n == marker or n.endswith("/" + marker) for n in names for marker in X_MARKERS):
        return "x"
    raise ArchiveError(_("This archive is neither a Rostra export, a Mastodon archive nor an X "
      "archive: it has no outbox.json and no data/tweets.js. Upload the archive exactly as the "
      "server sent it."))


def import_archive(user, path: str | Path, *, kind: str | None = None, **options):
    """Import the archive at ``path`` (``kind`` detected when None) and return the
    importer's report. ``options`` go to the importer (X: since, until,
    skip_replies, visibility; Mastodon/Rostra: run_follow_ups); both take dry_run,
    profile, progress and job."""
    kind = kind or detect(path)
    if kind == "x":
        options.pop("run_follow_ups", None)
        return import_x_archive(user, path, **options)
    for name in ("since", "until", "skip_replies", "visibility"):
        options.pop(name, None)
    return import_mastodon_archive(user, path, **options)
