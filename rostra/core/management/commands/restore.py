"""``rostra restore PATH``: put a ``rostra backup`` archive back, after checking it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rostra.core.backup import BackupError, restore_backup, verify_backup


class Command(BaseCommand):
    help = ("Restore a backup made by `rostra backup`: the archive is checked against its "
            "manifest first; a database that holds accounts is replaced only with --force. "
            "Stop the server and workers first, and start them again afterwards.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="The archive to restore")
        parser.add_argument("--force", action="store_true",
                            help="Replace a database that already holds accounts")
        parser.add_argument("--check", action="store_true",
                            help="Only verify the archive against its manifest")

    def handle(self, *args, path: Path, force: bool, check: bool, **options) -> None:
        try:
            manifest = verify_backup(path) if check else restore_backup(path, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        done = "is sound" if check else "was restored"
        self.stdout.write(f"The backup of {manifest['created']} ({manifest['database']['vendor']}"
                          f", {len(manifest['members'])} files) {done}.")
