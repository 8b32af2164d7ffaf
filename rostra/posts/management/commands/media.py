"""``rostra media remove-orphans``: delete stored files no row names (the CLI door of
``posts.orphans``)."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand

from rostra.posts import orphans


class Command(BaseCommand):
    help = "Media files: remove-orphans [--older-than HOURS] [--dry-run]."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        remove = actions.add_parser(
            "remove-orphans", help="delete files no post, upload or profile refers to "
                                   "(left by a process killed mid-write)")
        remove.add_argument("--older-than", type=float, default=24.0, metavar="HOURS",
                            help="only files at least this old (default 24)")
        remove.add_argument("--dry-run", action="store_true",
                            help="list what would be deleted; delete nothing")

    def handle(self, *args, **opts):
        age = timedelta(hours=max(0.0, opts["older_than"]))
        found = (orphans.find if opts["dry_run"] else orphans.remove)(age)
        for name in found.names:
            self.stdout.write(name)
        verb = "Would delete" if opts["dry_run"] else "Deleted"
        self.stdout.write(f"{verb} {len(found.names):,} orphaned files "
                          f"({found.size / 1e6:.1f} MB).")
