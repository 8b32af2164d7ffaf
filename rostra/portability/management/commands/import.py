"""``rostra import x-archive PATH.zip --user USERNAME [...]``: the CLI door of imports."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from rostra.portability.importer import VISIBILITIES, import_x_archive
from rostra.portability.x_archive import ArchiveError


class Command(BaseCommand):
    help = "Import an archive into a local account (x-archive: an X data download zip)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["x-archive"])
        parser.add_argument("path")
        parser.add_argument("--user", required=True, help="local username to import into")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--since", help="first day to import (YYYY-MM-DD)")
        parser.add_argument("--until", help="day after the last one to import (YYYY-MM-DD)")
        parser.add_argument("--skip-replies", action="store_true")
        parser.add_argument("--visibility", choices=VISIBILITIES, default="public")
        parser.add_argument("--profile", action="store_true", help="also import the profile")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **opts):
        user = get_user_model().objects.filter(username__iexact=opts["user"],
                                               account__isnull=False).first()
        if user is None:
            raise CommandError(f"No local user {opts['user']!r}.")
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeRemainingColumn(),
                      disable=opts["json"] or not self.stdout.isatty()) as bar:
            task = bar.add_task("Importing posts", total=None)
            try:
                report = import_x_archive(
                    user, opts["path"], dry_run=opts["dry_run"], since=opts["since"],
                    until=opts["until"], skip_replies=opts["skip_replies"],
                    visibility=opts["visibility"], profile=opts["profile"],
                    progress=lambda done, total: bar.update(task, completed=done, total=total))
            except (ArchiveError, ValueError) as exc:
                raise CommandError(str(exc)) from exc
        data = report.as_dict()
        if opts["json"]:
            self.stdout.write(json.dumps(data, indent=2))
            return
        verb = "Would import" if report.dry_run else "Imported"
        self.stdout.write(f"Archive of @{report.owner}: {report.total} posts, "
                          f"{report.first[:10]} to {report.last[:10]}")
        self.stdout.write(f"{verb}: {report.imported} {data['imported_by_kind']}")
        if report.already_imported:
            self.stdout.write(f"Already imported before: {report.already_imported}")
        self.stdout.write(f"Skipped: {data['skipped']}")
        self.stdout.write(f"Media imported: {report.media_imported}; missing: "
                          f"{len(report.missing_media)}; not yet supported (video/GIF): "
                          f"{len(report.unsupported_media)}")
        for item in report.missing_media:
            self.stdout.write(f"  missing {item['file']} (post {item['id']})")
        self.stdout.write(f"Errors: {len(report.errors)}")
        for item in report.errors:
            self.stdout.write(f"  post {item['id']}: {item['error']}")
