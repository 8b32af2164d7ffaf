"""``rostra import archive PATH --user U`` (a Rostra export, a Mastodon or an X archive,
told apart by ``archive_import.detect``), ``rostra import x-archive|mastodon-archive
PATH --user U`` and ``rostra import csv KIND PATH --user U``: the CLI door of imports.

Follow-up jobs of an archive (bookmarks; a Rostra export's follows, mutes, blocks
and lists) run before the command returns."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from rostra.portability import archive_import, csv_imports
from rostra.portability.archive_files import ArchiveError
from rostra.portability.importer import VISIBILITIES
from rostra.portability.models import ImportJob


class Command(BaseCommand):
    help = ("Import into a local account: archive PATH (a Rostra export, a Mastodon or an "
            "X archive, recognised by what it holds), x-archive PATH.zip (an X data download), "
            "mastodon-archive PATH (a Mastodon archive, .zip or .tar.gz), "
            f"csv KIND PATH (a Mastodon CSV export; KIND: {', '.join(csv_imports.KINDS)}).")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["archive", "x-archive", "mastodon-archive", "csv"])
        parser.add_argument("args", nargs="+", metavar="PATH", help="PATH, or for csv: KIND PATH")
        parser.add_argument("--user", required=True, help="local username to import into")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--since", help="X: first day to import (YYYY-MM-DD)")
        parser.add_argument("--until", help="X: day after the last one to import (YYYY-MM-DD)")
        parser.add_argument("--skip-replies", action="store_true", help="X: skip replies")
        parser.add_argument("--visibility", choices=VISIBILITIES, default="public",
                            help="X: visibility of the imported posts")
        parser.add_argument("--profile", action="store_true", help="also import the profile")
        parser.add_argument("--mode", choices=csv_imports.MODES, default="merge",
                            help="csv: merge with what exists, or overwrite it")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **opts):
        user = get_user_model().objects.filter(username__iexact=opts["user"],
                                               account__isnull=False).first()
        if user is None:
            raise CommandError(f"No local user {opts['user']!r}.")
        kind, rest = opts["kind"], list(args)
        expected = 2 if kind == "csv" else 1
        if len(rest) != expected:
            raise CommandError("usage: rostra import csv KIND PATH --user U" if kind == "csv"
                               else f"usage: rostra import {kind} PATH --user U")
        if kind == "csv":
            return self._csv(user, rest[0], rest[1], opts)
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeRemainingColumn(),
                      disable=opts["json"] or not self.stdout.isatty()) as bar:
            task = bar.add_task("Importing posts", total=None)

            def progress(done, total):
                bar.update(task, completed=done, total=total)

            try:
                found = {"x-archive": "x", "mastodon-archive": "mastodon"}.get(kind) or (
                    archive_import.detect(rest[0]))
                if kind == "archive" and not opts["json"]:
                    self.stdout.write(f"This is {archive_import.KINDS[found]}.")
                report = archive_import.import_archive(
                    user, rest[0], kind=found, dry_run=opts["dry_run"], since=opts["since"],
                    until=opts["until"], skip_replies=opts["skip_replies"],
                    visibility=opts["visibility"], profile=opts["profile"],
                    progress=progress, run_follow_ups=True)
            except (ArchiveError, ValueError) as exc:
                raise CommandError(str(exc)) from exc
        self._print_archive_report(report, opts)

    def _print_archive_report(self, report, opts) -> None:
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
        if "likes" in data:
            self.stdout.write(f"Likes recorded (not re-applied): {data['likes']}; bookmarks: "
                              f"{data['bookmarks']}")
            if data.get("bookmarks_job"):
                self.stdout.write(f"  bookmarks: job #{data['bookmarks_job']}")
        if data.get("relations"):
            self.stdout.write(f"Follows, mutes, blocks and lists: {data['relations']}")
            for kind, job_id in data.get("follow_ups", {}).items():
                self._print_follow_up(kind, job_id)
        if data.get("unresolved"):
            self.stdout.write(f"Not found elsewhere: {len(data['unresolved'])}")
            for item in data["unresolved"]:
                self.stdout.write(f"  {item['id']}: {item['error']}")
        self.stdout.write(f"Errors: {len(report.errors)}")
        for item in report.errors:
            self.stdout.write(f"  post {item['id']}: {item['error']}")

    def _print_follow_up(self, kind: str, job_id: int) -> None:
        job = ImportJob.objects.filter(pk=job_id).first()
        done = (job.report or {}) if job else {}
        self.stdout.write(f"  {kind}: job #{job_id} ({job.status if job else 'gone'}): "
                          f"{done.get('ok', 0)} done, {done.get('failed', 0)} failed, "
                          f"{done.get('waiting', 0)} waiting for a follow to be accepted")
        for row in done.get("rows", []):
            if row["status"] == "error":
                self.stdout.write(f"    row {row['row']} {row['value']}: {row['message']}")

    def _csv(self, user, kind: str, path: str, opts) -> None:
        if kind not in csv_imports.KINDS:
            raise CommandError(f"KIND must be one of {', '.join(csv_imports.KINDS)}.")
        try:
            with open(path, "rb") as f:
                data = f.read(csv_imports.MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        try:
            if opts["dry_run"]:
                rows = csv_imports.parse(kind, data)
                self.stdout.write(f"Would import {len(rows)} rows ({opts['mode']}).")
                return
            job = csv_imports.start(user, kind, data, mode=opts["mode"])
        except csv_imports.CsvImportError as exc:
            raise CommandError(str(exc)) from exc
        report = csv_imports.run(job)
        if opts["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        self.stdout.write(f"Done: {report['ok']} rows, failed: {report['failed']}, "
                          f"removed (overwrite): {report['removed']}")
        for row in report["rows"]:
            if row["status"] != "ok":
                self.stdout.write(f"  row {row['row']} {row['value']}: {row['message']}")
