"""A partner's STIX 2.1 bundle in, as a watch list out: its indicators on domains,
URLs and accounts become ``Indicator`` rows that ``watchlists`` matches posts against.

Outside data, so every check comes before anything is written: size, JSON, nesting,
the bundle's shape, stix2-validator, then each indicator's pattern. Any failure is a
``StixImportError`` saying what is wrong, and nothing is created. Importing the same
bundle again (same producer, same bundle id) updates its source in place: indicators
are keyed by value, refreshed from their STIX ids, and the ones the bundle no longer
carries expire (their past matches stay, as evidence).

Patterns understood: one or more observations joined by ``OR``, each comparing
``url:value``, ``domain-name:value``, ``user-account:user_id`` or
``user-account:account_login`` with ``=`` or ``IN (...)``, joined by ``OR``. A
pattern only on other objects (files, IP addresses) is skipped and counted; any
other form on those objects is refused, since matching part of it would be wrong.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from stix2patterns.pattern import Pattern

from rostra.integrity import watchlists
from rostra.integrity.models import Indicator, WatchSource
from rostra.integrity.stix_export import TLP_EXTENSION, TLP_LEVELS, TLP_MARKINGS

MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 32  # STIX bundles are shallow; deeper is hostile or broken
# stix2-validator takes about 30 ms an object (JSON-schema references, pattern
# grammar): 2,000 objects is about a minute, the most a page should wait.
MAX_OBJECTS = 2_000
MAX_ERRORS_SHOWN = 5

_TLP_BY_ID = {marking: level for level, marking in TLP_MARKINGS.items()} | {
    # TLP 1.0, as STIX 2.1 defines it (white is clear in TLP 2.0)
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}
_PATHS = {
    ("url", "value"): (Indicator.Kind.URL, watchlists.normalise_url),
    ("domain-name", "value"): (Indicator.Kind.DOMAIN, watchlists.normalise_domain),
    ("user-account", "user_id"): (Indicator.Kind.ACCOUNT, watchlists.normalise_account),
    ("user-account", "account_login"): (Indicator.Kind.ACCOUNT, watchlists.normalise_account),
}
_OUR_TYPES = {object_type for object_type, _ in _PATHS}
_TOKEN = re.compile(r"""\s*(?:(?P<str>'(?:[^'\\]|\\.)*')|(?P<punct>[\[\](),=])"""
                    r"""|(?P<path>[a-z0-9-]+:[a-z_]+)(?![\w.\[])|(?P<word>[A-Za-z]+))""")


class StixImportError(ValueError):
    """The bundle was refused; the message says why. Nothing was created."""


@dataclass
class ImportReport:
    """What an import did, for the page and the command to say."""

    created: int = 0
    updated: int = 0
    expired: int = 0
    skipped: int = 0  # indicators on other objects, or another pattern language
    unmatchable: int = 0  # values we cannot match here (e.g. another network's ids)
    matches: int = 0
    notes: list[str] = field(default_factory=list)


# -- patterns ----------------------------------------------------------------------

def _unescape(literal: str, where: str) -> str:
    out, chars, i = [], literal[1:-1], 0
    while i < len(chars):
        if chars[i] == "\\":
            if i + 1 >= len(chars) or chars[i + 1] not in "\\'":
                raise StixImportError(f"{where}: bad escape in a string of its pattern.")
            i += 1
        out.append(chars[i])
        i += 1
    return "".join(out)


