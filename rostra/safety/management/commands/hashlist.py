"""``rostra hashlist``: import, list and remove the hash lists the media gate
matches uploads against (the CLI door of ``safety.lists``)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rostra.safety import lists
from rostra.safety.list_formats import FORMATS
from rostra.safety.models import HashList


class Command(BaseCommand):
    help = "Hash lists: import FILE, list, remove --name NAME."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = actions.add_parser("import", help="import a hash list file (idempotent)")
        load.add_argument("file", help="HMA text, CSV or JSON")
        load.add_argument("--name", required=True, help="the list (created when new)")
        load.add_argument("--kind", required=True, choices=HashList.Kind.values)
        load.add_argument("--action", dest="list_action", required=True,
                          choices=HashList.Action.values)
        load.add_argument("--format", dest="fmt", choices=FORMATS,
                          help="default: from the file's name or contents")
        load.add_argument("--description", default="")
        actions.add_parser("list", help="the lists, with their entry counts")
        remove = actions.add_parser("remove", help="delete a list and its entries")
        remove.add_argument("--name", required=True)

    def handle(self, *args, **opts):
        getattr(self, f"_{opts['action']}")(opts)

    def _import(self, opts) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            report = lists.import_list(path, name=opts["name"], kind=opts["kind"],
                                       action=opts["list_action"], fmt=opts["fmt"],
                                       description=opts["description"])
        except lists.HashListError as exc:
            raise CommandError(str(exc)) from None
        for message in report.errors:
            self.stderr.write(message)
        if report.error_count > len(report.errors):
            self.stderr.write(f"... and {report.error_count - len(report.errors):,} more")
        self.stdout.write(report.summary())
        if not report.complete:
            raise CommandError("The import stopped early; fix the file and run it again "
                               "(what was imported stays, nothing is added twice).")

    def _list(self, opts) -> None:
        rows = lists.summaries()
        if not rows:
            self.stdout.write("No hash lists.")
            return
        self.stdout.write(f"{'name':<24} {'kind':<6} {'action':<6} {'source':<7} "
                          f"{'on':<3} {'pdq':>10} {'md5':>10} {'sha256':>10}  updated")
        for row in rows:
            counts = row["counts"]
            self.stdout.write(
                f"{row['name'][:24]:<24} {row['kind']:<6} {row['action']:<6} "
                f"{row['source']:<7} {'yes' if row['enabled'] else 'no':<3} "
                f"{counts.get('pdq', 0):>10,} {counts.get('md5', 0):>10,} "
                f"{counts.get('sha256', 0):>10,}  {row['updated_at']:%Y-%m-%d %H:%M}")

    def _remove(self, opts) -> None:
        hash_list = HashList.objects.filter(name=opts["name"]).first()
        if hash_list is None:
            raise CommandError(f"No hash list named {opts['name']!r}.")
        count = lists.delete_list(hash_list)
        self.stdout.write(f"Removed {hash_list.name} and its {count:,} entries.")
