"""Reading a dataset in coordination-network-toolkit's CSV column order, so a
partner's export and the benchmark's synthetic world go through the same
detectors as this server's posts."""

from __future__ import annotations

import csv
import io
import math
import os
from typing import IO

from .records import Message

COLUMNS = ("message_id", "user_id", "username", "repost_id", "reply_id", "message",
           "timestamp", "urls")


class CsvError(ValueError):
    """The file is not a usable dataset; the message names the line and the fault."""


def _read_bytes(source: str | os.PathLike | IO) -> str:
    if isinstance(source, (str, os.PathLike)):
        try:
            with open(source, "rb") as handle:
                data: bytes | str = handle.read()
        except OSError as exc:
            raise CsvError(f"cannot read {os.fspath(source)}: {exc.strerror or exc}") from exc
    else:
        try:
            data = source.read()
        except UnicodeDecodeError as exc:
            raise CsvError(f"the file is not UTF-8 text ({exc.reason})") from exc
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CsvError(f"line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x} "
                       f"at offset {exc.start})") from exc


def _is_header(row: list[str]) -> bool:
    return len(row) == len(COLUMNS) and row[6].strip().lower() == "timestamp"


def _timestamp(value: str, line: int) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise CsvError(f"line {line}: timestamp {value[:40]!r} is not a number of "
                       "Unix seconds") from None
    if not math.isfinite(seconds):
        raise CsvError(f"line {line}: timestamp {value[:40]!r} is not a finite number")
    return seconds


def read_csv(source: str | os.PathLike | IO) -> list[Message]:
    """All messages of a CSV file (path or open file, bytes or text).

    Columns: ``message_id,user_id,username,repost_id,reply_id,message,timestamp,
    urls``; the timestamp is Unix seconds, ``urls`` space-separated and may be
    empty; a header row is recognised and skipped. Raises :class:`CsvError` for
    anything else, naming the line, and returns nothing half-read."""
    text = _read_bytes(source)
    nul = text.find("\x00")
    if nul >= 0:
        raise CsvError(f"line {text.count(chr(10), 0, nul) + 1}: contains a NUL byte "
                       "(is this a binary file?)")
    messages: list[Message] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if not messages and _is_header(row):
                continue
            if len(row) != len(COLUMNS):
                raise CsvError(f"line {line}: {len(row)} columns, expected {len(COLUMNS)} "
                               f"({','.join(COLUMNS)})")
            message_id, user_id, username, repost_id, reply_id, body, stamp, urls = row
            if not message_id.strip():
                raise CsvError(f"line {line}: empty message_id")
            if not user_id.strip():
                raise CsvError(f"line {line}: empty user_id")
            messages.append(Message(
                message_id.strip(), user_id.strip(), username.strip(), repost_id.strip(),
                reply_id.strip(), body, _timestamp(stamp.strip(), line), tuple(urls.split())))
    except csv.Error as exc:
        reason = str(exc)
        if "NUL" in reason:
            reason = "contains a NUL byte (is this a binary file?)"
        raise CsvError(f"line {reader.line_num or line}: {reason}") from None
    return messages
