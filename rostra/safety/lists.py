"""Hash lists as services: import a file, add and remove entries, clear a hash.

The doors (``rostra hashlist``, moderation, feeds) call these; none writes the
models itself. Every change bumps the list's ``updated_at`` and tells this
process's matcher; other processes see it within ``ROSTRA_HASH_INDEX_REFRESH``
seconds (removals and allow-listing at once: the matcher confirms every hit in
the database). New entries are announced with ``events.hashes_added`` after
commit, so stored media are looked at again (an import of more than
``EVENT_MAX`` hashes is announced without them: ``entries=None, added_at=...``).

Imports stream: a file of millions of lines is read a line at a time and written
in batches of ``BATCH`` that skip what the list already holds, so memory stays
bounded, a re-import adds nothing and an interrupted one can simply be run again.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.db.models.constants import OnConflict
from django.utils import timezone

from rostra.safety import events, matching
from rostra.safety.list_formats import FormatError, Problem, check_hash, detect, read
from rostra.safety.models import AllowEntry, HashEntry, HashList

log = logging.getLogger(__name__)

BATCH = 5_000
MAX_REPORTED = 100  # problems kept in a report (all are counted)
EVENT_MAX = 10_000
LOOKUP_CHUNK = 500


class HashListError(ValueError):
    """A hash-list request that cannot be carried out; the message says why."""


@dataclass
class ImportReport:
    hash_list: HashList
    created: bool  # the list did not exist before
    format: str
    read: int = 0  # valid hashes read
    added: int = 0  # new on the list
    errors: list[str] = field(default_factory=list)  # the first MAX_REPORTED problems
    error_count: int = 0
    complete: bool = True  # False: a broken file stopped the reading early

    @property
    def already_listed(self) -> int:
        """Valid hashes the list held already (a re-import), or repeated in the file."""
        return self.read - self.added

    def problem(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(message)

    def summary(self) -> str:
        text = (f"{self.hash_list.name}: {self.read:,} hashes read ({self.format}), "
                f"{self.added:,} added, {self.already_listed:,} already listed, "
                f"{self.error_count:,} rejected")
        return text + ("" if self.complete else "; the file ended the import early")


def _choice(value: str, choices, what: str) -> str:
    if value not in choices.values:
        raise HashListError(f"Unknown {what} {value!r}; use one of {', '.join(choices.values)}.")
    return value


def _bump(hash_list: HashList) -> None:
    hash_list.updated_at = timezone.now()
    HashList.objects.filter(pk=hash_list.pk).update(updated_at=hash_list.updated_at)
    matching.invalidate()


def _list_for_import(name: str, kind: str, action: str, source: str,
                     description: str) -> tuple[HashList, bool]:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise HashListError("A hash list needs a name of 1 to 100 characters.")
    _choice(kind, HashList.Kind, "kind")
    _choice(action, HashList.Action, "action")
    _choice(source, HashList.Source, "source")
    hash_list, created = HashList.objects.get_or_create(
        name=name, defaults={"kind": kind, "action": action, "source": source,
                             "description": description})
    if not created and (hash_list.kind, hash_list.action) != (kind, action):
        raise HashListError(f"The list {name!r} exists with kind {hash_list.kind} and action "
                            f"{hash_list.action}; import with the same, or use another name.")
    return hash_list, created


def create_list(name: str, *, kind: str, action: str, source: str, description: str = "",
                feed_url: str = "") -> HashList:
    """A new, empty list (a feed subscription records its ``feed_url``). Raises
    ``HashListError`` when the name or the feed is taken or a choice is unknown."""
    if HashList.objects.filter(name=(name or "").strip()).exists() or (
            feed_url and HashList.objects.filter(feed_url=feed_url).exists()):
        raise HashListError("A list with this name or this feed exists already.")
    hash_list, _ = _list_for_import(name, kind, action, source, description)
    if feed_url:
        HashList.objects.filter(pk=hash_list.pk).update(feed_url=feed_url)
        hash_list.feed_url = feed_url
    return hash_list


def _open(path_or_text: str | os.PathLike) -> tuple[io.TextIOBase, str]:
    """A text stream of a file (a path) or of the text itself, and a name for it."""
    is_path = isinstance(path_or_text, os.PathLike)
    if not is_path and "\n" not in path_or_text and len(path_or_text) < 4096:
        try:
            is_path = Path(path_or_text).is_file()
        except (OSError, ValueError):  # not a possible path: text
            is_path = False
    if not is_path:
        return io.StringIO(path_or_text), ""
    path = Path(path_or_text)
    try:
        return path.open(encoding="utf-8-sig", newline=""), path.name
    except OSError as exc:
        raise HashListError(f"Cannot read {path}: {exc.strerror}.") from None


def import_list(path_or_text: str | os.PathLike, *, name: str, kind: str, action: str,
                source: str = "import", fmt: str | None = None,
                description: str = "") -> ImportReport:
    """Import a hash list file (a path) or text into the list ``name``, created if
    new; an existing list must have the same kind and action.

    ``fmt``: ``hma``, ``csv`` or ``json`` (see ``list_formats``); guessed from the
    file's name or first characters when None. Invalid hashes are reported with
    their line numbers and not imported. Raises ``HashListError`` when nothing can
    be imported (bad arguments, unreadable file, unknown format).
    """
    stream, label = _open(path_or_text)
    with stream:
        try:
            head = stream.read(4096)
            stream.seek(0)
        except UnicodeDecodeError:
            raise HashListError("The file is not UTF-8 text.") from None
        fmt = (fmt or detect(head, label)).lower()
        try:
            items = read(stream, fmt)
        except FormatError as exc:
            raise HashListError(str(exc)) from None
        hash_list, created = _list_for_import(name, kind, action, source, description)
        report = ImportReport(hash_list, created, fmt)
        before = hash_list.entries.count()
        now = timezone.now()
        _import(items, hash_list, now, report)
    report.added = hash_list.entries.count() - before
    _bump(hash_list)
    if 0 < report.added <= EVENT_MAX:
        added = list(hash_list.entries.filter(added_at=now))
        transaction.on_commit(lambda: events.hashes_added.send(
            HashList, hash_list=hash_list, entries=added))
    elif report.added:  # too many to name: listeners look the entries up by time
        transaction.on_commit(lambda: events.hashes_added.send(
            HashList, hash_list=hash_list, entries=None, added_at=now))
    log.info("hash list import: %s", report.summary())
    return report


def _import(items, hash_list: HashList, now, report: ImportReport) -> None:
    added_at = HashEntry._meta.get_field("added_at").get_db_prep_save(now, connection)
    batch: list[tuple] = []
    line = 0
    try:
        for item in items:
            line = item.line
            if isinstance(item, Problem):
                report.problem(str(item))
                if item.fatal:
                    report.complete = False
                    break
                continue
            report.read += 1
            batch.append((hash_list.pk, item.signal_type, item.value, item.quality, None, "",
                          added_at))
            if len(batch) >= BATCH:
                _insert(batch)
                batch = []
    except UnicodeDecodeError:
        report.problem(f"line {line + 1}: the file is not UTF-8 text")
        report.complete = False
    if batch:
        _insert(batch)


_COLUMNS = ("hash_list_id", "signal_type", "value", "quality", "submission_id", "note",
            "added_at")


def _insert(rows: list[tuple]) -> None:
    """Insert entry rows (``_COLUMNS``), skipping those the list holds already (its
    unique constraint). One ``executemany`` per batch: ``bulk_create`` compiles SQL
    for every row, which made a million-line import take minutes."""
    ops, quote = connection.ops, connection.ops.quote_name
    sql = (f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} "
           f"{quote(HashEntry._meta.db_table)} ({', '.join(map(quote, _COLUMNS))}) "
           f"VALUES ({', '.join(['%s'] * len(_COLUMNS))}) "
           f"{ops.on_conflict_suffix_sql([], OnConflict.IGNORE, [], [])}")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _checked(entries: Iterable) -> dict[tuple[str, str], int | None]:
    """``(signal type, value) -> quality`` of ``(signal_type, value[, quality])``
    items, checked; ``HashListError`` names the first bad one."""
    wanted: dict[tuple[str, str], int | None] = {}
    for n, entry in enumerate(entries, 1):
        try:
            signal, value, quality = check_hash(*entry)
        except (TypeError, ValueError) as exc:
            raise HashListError(f"Entry {n}: {exc}.") from None
        wanted.setdefault((signal, value), quality)
    return wanted


def _present(hash_list: HashList, keys) -> set[tuple[str, str]]:
    keys = list(keys)
    found: set[tuple[str, str]] = set()
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start:start + LOOKUP_CHUNK]
        found |= set(hash_list.entries.filter(value__in={v for _, v in chunk}).values_list(
            "signal_type", "value"))
    return found


def add_entries(hash_list: HashList, entries: Iterable, *, note: str = "",
                submission=None) -> list[HashEntry]:
    """Add ``(signal_type, value[, quality])`` items to ``hash_list``; returns the
    entries created (what it held already is left as it is). Raises
    ``HashListError`` for an invalid item, adding nothing then."""
    wanted = _checked(entries)
    for attempt in range(2):  # the same hash added concurrently: look again once
        try:
            with transaction.atomic():
                present = _present(hash_list, wanted)
                now = timezone.now()
                created = HashEntry.objects.bulk_create(
                    [HashEntry(hash_list=hash_list, signal_type=s, value=v, quality=q,
                               submission=submission, note=note[:200], added_at=now)
                     for (s, v), q in wanted.items() if (s, v) not in present],
                    batch_size=BATCH)
            break
        except IntegrityError:
            if attempt:
                raise
    if created:
        _bump(hash_list)
        transaction.on_commit(lambda: events.hashes_added.send(
            HashList, hash_list=hash_list, entries=created))
    return created


def remove_entries(hash_list: HashList, entries: Iterable) -> int:
    """Remove ``(signal_type, value)`` items from ``hash_list``; returns how many
    were on it. Raises ``HashListError`` for an invalid item."""
    keys = list(_checked(tuple(entry)[:2] for entry in entries))
    removed: list[HashEntry] = []
    with transaction.atomic():
        for start in range(0, len(keys), LOOKUP_CHUNK):
            chunk = keys[start:start + LOOKUP_CHUNK]
            condition = Q()
            for signal, value in chunk:
                condition |= Q(signal_type=signal, value=value)
            found = list(hash_list.entries.filter(condition))
            HashEntry.objects.filter(pk__in=[e.pk for e in found]).delete()
            removed += found
    if removed:
        _bump(hash_list)
        transaction.on_commit(lambda: events.hashes_withdrawn.send(
            HashList, hash_list=hash_list, entries=removed))
    return len(removed)


def allow(signal_type: str, value: str, by=None, reason: str = "") -> AllowEntry:
    """Clear a hash (a false positive): it never matches again, from the next
    match on, in every process. ``by``: the moderator (a ``User``). Idempotent."""
    try:
        signal, value, _ = check_hash(signal_type, value)
    except ValueError as exc:
        raise HashListError(f"{exc}.") from None
    entry, _ = AllowEntry.objects.get_or_create(
        signal_type=signal, value=value,
        defaults={"created_by": by, "reason": (reason or "")[:500]})
    matching.invalidate()
    return entry


def disallow(entry: AllowEntry) -> None:
    """Take a hash off the allow-list: it matches again from the next match on."""
    AllowEntry.objects.filter(pk=entry.pk).delete()
    matching.invalidate()


def set_enabled(hash_list: HashList, enabled: bool) -> None:
    """Switch a list on or off (a disabled list matches nothing, at once)."""
    hash_list.enabled = enabled
    HashList.objects.filter(pk=hash_list.pk).update(enabled=enabled)
    _bump(hash_list)


def delete_list(hash_list: HashList) -> int:
    """Delete a list and its entries; returns how many entries it held."""
    count = 0
    entries = HashEntry.objects.filter(hash_list=hash_list)
    while ids := list(entries.values_list("pk", flat=True)[:BATCH]):  # bounded memory
        count += HashEntry.objects.filter(pk__in=ids).delete()[0]
    hash_list.delete()
    matching.invalidate()
    return count


def summaries() -> list[dict]:
    """Every list with its entry counts per signal type, by name."""
    counts: dict[int, dict[str, int]] = {}
    for list_id, signal, n in (HashEntry.objects.values_list("hash_list_id", "signal_type")
                               .annotate(n=Count("pk")).order_by()):
        counts.setdefault(list_id, {})[signal] = n
    return [{"name": hl.name, "kind": hl.kind, "action": hl.action, "source": hl.source,
             "enabled": hl.enabled, "updated_at": hl.updated_at,
             "counts": counts.get(hl.pk, {})}
            for hl in HashList.objects.order_by("name")]
