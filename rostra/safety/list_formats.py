"""Reading hash-list files: ThreatExchange HMA text, CSV and JSON, streamed.

Each reader turns a text stream into ``Record``s (a checked, normalised hash) and
``Problem``s (a line that could not be read, with its line number), one at a
time, so a file of millions of lines is read in bounded memory:

* ``hma``: ``<signal type> <hash> [quality]`` per line, as ThreatExchange's
  Hasher-Matcher-Actioner writes signals (``pdq <64 hex>``, ``md5 <32 hex>``);
  blank lines and ``#`` comments are skipped.
* ``csv``: a header naming a type column (``signal_type``, ``type``, ``signal``,
  ``hash_type``), a hash column (``hash``, ``value``, ``signal_value``,
  ``hash_value``) and optionally ``quality``; other columns are ignored.
* ``json``: an array of objects with the same keys, or ``{"hashes": [...]}``;
  parsed one object at a time.

A ``Problem`` that ends the reading (broken JSON, a CSV without the columns) has
``fatal`` set. ``FormatError`` is raised for a format that cannot even start.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

FORMATS = ("hma", "csv", "json")
SIGNALS = {"pdq": "pdq", "md5": "md5", "sha256": "sha256", "sha-256": "sha256",
           "video_md5": "md5", "photo_md5": "md5", "photo_pdq": "pdq"}
LENGTHS = {"pdq": 64, "md5": 32, "sha256": 64}
TYPE_KEYS = ("signal_type", "type", "signal", "hash_type")
VALUE_KEYS = ("hash", "value", "signal_value", "hash_value")
QUALITY_KEYS = ("quality", "pdq_quality")
MAX_LINE = 4096  # characters: a longer "line" is not a hash
MAX_JSON_VALUE = 1 << 20  # characters: a longer JSON element is not one hash
_HEX = re.compile(r"[0-9a-f]+")


class FormatError(ValueError):
    """The file is not in a format Rostra reads; the message says why."""


@dataclass(frozen=True)
class Record:
    line: int
    signal_type: str  # pdq, md5 or sha256
    value: str  # lower-case hex
    quality: int | None = None  # PDQ only


@dataclass(frozen=True)
class Problem:
    line: int
    message: str
    fatal: bool = False

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def check_hash(signal_type: str, value: str, quality=None) -> tuple[str, str, int | None]:
    """``(signal type, value, quality)`` normalised; ``ValueError`` with a message."""
    signal = SIGNALS.get(str(signal_type or "").strip().lower())
    if signal is None:
        raise ValueError(f"unknown signal type {str(signal_type)[:40]!r}; "
                         "Rostra matches pdq, md5 and sha256")
    value = str(value or "").strip().lower()
    length = LENGTHS[signal]
    if len(value) != length or not _HEX.fullmatch(value):
        raise ValueError(f"a {signal} hash is {length} hexadecimal digits, "
                         f"not {value[:80]!r}")
    if signal != "pdq" or quality is None or quality == "":
        return signal, value, None
    try:
        number = int(str(quality).strip())
    except ValueError:
        raise ValueError(f"the quality must be a whole number from 0 to 100, "
                         f"not {str(quality)[:20]!r}") from None
    if isinstance(quality, bool) or not 0 <= number <= 100:
        raise ValueError(f"the quality must be a whole number from 0 to 100, not {number}")
    return signal, value, number


def _record(line: int, signal_type, value, quality=None) -> Record | Problem:
    try:
        return Record(line, *check_hash(signal_type, value, quality))
    except ValueError as exc:
        return Problem(line, str(exc))


def detect(head: str, name: str = "") -> str:
    """The format of a file from its name, else from its first characters."""
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix in ("csv", "json"):
        return suffix
    if suffix in ("txt", "hma", "tsv"):
        return "hma"
    text = head.lstrip("\ufeff \t\r\n")
    if text[:1] in ("[", "{"):
        return "json"
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return "csv" if "," in line else "hma"
    return "hma"


def read(stream: TextIO, fmt: str) -> Iterator[Record | Problem]:
    if fmt not in FORMATS:
        raise FormatError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
    return {"hma": read_hma, "csv": read_csv, "json": read_json}[fmt](stream)


def read_hma(stream: TextIO) -> Iterator[Record | Problem]:
    for number, line in enumerate(stream, 1):
        if len(line) > MAX_LINE:
            yield Problem(number, "the line is too long to be a hash")
            continue
        text = line.split(" #", 1)[0].split("\t#", 1)[0].strip().lstrip("\ufeff")
        if not text or text.startswith("#"):
            continue
        fields = text.split()
        if len(fields) not in (2, 3):
            yield Problem(number, "expected '<signal type> <hash> [quality]', "
                                  f"got {text[:80]!r}")
            continue
        yield _record(number, *fields)


def _column(header: list[str], keys: tuple[str, ...]) -> int | None:
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    return next((names.index(k) for k in keys if k in names), None)


def read_csv(stream: TextIO) -> Iterator[Record | Problem]:
    rows = csv.reader(stream)
    try:
        header = next(rows, None)
    except csv.Error as exc:
        yield Problem(1, f"not CSV: {exc}", fatal=True)
        return
    if header is None:
        return
    kind, value, quality = (_column(header, k) for k in (TYPE_KEYS, VALUE_KEYS, QUALITY_KEYS))
    if kind is None or value is None:
        yield Problem(1, "the CSV header needs a signal_type (or type) column and a hash "
                         f"(or value) column; it has {', '.join(header)[:200]!r}", fatal=True)
        return
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Problem(rows.line_num, f"not CSV: {exc}", fatal=True)
            return
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(kind, value):
            yield Problem(rows.line_num, f"expected {len(header)} columns, got {len(row)}")
            continue
        q = row[quality] if quality is not None and quality < len(row) else None
        yield _record(rows.line_num, row[kind], row[value], q)


def _pick(item: dict, keys: tuple[str, ...]):
    lowered = {str(k).lower(): v for k, v in item.items()}
    return next((lowered[k] for k in keys if k in lowered), None)


def read_json(stream: TextIO) -> Iterator[Record | Problem]:
    reader = _JsonArray(stream)
    try:
        for line, item in reader:
            if not isinstance(item, dict):
                yield Problem(line, "expected an object with signal_type and hash")
                continue
            kind, value = _pick(item, TYPE_KEYS), _pick(item, VALUE_KEYS)
            if kind is None or value is None:
                yield Problem(line, "the object needs signal_type (or type) and hash "
                                    "(or value)")
                continue
            yield _record(line, kind, value, _pick(item, QUALITY_KEYS))
    except FormatError as exc:
        yield Problem(reader.line, str(exc), fatal=True)


class _JsonArray:
    """The elements of a JSON array (top level, or under ``"hashes"``) with the line
    each starts on, decoded one at a time from a stream."""

    CHUNK = 1 << 16

    def __init__(self, stream: TextIO):
        self.stream, self.buffer, self.pos, self.line = stream, "", 0, 1
        self.decoder = json.JSONDecoder()
        self.eof = False

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(self.CHUNK)
        if not chunk:
            self.eof = True
            return False
        if self.pos > self.CHUNK:  # drop what was read
            self.buffer, self.pos = self.buffer[self.pos:], 0
        self.buffer += chunk
        return True

    def _advance(self, to: int) -> None:
        self.line += self.buffer.count("\n", self.pos, to)
        self.pos = to

    def _peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in " \t\r\n\ufeff":
                self._advance(self.pos + 1)
            if self.pos < len(self.buffer) or not self._more():
                return self.buffer[self.pos:self.pos + 1]

    def _expect(self, chars: str) -> str:
        char = self._peek()
        if not char or char not in chars:
            found = repr(char) if char else "the end of the file"
            raise FormatError(f"invalid JSON: expected {' or '.join(map(repr, chars))}, "
                              f"found {found}")
        self._advance(self.pos + 1)
        return char

    def _value(self):
        self._peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buffer) - self.pos < MAX_JSON_VALUE and self._more():
                    continue
                raise FormatError(f"invalid JSON: {exc.msg}") from None
            if end == len(self.buffer) and self._more():
                continue  # a number may go on in the next chunk
            self._advance(end)
            return value

    def __iter__(self):
        if self._expect("[{") == "{":
            while True:
                key = self._value()
                self._expect(":")
                if key == "hashes":
                    self._expect("[")
                    break
                self._value()  # another key's value, skipped
                if self._expect(",}") == "}":
                    raise FormatError('invalid hash list: no "hashes" array')
        if self._peek() == "]":
            self._advance(self.pos + 1)
            return
        while True:
            self._peek()
            start = self.line
            yield start, self._value()
            if self._expect(",]") == "]":
                return
