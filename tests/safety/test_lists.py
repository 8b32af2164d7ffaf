"""Importing hash lists (HMA text, CSV, JSON) and changing them through the services."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rostra.safety import events, list_formats
from rostra.safety.list_formats import Problem, Record
from rostra.safety.lists import (
    HashListError,
    add_entries,
    allow,
    delete_list,
    import_list,
    remove_entries,
)
from rostra.safety.models import AllowEntry, HashEntry, HashList

PDQ = "f" * 16 + "0" * 48
PDQ2 = "0123456789abcdef" * 4
MD5 = "d41d8cd98f00b204e9800998ecf8427e"
SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

HMA = f"""# exported from HMA
pdq {PDQ}
md5 {MD5.upper()}

pdq {PDQ2} 87
sha256 {SHA}   # a comment
pdq 1234
url https://example.com/
pdq {PDQ} 101
"""
CSV = f"""Signal_Type,Hash,Quality,source
pdq,{PDQ},,ncmec
md5,{MD5},,
pdq,{PDQ2},87,x
sha256,{SHA},,
pdq,zz,,
bogus,{MD5},,
"""
OBJECTS = [{"signal_type": "pdq", "hash": PDQ}, {"type": "md5", "value": MD5},
           {"signal_type": "pdq", "hash": PDQ2, "quality": 87},
           {"signal_type": "sha256", "hash": SHA},
           {"signal_type": "pdq", "hash": "abc"}, ["not", "an", "object"]]


def stored(name: str) -> set[tuple]:
    return set(HashEntry.objects.filter(hash_list__name=name).values_list(
        "signal_type", "value", "quality"))


EXPECTED = {("pdq", PDQ, None), ("md5", MD5, None), ("pdq", PDQ2, 87), ("sha256", SHA, None)}


@pytest.mark.django_db
@pytest.mark.parametrize("fmt, text, problems", [
    ("hma", HMA, [7, 8, 9]),
    ("csv", CSV, [6, 7]),
    ("json", json.dumps(OBJECTS, indent=1), [19, 23]),
    ("json", json.dumps({"source": {"x": 1}, "hashes": OBJECTS}), [1, 1]),
])
def test_each_format_imports_valid_hashes_and_names_the_bad_lines(fmt, text, problems):
    report = import_list(text, name="known", kind="ncii", action="block")
    assert report.format == fmt and report.created and report.complete
    assert stored("known") == EXPECTED
    assert (report.read, report.added, report.error_count) == (4, 4, len(problems))
    assert [int(e.split(":")[0].removeprefix("line ")) for e in report.errors] == problems


@pytest.mark.django_db
def test_bad_lines_say_what_is_wrong():
    report = import_list(HMA, name="known", kind="ncii", action="block")
    assert report.errors == [
        "line 7: a pdq hash is 64 hexadecimal digits, not '1234'",
        "line 8: unknown signal type 'url'; Rostra matches pdq, md5 and sha256",
        "line 9: the quality must be a whole number from 0 to 100, not 101",
    ]


@pytest.mark.django_db
def test_reimport_is_idempotent_and_bumps_the_list(django_capture_on_commit_callbacks):
    added = []
    events.hashes_added.connect(lambda sender, entries, **kw: added.append(entries),
                                weak=False, dispatch_uid="t-import")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first = import_list(HMA, name="known", kind="ncii", action="block")
            import_list(HMA, name="known", kind="ncii", action="block")
    finally:
        events.hashes_added.disconnect(dispatch_uid="t-import")
    assert [len(entries) for entries in added] == [4]  # the second import added nothing
    stamp = HashList.objects.get().updated_at
    again = import_list(HMA, name="known", kind="ncii", action="block")
    assert not again.created and (again.read, again.added, again.already_listed) == (4, 0, 4)
    assert HashEntry.objects.count() == 4 and first.added == 4
    assert HashList.objects.get().updated_at > stamp


@pytest.mark.django_db
def test_an_import_reads_a_file_and_guesses_its_format_from_the_name(tmp_path):
    path = tmp_path / "list.data.csv"
    path.write_text(CSV)
    report = import_list(path, name="known", kind="csam", action="block")
    assert report.format == "csv" and stored("known") == EXPECTED
    assert import_list(str(path), name="known", kind="csam", action="block").added == 0


@pytest.mark.django_db
def test_a_large_file_is_imported_in_batches(tmp_path, monkeypatch):
    from rostra.safety import lists

    monkeypatch.setattr(lists, "BATCH", 1000)
    calls = []
    real = lists._insert
    monkeypatch.setattr(lists, "_insert", lambda rows: calls.append(len(rows)) or real(rows))
    path = tmp_path / "big.txt"
    with path.open("w") as out:
        for n in range(5500):
            out.write(f"md5 {n:032x}\n")
    report = import_list(path, name="big", kind="other", action="review")
    assert report.added == 5500 and calls == [1000] * 5 + [500]


@pytest.mark.django_db
def test_an_existing_list_must_keep_its_kind_and_action():
    import_list(HMA, name="known", kind="ncii", action="block")
    with pytest.raises(HashListError, match="exists with kind ncii and action block"):
        import_list(HMA, name="known", kind="csam", action="block")


@pytest.mark.django_db
@pytest.mark.parametrize("text, fmt, message", [
    ("[{\"type\": \"md5\", \"hash\": \"" + MD5 + "\"}, {\"type\": ", "json",
     "line 1: invalid JSON"),
    ('{"entries": []}', "json", 'line 1: invalid hash list: no "hashes" array'),
    ("hash,quality\n" + PDQ + ",90\n", "csv", "line 1: the CSV header needs a signal_type"),
])
def test_a_broken_file_stops_the_import_with_its_line(text, fmt, message):
    report = import_list(text, name="known", kind="other", action="review", fmt=fmt)
    assert not report.complete and report.errors[-1].startswith(message)


@pytest.mark.django_db
def test_bad_arguments_are_refused():
    with pytest.raises(HashListError, match="Unknown kind"):
        import_list(HMA, name="x", kind="spam", action="block")
    with pytest.raises(HashListError, match="Unknown format"):
        import_list(HMA, name="x", kind="other", action="block", fmt="xml")
    assert not HashList.objects.exists()


@pytest.mark.django_db
def test_add_and_remove_entries_and_tell_after_commit(django_capture_on_commit_callbacks):
    hash_list = HashList.objects.create(name="feed", kind="terror", action="review")
    added, withdrawn = [], []
    events.hashes_added.connect(lambda sender, entries, **kw: added.extend(entries),
                                weak=False, dispatch_uid="t-added")
    events.hashes_withdrawn.connect(lambda sender, entries, **kw: withdrawn.extend(entries),
                                    weak=False, dispatch_uid="t-gone")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            created = add_entries(hash_list, [("pdq", PDQ.upper(), 90), ("md5", MD5),
                                              ("md5", MD5)])
            assert add_entries(hash_list, [("md5", MD5)]) == []
        assert {e.value for e in created} == {PDQ, MD5} and len(added) == 2
        with django_capture_on_commit_callbacks(execute=True):
            assert remove_entries(hash_list, [("md5", MD5), ("sha256", SHA)]) == 1
        assert [e.value for e in withdrawn] == [MD5]
        assert stored("feed") == {("pdq", PDQ, 90)}
    finally:
        events.hashes_added.disconnect(dispatch_uid="t-added")
        events.hashes_withdrawn.disconnect(dispatch_uid="t-gone")


@pytest.mark.django_db
def test_an_invalid_entry_adds_nothing():
    hash_list = HashList.objects.create(name="feed", kind="terror", action="review")
    with pytest.raises(HashListError, match="Entry 2: a md5 hash is 32"):
        add_entries(hash_list, [("pdq", PDQ), ("md5", "123")])
    assert not HashEntry.objects.exists()


@pytest.mark.django_db
def test_allow_is_idempotent_and_normalises(make_user):
    mod = make_user("mod")
    first = allow("PDQ", PDQ.upper(), by=mod, reason="a bridge")
    assert allow("pdq", PDQ) == first
    assert AllowEntry.objects.get().created_by == mod and first.value == PDQ
    with pytest.raises(HashListError):
        allow("pdq", "xyz")


@pytest.mark.django_db
def test_delete_list_removes_its_entries():
    report = import_list(HMA, name="known", kind="ncii", action="block")
    assert delete_list(report.hash_list) == 4
    assert not HashList.objects.exists() and not HashEntry.objects.exists()


# --- the readers, property-based ------------------------------------------------------

hashes = st.one_of(
    st.tuples(st.just("pdq"), st.binary(min_size=32, max_size=32).map(bytes.hex),
              st.one_of(st.none(), st.integers(0, 100))),
    st.tuples(st.just("md5"), st.binary(min_size=16, max_size=16).map(bytes.hex), st.none()),
    st.tuples(st.just("sha256"), st.binary(min_size=32, max_size=32).map(bytes.hex),
              st.none()))


def render(fmt: str, items) -> str:
    if fmt == "hma":
        return "".join(f"{s} {v}{'' if q is None else f' {q}'}\n" for s, v, q in items)
    if fmt == "csv":
        return "type,hash,quality\n" + "".join(f"{s},{v},{'' if q is None else q}\n"
                                               for s, v, q in items)
    return json.dumps([{"signal_type": s, "hash": v, "quality": q} for s, v, q in items])


@hypothesis_settings(max_examples=40, deadline=None)
@given(st.sampled_from(list_formats.FORMATS), st.lists(hashes, max_size=30))
def test_every_format_reads_back_what_was_written(fmt, items):
    read = list(list_formats.read(io.StringIO(render(fmt, items)), fmt))
    assert all(isinstance(r, Record) for r in read)
    assert [(r.signal_type, r.value, r.quality) for r in read] == items


@hypothesis_settings(max_examples=80, deadline=None)
@given(st.sampled_from(list_formats.FORMATS), st.text(max_size=300))
def test_any_text_gives_records_or_problems_never_an_exception(fmt, text):
    for item in list_formats.read(io.StringIO(text), fmt):
        assert isinstance(item, Record | Problem) and item.line >= 1


def test_json_is_streamed_in_small_pieces(monkeypatch):
    monkeypatch.setattr(list_formats._JsonArray, "CHUNK", 7)
    items = [("md5", f"{n:032x}", None) for n in range(300)]
    text = json.dumps({"hashes": [{"type": s, "hash": v} for s, v, _ in items]}, indent=2)
    read = list(list_formats.read_json(io.StringIO(text)))
    assert [(r.signal_type, r.value, r.quality) for r in read] == items
    assert [r.line for r in read[:2]] == [3, 7]


@pytest.mark.parametrize("head, name, fmt", [
    ("[{}]", "", "json"), ("  {\"hashes\": []}", "", "json"), ("type,hash\n", "", "csv"),
    ("# c\npdq abc\n", "", "hma"), ("", "x.CSV", "csv"), ("pdq,x", "list.txt", "hma"),
])
def test_the_format_is_guessed_from_the_name_or_the_start(head, name, fmt):
    assert list_formats.detect(head, name) == fmt
