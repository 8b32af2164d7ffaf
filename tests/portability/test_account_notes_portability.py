"""Private notes on accounts travel in their author's own export
(``account_notes.csv``) and come back through ``csv_imports`` and the Rostra
archive importer; nobody else's notes ever go in."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from rostra.accounts import notes
from rostra.accounts.models import AccountNote
from rostra.portability import csv_imports
from rostra.portability.export import build_export
from rostra.portability.mastodon_importer import import_mastodon_archive
from tests import factories

pytestmark = pytest.mark.django_db

TRICKY = 'Met at "FediConf", Berlin\nprefers they/them'


def _notes_csv(account, tmp_path) -> tuple[list[list[str]], bytes, str]:
    report = build_export(account, tmp_path / "out.zip")
    with zipfile.ZipFile(report.path) as zf:
        data = zf.read("account_notes.csv")
    return list(csv.reader(io.StringIO(data.decode()))), data, report.path


def test_the_export_holds_the_authors_notes_and_no_one_elses(alice, bob, carol, tmp_path):
    notes.set_note(alice, bob, TRICKY)
    notes.set_note(alice, carol, "Carol")
    notes.set_note(bob, alice, "Bob's private view of Alice")
    rows, __, __ = _notes_csv(alice, tmp_path)
    assert rows == [["Account address", "Note"], ["bob@localhost:8000", TRICKY],
                    ["carol@localhost:8000", "Carol"]]


def test_an_account_without_notes_exports_only_the_header(alice, tmp_path):
    rows, __, __ = _notes_csv(alice, tmp_path)
    assert rows == [["Account address", "Note"]]


def test_the_notes_file_reimports_through_csv_imports(alice, bob, tmp_path):
    notes.set_note(alice, bob, TRICKY)
    __, data, __ = _notes_csv(alice, tmp_path)
    newcomer = factories.make_user("newcomer")
    report = csv_imports.run(csv_imports.start(newcomer, "account_notes", data))
    assert (report["ok"], report["failed"]) == (1, 0)
    assert notes.note_on(newcomer.account, bob) == TRICKY


def test_a_rostra_export_brings_the_notes_back(alice, bob, tmp_path):
    notes.set_note(alice, bob, TRICKY)
    __, __, path = _notes_csv(alice, tmp_path)
    twin = factories.make_user("twin")
    report = import_mastodon_archive(twin, path, run_follow_ups=True)
    assert report.relations == {"account_notes": 1}
    assert notes.note_on(twin.account, bob) == TRICKY


def test_overwrite_removes_the_notes_the_file_does_not_list(alice, bob, carol):
    notes.set_note(alice, bob, "old note on Bob")
    notes.set_note(alice, carol, "not in the file")
    job = csv_imports.start(alice.user, "account_notes", b"bob@localhost:8000,new note\n",
                            mode="overwrite")
    report = csv_imports.run(job)
    assert report["removed"] == 1
    assert dict(AccountNote.objects.filter(account=alice)
                .values_list("target_account__username", "text")) == {"bob": "new note"}


@pytest.mark.parametrize(("data", "problem"), [
    (b"Account address,Note\nbob@localhost:8000\n", "Line 2: expected 'account address,note'"),
    (b"bob@localhost:8000," + b"x" * 2001 + b"\n", "Line 1: the note is longer than 2000"),
    (b"not an address!,hello\n", "Line 1: 'not an address!' is not an account address"),
])
def test_a_malformed_notes_file_is_refused_naming_the_line(data, problem):
    with pytest.raises(csv_imports.CsvImportError, match=problem):
        csv_imports.parse("account_notes", data)
