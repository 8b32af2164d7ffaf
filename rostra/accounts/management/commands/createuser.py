"""``rostra createuser USERNAME --email E [--admin] [--password-stdin]``."""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from rostra.accounts.errors import AccountError
from rostra.accounts.services import register


class Command(BaseCommand):
    help = "Create a local user (bypassing the registration mode)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument("--admin", action="store_true", help="Staff and superuser.")
        parser.add_argument("--password-stdin", action="store_true",
                            help="Read the password from standard input.")

    def handle(self, *args, username, email, admin, password_stdin, **options):
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        try:
            user = register(username, email, password, admin=admin, bypass_policy=True)
        except AccountError as exc:
            raise CommandError(str(exc)) from exc
        role = " (admin)" if admin else ""
        self.stdout.write(self.style.SUCCESS(f"Created @{user.username}{role}."))
