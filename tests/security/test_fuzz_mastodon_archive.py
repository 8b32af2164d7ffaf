"""Fuzz run over a Mastodon archive's files as the reader sees them (issue 11,
security pass): ``actor.json``, ``outbox.json`` (streamed), ``likes.json`` and
``bookmarks.json`` with arbitrary content, and arbitrary bytes as the archive. The
reader yields JSON objects or raises ``ArchiveError`` (the importer's mapping of each
activity is fuzzed in tests/portability/test_mastodon_archive.py)."""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from rostra.portability.archive_files import ArchiveError
from rostra.portability.mastodon_archive import MastodonArchive
from tests.security.fuzz import fuzz, json_values

KEYS = ("id", "type", "orderedItems", "object", "actor", "published", "@context")
member = (json_values(KEYS).map(lambda v: json.dumps(v).encode())
          | st.fixed_dictionaries({"orderedItems": st.lists(json_values(KEYS), max_size=4)})
          .map(lambda v: json.dumps(v).encode())
          | st.binary(max_size=80))


def _read(path: Path) -> None:
    with MastodonArchive(path) as archive:
        assert isinstance(archive.actor(), dict)
        for activity in archive.outbox():
            assert isinstance(activity, dict)
        for name in ("likes.json", "bookmarks.json"):
            assert all(u.startswith(("https://", "http://")) for u in archive.uris(name))


@fuzz(120)
@given(files=st.dictionaries(st.sampled_from(["actor.json", "outbox.json", "likes.json",
                                              "bookmarks.json", "x/outbox.json"]), member,
                             max_size=5),
       raw=st.none() | st.binary(max_size=200))
def test_any_archive_content_is_read_or_refused_with_an_archive_error(files, raw):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "archive.zip"
        if raw is not None:
            path.write_bytes(b"PK\x03\x04" + raw)
        else:
            with zipfile.ZipFile(path, "w") as zf:
                for name, data in files.items():
                    zf.writestr(name, data)
        try:
            _read(path)
        except ArchiveError as exc:
            assert str(exc)
