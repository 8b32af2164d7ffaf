"""``rostra feeds replay LOG_ID`` and ``rostra feeds purge-audit``: the auditor's
check of a logged ranking, and the audit's retention limit by hand."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from rostra.timelines.feeds.audit_log import ReplayError, replay
from rostra.timelines.tasks import purge_audit, retention_days


class Command(BaseCommand):
    help = ("Feeds: replay LOG_ID re-runs a logged ranking from its inputs and compares "
            "its hash; purge-audit deletes audit records past the retention limit.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        again = actions.add_parser("replay", help="re-run a logged ranking, compare hashes")
        again.add_argument("log_id", help="the replay log's id (on /about/feeds/audit)")
        actions.add_parser("purge-audit", help="delete audit records past the retention limit")

    def handle(self, *args, action: str, **options):
        if action == "purge-audit":
            counts, logs = purge_audit()
            self.stdout.write(f"Deleted {counts} daily counts and {logs} replay logs older "
                              f"than {retention_days()} days.")
            return
        raw = str(options["log_id"]).strip()
        if not raw.isdigit():
            raise CommandError(f"{raw!r} is not a log id; give the number of a replay log.")
        try:
            result = replay(int(raw))
        except ReplayError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"log {result.log_id}: {result.feed} version {result.version}")
        self.stdout.write(f"logged hash   {result.logged_hash}")
        self.stdout.write(f"replayed hash {result.replayed_hash}")
        if not result.inputs_intact:
            raise CommandError("MISMATCH: the logged inputs do not match their hash "
                               "(the log was altered).")
        if not result.matches:
            raise CommandError("MISMATCH: the ranking replayed from the logged inputs differs.")
        self.stdout.write("OK: the replayed ranking has the logged hash.")
