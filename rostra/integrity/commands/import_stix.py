"""``rostra integrity import-stix FILE``: a partner's STIX 2.1 bundle becomes a watch
list; recent public posts are scanned for it and staff are told of matches."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from rostra.integrity.stix_import import MAX_BYTES, StixImportError, import_bundle


def add_arguments(parser) -> None:
    parser.add_argument("file", metavar="FILE", help="a STIX 2.1 bundle (JSON)")


def run(options: dict, out) -> None:
    path = Path(options["file"])
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"{path} is larger than {MAX_BYTES:,} bytes")
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from None
    try:
        source = import_bundle(data, by=None)
    except StixImportError as error:
        raise CommandError(str(error)) from None
    report = source.report
    out.write(f"Watch list {source.pk} from {source.name} (TLP:{(source.tlp or 'none').upper()}): "
              f"{report.created} indicators new, {report.updated} updated, {report.expired} "
              f"expired, {report.skipped} skipped, {report.unmatchable} not matchable here; "
              f"{report.matches} matches in recent posts.")
