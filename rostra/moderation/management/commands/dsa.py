"""``rostra dsa export-statements`` and ``rostra dsa transparency-report``: the CLI
door of the EU Digital Services Act duties (statements of reasons for the
Transparency Database, Art. 24(5); the transparency report, Art. 15 and 24)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rostra.moderation import transparency_db


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"{option}: {value!r} is not a date; write it as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = ("EU DSA: export-statements (statements of reasons as the DSA Transparency "
            "Database takes them, JSON Lines; --send posts them) and transparency-report.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        export = actions.add_parser(
            "export-statements", help="statements of the decisions taken in a period")
        export.add_argument("--since", required=True, help="first day (YYYY-MM-DD)")
        export.add_argument("--until", help="last day, included (YYYY-MM-DD; default: today)")
        export.add_argument("--output", help="write JSON Lines to this file (default: stdout)")
        export.add_argument("--send", action="store_true",
                            help="post the statements not yet sent to ROSTRA_DSA_ENDPOINT")
        report = actions.add_parser("transparency-report", help="write the transparency report")
        report.add_argument("--from", dest="start", required=True, help="first day (YYYY-MM-DD)")
        report.add_argument("--to", dest="end", required=True, help="last day (YYYY-MM-DD)")
        report.add_argument("--output", required=True, help="folder to write the report to")

    def handle(self, *args, **opts):
        if opts["action"] == "export-statements":
            self._export(opts)
        else:
            self._report(opts)

    def _export(self, opts) -> None:
        since, until = _day(opts["since"], "--since"), _day(opts["until"], "--until")
        if until is not None and until < since:
            raise CommandError("--until is before --since.")
        endpoint, token = settings.ROSTRA_DSA_ENDPOINT, settings.ROSTRA_DSA_TOKEN
        if opts["send"] and not (endpoint and token):
            raise CommandError("Sending needs the Transparency Database's address and this "
                               "platform's token: set ROSTRA_DSA_ENDPOINT and ROSTRA_DSA_TOKEN.")
        statements = transparency_db.export(since, until, unsent=opts["send"])
        if opts["send"]:
            statements = list(statements)
        if opts["output"] or not opts["send"]:
            count = self._write(statements, opts["output"])
            if opts["output"]:
                self.stderr.write(f"Wrote {count} statements to {opts['output']}.")
        if opts["send"]:
            self._send(statements, endpoint, token)

    def _write(self, statements, output: str | None) -> int:
        count = 0
        try:
            out = Path(output).open("w", encoding="utf-8") if output else None
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from None
        try:
            for item in statements:
                line = json.dumps(item, ensure_ascii=False)
                if out is None:
                    self.stdout.write(line)
                else:
                    out.write(line + "\n")
                count += 1
        finally:
            if out is not None:
                out.close()
        return count

    def _send(self, statements: list[dict], endpoint: str, token: str) -> None:
        report = transparency_db.send(statements, endpoint, token)
        self.stdout.write(f"Sent {len(report.sent)} statements; {len(report.already_sent)} "
                          f"were already in the Transparency Database.")
        for puid, reasons in report.failed.items():
            self.stderr.write(f"{puid}: {' '.join(reasons)}")
        if report.error:
            raise CommandError(f"{report.error} The rest were not sent; run the command again "
                               "later.")
        if report.failed:
            raise CommandError(f"{len(report.failed)} statements were refused (listed above).")

    def _report(self, opts) -> None:
        start, end = _day(opts["start"], "--from"), _day(opts["end"], "--to")
        if end < start:
            raise CommandError("--to is before --from.")
        from rostra.moderation.transparency_report import write_report

        for path in write_report(start, end, Path(opts["output"])):
            self.stdout.write(str(path))