def _tokens(pattern: str, where: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(pattern):
        if not pattern[pos:].strip():
            break
        found = _TOKEN.match(pattern, pos)
        if found is None:
            raise StixImportError(f"{where}: unsupported pattern near {pattern[pos:pos + 40]!r} "
                                  "(only url, domain-name and user-account comparisons).")
        kind = found.lastgroup or ""
        tokens.append((kind, found.group(kind)))
        pos = found.end()
    return tokens


def parse_pattern(pattern: str, where: str = "indicator") -> list[tuple[str, str]] | None:
    """[(path, raw value), ...] of a pattern we can match, None when it names none of
    the objects we watch, and ``StixImportError`` for any other form on them."""
    try:
        types = set(Pattern(pattern).inspect().comparisons)
    except Exception as error:  # the library's own parse errors have no common base
        raise StixImportError(f"{where}: its pattern does not parse ({error}).") from None
    if not types & _OUR_TYPES:
        return None
    unsupported = (f"{where}: unsupported pattern {pattern[:200]!r}: only '=' or 'IN' "
                   "comparisons on url:value, domain-name:value, user-account:user_id or "
                   "user-account:account_login, joined by OR, with no qualifiers.")
    tokens, values, i = _tokens(pattern, where), [], 0

    def take(kind: str, text: str | None = None) -> str:
        nonlocal i
        if i >= len(tokens) or tokens[i][0] != kind or (text and tokens[i][1] != text):
            raise StixImportError(unsupported)
        i += 1
        return tokens[i - 1][1]

    while True:
        take("punct", "[")
        while True:
            object_type, _, prop = take("path").partition(":")
            if (object_type, prop) not in _PATHS:
                raise StixImportError(unsupported)
            if i < len(tokens) and tokens[i] == ("word", "IN"):
                i += 1
                take("punct", "(")
                values.append((f"{object_type}:{prop}", _unescape(take("str"), where)))
                while i < len(tokens) and tokens[i] == ("punct", ","):
                    i += 1
                    values.append((f"{object_type}:{prop}", _unescape(take("str"), where)))
                take("punct", ")")
            else:
                take("punct", "=")
                values.append((f"{object_type}:{prop}", _unescape(take("str"), where)))
            if i < len(tokens) and tokens[i] == ("word", "OR"):
                i += 1
                continue
            break
        take("punct", "]")
        if i == len(tokens):
            return values
        take("word", "OR")


# -- the bundle ----------------------------------------------------------------------

def _depth(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            return depth
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


def read_bundle(data: bytes) -> dict:
    """The bundle as a dict, after the checks on size, JSON, nesting, shape and the
    STIX 2.1 validator; ``StixImportError`` otherwise."""
    if not isinstance(data, bytes | bytearray):
        raise StixImportError("Give the bundle's bytes.")
    if len(data) > MAX_BYTES:
        raise StixImportError(f"The file is {len(data):,} bytes; the limit is {MAX_BYTES:,}.")
    try:
        doc = json.loads(bytes(data).decode("utf-8-sig"),
                         parse_constant=lambda name: _refuse(f"{name} is not JSON"))
    except UnicodeDecodeError:
        raise StixImportError("The file is not UTF-8 text.") from None
    except RecursionError:
        raise StixImportError(f"The JSON is nested deeper than {MAX_DEPTH} levels.") from None
    except ValueError as error:
        raise StixImportError(f"The file is not JSON: {error}.") from None
    if _depth(doc) > MAX_DEPTH:
        raise StixImportError(f"The JSON is nested deeper than {MAX_DEPTH} levels.")
    if not isinstance(doc, dict) or doc.get("type") != "bundle":
        raise StixImportError('Not a STIX bundle: the top object needs "type": "bundle".')
    objects = doc.get("objects")
    if not isinstance(objects, list) or not objects:
        raise StixImportError('The bundle has no "objects" list.')
    if len(objects) > MAX_OBJECTS:
        raise StixImportError(f"The bundle has {len(objects):,} objects; the limit is "
                              f"{MAX_OBJECTS:,}.")
    if not all(isinstance(o, dict) and isinstance(o.get("type"), str)
               and isinstance(o.get("id"), str) for o in objects):
        raise StixImportError('Every object of the bundle needs a "type" and an "id".')
    try:
        results = _validator().validate_instance(doc, _validator().ValidationOptions(version="2.1"))
    except Exception as error:  # the validator raises its own and schema errors alike
        raise StixImportError(f"The bundle is not valid STIX 2.1: {error}.") from None
    if not results.is_valid:
        errors = [getattr(e, "message", str(e)) for e in results.errors]
        extra = len(errors) - MAX_ERRORS_SHOWN
        more = f" (and {extra} more)" if extra > 0 else ""
        raise StixImportError("The bundle is not valid STIX 2.1: "
                              + "; ".join(errors[:MAX_ERRORS_SHOWN]) + more + ".")
    return doc


def _refuse(message: str):
    raise ValueError(message)


def _tlp(objects: list[dict]) -> str:
    levels = dict(_TLP_BY_ID)
    for obj in objects:
        if obj["type"] != "marking-definition":
            continue
        tlp2 = (obj.get("extensions") or {}).get(TLP_EXTENSION) or {}
        level = tlp2.get("tlp_2_0") or ((obj.get("definition") or {}).get("tlp")
                                        if obj.get("definition_type") == "tlp" else None)
        if isinstance(level, str):
            levels[obj["id"]] = "clear" if level.lower() == "white" else level.lower()
    used = {levels.get(ref) for obj in objects for ref in obj.get("object_marking_refs") or []}
    used &= set(TLP_LEVELS)
    return max(used, key=TLP_LEVELS.index) if used else ""


def _when(value) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


@dataclass
class _Row:
    kind: str
    value: str
    stix_id: str
    name: str
    pattern: str
    valid_from: datetime | None
    valid_until: datetime | None


def _rows(objects: list[dict], report: ImportReport) -> list[_Row]:
    rows: dict[tuple[str, str], _Row] = {}
    for obj in objects:
        if obj["type"] != "indicator":
            continue
        where = f"Indicator {obj['id']}"
        if obj.get("pattern_type") != "stix":
            report.skipped += 1
            continue
        parsed = parse_pattern(obj.get("pattern", ""), where)
        if parsed is None:
            report.skipped += 1
            continue
        until = _when(obj.get("valid_until"))
        if obj.get("revoked") is True:
            until = timezone.now()
        for path, raw in parsed:
            kind, normalise = _PATHS[tuple(path.split(":"))]
            value = normalise(raw)
            if value is None:
                report.unmatchable += 1
                continue
            rows[(kind, value)] = _Row(kind, value, obj["id"], str(obj.get("name") or "")[:300],
                                       obj["pattern"], _when(obj.get("valid_from")), until)
    return list(rows.values())


def import_bundle(data: bytes, *, by) -> WatchSource:
    """Import a partner's bundle as a watch list and scan recent posts for it;
    ``source.report`` (an ``ImportReport``) says what happened. Raises
    ``StixImportError`` before writing anything when the bundle is refused."""
    doc = read_bundle(data)
    objects = doc["objects"]
    report = ImportReport()
    rows = _rows(objects, report)
    if not rows:
        raise StixImportError("The bundle has no indicator this server can watch for "
                              "(patterns on url, domain-name or user-account objects).")
    identities = {o["id"]: o for o in objects if o["type"] == "identity"}
    producers = [o.get("created_by_ref") for o in objects
                 if o["type"] == "indicator" and o.get("created_by_ref") in identities]
    identity_id = producers[0] if producers else next(iter(identities), "")
    name = str((identities.get(identity_id) or {}).get("name") or "Unnamed partner")[:200]
    tlp = _tlp(objects)
    with transaction.atomic():
        source = WatchSource.objects.filter(identity_id=identity_id, bundle_id=doc["id"]).first()
        if source is None:
            source = WatchSource.objects.create(name=name, identity_id=identity_id,
                                                bundle_id=doc["id"], tlp=tlp, imported_by=by)
        else:
            WatchSource.objects.filter(pk=source.pk).update(
                name=name, tlp=tlp, imported_by=by, imported_at=timezone.now())
            source.refresh_from_db()
        existing = {(i.kind, i.value): i for i in source.indicators.all()}
        for row in rows:
            fields = {"stix_id": row.stix_id, "name": row.name, "pattern": row.pattern,
                      "valid_from": row.valid_from, "valid_until": row.valid_until}
            old = existing.pop((row.kind, row.value), None)
            if old is None:
                Indicator.objects.create(source=source, kind=row.kind, value=row.value, **fields)
                report.created += 1
            else:
                Indicator.objects.filter(pk=old.pk).update(**fields)
                report.updated += 1
        now = timezone.now()
        gone = [i.pk for i in existing.values() if i.valid_until is None or i.valid_until > now]
        report.expired = Indicator.objects.filter(pk__in=gone).update(valid_until=now)
        from rostra.moderation.services import audit

        audit(by if getattr(by, "pk", None) else None, "watchlist.imported", None,
              source=source.pk, name=name, bundle=doc["id"], tlp=tlp,
              created=report.created, updated=report.updated, expired=report.expired)
    report.matches = len(watchlists.match_existing(source))
    source.report = report
    return source


def _validator():
    """stix2-validator, imported on first use: loading it (and its JSON schemas and
    format checkers) takes seconds, which no page that merely links here should pay."""
    import stix2validator

    return stix2validator
