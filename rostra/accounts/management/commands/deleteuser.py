"""``rostra deleteuser USERNAME [--now | --cancel]``: an admin acts on a person's
request to leave (made by e-mail, say), through the same path as the settings page."""

from django.core.management.base import BaseCommand, CommandError

from rostra.accounts import deletion
from rostra.accounts.errors import AccountError
from rostra.accounts.models import Account


class Command(BaseCommand):
    help = ("Delete a local account after the grace period (ROSTRA_ACCOUNT_DELETION_GRACE_"
            "DAYS; the owner is told by e-mail and can cancel), or at once with --now.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--now", action="store_true",
                           help="Delete at once, without a grace period (also a pending one).")
        group.add_argument("--cancel", action="store_true",
                           help="Cancel the pending deletion: the account comes back as it was.")

    def handle(self, *args, username, now, cancel, **options):
        account = Account.objects.filter(username__iexact=username, domain="").first()
        if account is None:
            raise CommandError(f"No local account @{username}.")
        if account.deleted_at:
            raise CommandError(f"@{account.username} is already deleted.")
        try:
            if now:
                deletion.delete_account(account)
                done = "Deleted @{0}; its posts and media are being removed."
            elif cancel:
                deletion.cancel_deletion(account)
                done = "Cancelled the deletion of @{0}."
            else:
                due = deletion.request_deletion(account)
                done = f"@{{0}} is hidden and will be deleted on {deletion.when(due)}."
        except AccountError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(done.format(account.username)))
