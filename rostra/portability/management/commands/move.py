"""``rostra move``: the operator's door to account migration (and the
one the multi-server tests drive), over ``portability.move``::

    rostra move alias USERNAME HANDLE     # HANDLE may move to USERNAME
    rostra move unalias USERNAME HANDLE
    rostra move move USERNAME HANDLE      # move USERNAME's followers
    rostra move cancel USERNAME           # cancel the redirect
    rostra move status USERNAME
"""

from django.core.management.base import BaseCommand, CommandError

from rostra.accounts.services import find_account
from rostra.portability import move as moving

ACTIONS = ("alias", "unalias", "move", "cancel", "status")


class Command(BaseCommand):
    help = "Account migration: aliases, moving a local account, cancelling the redirect."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=ACTIONS)
        parser.add_argument("username", help="The local account.")
        parser.add_argument("handle", nargs="?", default="",
                            help="The other account: @name@host or its actor URL.")

    def handle(self, *args, action: str, username: str, handle: str, **options):
        account = find_account(username.lstrip("@"))
        if account is None or not account.local:
            raise CommandError(f"No local account @{username}.")
        if action in ("alias", "unalias", "move") and not handle:
            raise CommandError(f"{action} needs the other account's handle.")
        try:
            message = self._run(action, account, handle)
        except moving.MoveError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(message))

    def _run(self, action: str, account, handle: str) -> str:
        if action == "alias":
            other = moving.add_alias(account, handle)
            return f"@{other.acct} may now move to @{account.acct}."
        if action == "unalias":
            moving.remove_alias(account, handle)
            return f"{handle} is no longer an alias of @{account.acct}."
        if action == "move":
            target = moving.move_account(account, handle)
            return f"@{account.acct} moved to @{target.acct}."
        if action == "cancel":
            moving.cancel_move(account)
            return f"@{account.acct} no longer redirects."
        aliases = ", ".join(account.also_known_as or []) or "none"
        moved = f"moved to @{account.moved_to.acct}" if account.moved_to_id else "not moved"
        return f"@{account.acct}: {moved}; aliases: {aliases}"
