"""``rostra integrity detect [--since DATE]``: one detection run now, over the posts
since the last run (or since DATE), recording incidents as the background task does."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.management.base import CommandError


def add_arguments(parser) -> None:
    parser.add_argument("--since", metavar="DATE",
                        help="read posts published since DATE (YYYY-MM-DD or ISO 8601, UTC "
                             "unless it says otherwise) instead of since the last run")


def parse_since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"--since: {value!r} is not a date (YYYY-MM-DD or ISO 8601)") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if when > datetime.now(UTC):
        raise CommandError("--since: the date is in the future")
    return when


def run(options, out) -> None:
    from rostra.integrity.tasks import run_detection

    result = run_detection(since=parse_since(options.get("since")))
    mode = " (election mode)" if result.election else ""
    out.write(f"Read {result.posts} posts in {result.seconds:.1f} s{mode}: "
              f"{result.clusters} clusters, {len(result.changed())} new or grown incidents.")
    for incident in result.incidents:
        out.write(f"  {incident} [{incident.recorded_as}] strength {incident.strength:.2f}")
