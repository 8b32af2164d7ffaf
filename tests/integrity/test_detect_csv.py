"""read_csv: the toolkit's column order in, Messages out; anything else a CsvError
that names the line, and nothing half-read."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rostra.integrity.detect import CsvError, Message, read_csv

HEADER = "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n"
ROWS = ('1,10,anna,,,"hello, world\nsecond line",1700000000,https://a.example/x https://b.example\n'
        "2,11,bob,1,,,1700000005.5,\n")


def test_reads_rows_with_header_quoted_text_and_empty_urls(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    first, second = read_csv(path)
    assert first == Message("1", "10", "anna", "", "", "hello, world\nsecond line",
                            1700000000.0, ("https://a.example/x", "https://b.example"))
    assert (second.repost_id, second.urls, second.timestamp) == ("1", (), 1700000005.5)


def test_header_is_optional_and_open_files_work():
    assert len(read_csv(io.BytesIO(ROWS.encode()))) == 2
    assert len(read_csv(io.StringIO(HEADER + ROWS))) == 2


@pytest.mark.parametrize("body, fault", [
    (HEADER + "1,10,anna,,,hi,1700000000\n", "line 2: 7 columns"),
    (HEADER + ROWS + "3,12,cy,,,hi,yesterday,\n", "line 5: timestamp 'yesterday'"),
    (ROWS + "3,12,cy,,,hi,nan,\n", "line 4: timestamp 'nan' is not a finite"),
    (ROWS + ",12,cy,,,hi,1,\n", "line 4: empty message_id"),
])
def test_bad_rows_name_the_line_and_the_fault(body, fault):
    with pytest.raises(CsvError, match=fault):
        read_csv(io.BytesIO(body.encode()))


def test_not_utf8_names_the_line():
    with pytest.raises(CsvError, match="line 2: not UTF-8"):
        read_csv(io.BytesIO(HEADER.encode() + b"1,10,\xff\xfe,,,x,1,\n"))


def test_binary_file_is_refused():
    with pytest.raises(CsvError, match="NUL byte"):
        read_csv(io.BytesIO(b"1,2,3\x00\x00\x01binary"))


def test_missing_file_is_a_csv_error(tmp_path):
    with pytest.raises(CsvError, match="cannot read"):
        read_csv(tmp_path / "absent.csv")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_messages_or_a_csv_error(data):
    try:
        messages = read_csv(io.BytesIO(data))
    except CsvError as exc:
        assert str(exc)
    else:
        assert all(isinstance(m, Message) for m in messages)
