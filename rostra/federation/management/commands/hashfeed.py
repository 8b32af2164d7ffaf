"""``rostra hashfeed``: subscribe to trusted servers' hash feeds, pull them, list
them (the CLI door of ``federation.hash_feeds``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from rostra.federation import hash_feeds
from rostra.safety.models import HashList


class Command(BaseCommand):
    help = "Hash feeds: subscribe URL --name NAME [--action A], pull [--name NAME], list."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        subscribe = actions.add_parser("subscribe", help="subscribe to a server's feed")
        subscribe.add_argument("url", help="e.g. https://peer.example/safety/feeds/"
                                           "ncii-victims.json")
        subscribe.add_argument("--name", required=True, help="the new list's name")
        subscribe.add_argument("--action", dest="list_action", default="block",
                               choices=HashList.Action.values)
        pull = actions.add_parser("pull", help="pull the feeds now")
        pull.add_argument("--name", help="only this list (default: every enabled feed)")
        actions.add_parser("list", help="the subscriptions and the feeds published here")

    def handle(self, *args, **opts):
        getattr(self, f"_{opts['action']}")(opts)

    def _subscribe(self, opts) -> None:
        try:
            hash_list = hash_feeds.subscribe(opts["url"], name=opts["name"],
                                             action=opts["list_action"])
        except hash_feeds.FeedError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Subscribed: {hash_list.name} ({hash_list.kind}, "
                          f"{hash_list.action}), {hash_list.entries.count():,} hashes.")

    def _pull(self, opts) -> None:
        if opts["name"]:
            hash_list = hash_feeds.subscriptions().filter(name=opts["name"]).first()
            if hash_list is None:
                raise CommandError(f"No feed subscription named {opts['name']!r}.")
            reports = [hash_feeds.pull(hash_list)]
        else:
            reports = hash_feeds.pull_all()
        for report in reports:
            (self.stdout if report.ok else self.stderr).write(report.summary())
        if not reports:
            self.stdout.write("No feed subscriptions.")
        if any(not report.ok for report in reports):
            raise CommandError("Some feeds were refused; their lists keep their entries.")

    def _list(self, opts) -> None:
        subscribed = list(hash_feeds.subscriptions().order_by("name"))
        for hash_list in subscribed:
            state = hash_feeds.last_pull(hash_list)
            self.stdout.write(
                f"{hash_list.name}  {hash_list.feed_url}  "
                f"{'on' if hash_list.enabled else 'off'}  {hash_list.entries.count():,} "
                f"hashes  last pull: {state.get('status', 'unknown')}"
                + (f" ({state['error']})" if state.get("error") else ""))
        if not subscribed:
            self.stdout.write("No feed subscriptions.")
        for hash_list in HashList.objects.filter(source=HashList.Source.VICTIMS):
            self.stdout.write(f"Published: {hash_list.name}  {hash_feeds.feed_url(hash_list)}")
