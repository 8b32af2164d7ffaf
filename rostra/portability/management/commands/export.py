"""``rostra export --user U --output PATH``: the CLI door of exports."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from rostra.portability.export import ExportError, build_export


class Command(BaseCommand):
    help = ("Export a local account (posts of every audience, media, likes, bookmarks, "
            "follows, mutes, blocks, lists, followers and an offline viewer) to a zip.")

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="local username to export")
        parser.add_argument("--output", required=True, help="path of the zip to write")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **opts):
        user = get_user_model().objects.filter(username__iexact=opts["user"],
                                               account__isnull=False).first()
        if user is None:
            raise CommandError(f"No local user {opts['user']!r}.")
        output = Path(opts["output"])
        if output.is_dir():
            output = output / f"rostra-{user.username}.zip"
        shown = [-1]

        def progress(done: int, total: int) -> None:
            percent = int(100 * done / total) if total else 100
            if percent // 10 != shown[0] // 10 and not opts["json"]:
                shown[0] = percent
                self.stderr.write(f"{done}/{total} ({percent}%)")

        try:
            report = build_export(user.account, output, progress=progress)
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=1))
            return
        self.stdout.write(f"Wrote {report.path} ({report.size} bytes)")
        for name, count in report.counts.items():
            self.stdout.write(f"  {name}: {count}")
        for reason, count in report.skipped.items():
            self.stdout.write(f"  left out, {reason}: {count}")
