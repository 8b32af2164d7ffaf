"""``rostra backup --output PATH``: the database, media and secret key in one archive."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rostra.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = ("Write a consistent backup (database, local media, quarantine, secret key) to a "
            "tar archive; gzip-compressed when PATH ends in .gz or .tgz.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", required=True, type=Path,
                            help="Archive to write (must not exist), e.g. rostra.tar.gz")

    def handle(self, *args, output: Path, **options) -> None:
        try:
            manifest = create_backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backup written to {output}: {manifest['database']['vendor']} "
                          f"database, {len(manifest['members'])} files, "
                          f"{manifest['total_bytes']:,} bytes before compression.")
        for tree in ("media", "quarantine"):
            if not manifest[tree]["included"]:
                self.stdout.write(self.style.WARNING(
                    f"{tree.capitalize()} files are in {manifest[tree]['storage']}, not in this "
                    f"archive: back up the bucket with its own tools."))
