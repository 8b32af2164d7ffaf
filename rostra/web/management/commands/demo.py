"""``rostra demo``: seed demo accounts and posts, once, into an empty database."""

from django.conf import settings
from django.core.management.base import BaseCommand

from rostra.accounts.models import Account
from rostra.web.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Seed a demo (accounts with avatars, posts with an image, replies, follows)."

    def handle(self, *args, **options):
        url = f"{settings.ROSTRA_SCHEME}://{settings.ROSTRA_DOMAIN}/"
        if Account.objects.exists():
            self.stdout.write("The database already has accounts; the demo is not added again.")
        else:
            seed_demo()
            self.stdout.write(self.style.SUCCESS("Demo seeded."))
        self.stdout.write(f"Open {url} and log in as demo / {DEMO_PASSWORD} "
                          "(if the demo was seeded).")
