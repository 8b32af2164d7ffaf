"""Feed generator: a feed made by a service outside this server, chosen by its URL.

Subscribing is pinning this feed with the generator's URL as the choice
(``generator:<url>``). The generator is asked for post ids only
(``timelines.generator_client``; it learns nothing about the reader), and this
server decides what may be shown:

* an id is looked up among the posts this server already has, by its ActivityPub
  id or by this server's own post URL; nothing is fetched on a generator's behalf,
  and an id it does not know is dropped, so a generator cannot inject a post;
* only public and unlisted original posts, not removed nor held, are kept: even a
  followers-only post the reader could see elsewhere is never surfaced by a third
  party's feed (the generator would learn nothing, but its order would be a lens on
  private conversations);
* the rest goes through the same hydration as every feed (``feeds.hydrate``): the
  visibility rule, the reader's blocks and mutes, moderators' demotions.

Reasons a generator gives are shown as its claims, never as this server's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.utils.translation import gettext_noop

from rostra.accounts.models import Account
from rostra.core import links
from rostra.posts.models import Post, Visibility
from rostra.timelines import generator_client as client
from rostra.timelines.errors import TimelineError
from rostra.timelines.feeds.base import (
    Feed,
    FeedError,
    Inputs,
    Parameter,
    Ranked,
    Row,
    epoch,
    hours_ago,
    register,
)
from rostra.timelines.feeds.sources import originals
from rostra.timelines.models import PinnedFeed
from rostra.timelines.pagination import Page

SHOWN = (Visibility.PUBLIC, Visibility.UNLISTED)


class GeneratorUnavailable(FeedError, TimelineError):
    """The generator could not give a page (unreachable, slow, too large, malformed):
    the reader sees the message instead of posts. A ``TimelineError`` too, so the
    API answers it as an honest 422 rather than a server error."""

    def __init__(self, message: str):
        super().__init__(message, "feed")


@dataclass(frozen=True)
class GeneratorRow(Row):
    """A candidate as the generator placed it: its place and its claimed reason."""

    position: int = 0
    claimed: str = ""


@register
class Generator(Feed):
    id = "generator"
    name = gettext_noop("Feed generator")
    version = 1
    changelog = ((1, "2026-11-22", gettext_noop("First version: feeds made by services you "
                                                "choose.")),)
    description = (gettext_noop("A feed made by a service outside this server, which you "
                                "subscribe to by its address. The service only names posts, in "
                                "its own order; it is never told who reads. This server shows, in "
                                "that order, only the named posts it already has that are public "
                                "or unlisted and that you may see: never followers-only or direct "
                                "posts, never removed ones, never your blocked or muted accounts. "
                                "Posts it does not have are left out. The reasons the service "
                                "gives are its own claims."))
    parameters = (
        Parameter("max_items", client.MAX_ITEMS, gettext_noop("At most this many posts per "
                                                              "answer.")),
        Parameter("max_kilobytes", client.MAX_KILOBYTES, gettext_noop("An answer larger than this "
                                                                      "many kilobytes is "
                                                                      "refused.")),
        Parameter("timeout_seconds", client.TIMEOUT_SECONDS, gettext_noop("A service that takes "
                                                                          "longer than this many "
                                                                          "seconds is given up "
                                                                          "on.")),
    )
    factors = {"position": gettext_noop("Place in the service's answer"),
               "claimed": gettext_noop("Reason the service gives (its claim, not checked by this "
                                       "server)"),
               "generator": gettext_noop("Made by the service at"),
               "hours_ago": gettext_noop("Posted (hours ago)")}
    paged_by_id = True  # the generator pages itself: gather returns exactly one page
    takes_choice = True

    def check_choice(self, viewer: Account, choice: str) -> str:
        try:
            return client.normalise_url(choice)
        except client.GeneratorError as exc:
            raise FeedError(str(exc), "choice") from None

    def title_for(self, viewer: Account, choice: str) -> str:
        return client.label(choice)

    def gather(self, viewer: Account, choice: str, now: datetime, page: Page) -> Inputs:
        url = self.check_choice(viewer, choice)
        if not PinnedFeed.objects.filter(account=viewer, feed=self.id, choice=url).exists():
            raise FeedError("Subscribe to this feed generator first (Settings, Feeds): "
                            "its address is checked then", "choice")
        context = {"generator": url}
        cursor = ""
        if page.max_id is not None:
            cursor = client.cursor_after(url, page.max_id)
            if cursor is None:
                raise GeneratorUnavailable(f"{client.label(url)}: that page is no longer "
                                           "known here; start again from the top.")
            if not cursor:  # the generator said there was nothing after it
                return Inputs(now=epoch(now), choice=url, context=context)
        try:
            skeleton = client.fetch_skeleton(url, page.limit, cursor)
        except client.GeneratorError as exc:
            raise GeneratorUnavailable(f"{client.label(url)}: {exc}.") from None
        rows = resolve(skeleton.items)
        if rows:
            client.remember_cursor(url, rows[-1].post_id, skeleton.cursor)
        newer_than = page.since_id or page.min_id
        if page.max_id is None and newer_than:  # an app asking what is new: what ranks above
            at = next((i for i, r in enumerate(rows) if r.post_id == newer_than), None)
            rows = rows[:at] if at is not None else rows
        return Inputs(now=epoch(now), choice=url, rows=tuple(rows), context=context)

    def rank(self, viewer: Account, inputs: Inputs) -> list[Ranked]:
        ranked = []
        for r in sorted(inputs.rows, key=lambda r: r.position):
            reasons = {"position": r.position, "generator": inputs.context["generator"]}
            if r.claimed:
                reasons["claimed"] = r.claimed
            reasons["hours_ago"] = hours_ago(inputs, r)
            ranked.append(Ranked(r.post_id, r.author_id, float(-r.position), reasons))
        return ranked


def local_post_ref(uri: str) -> tuple[str, int] | None:
    """(username, id) of this server's post named by ``uri`` (its ActivityPub id or
    its web page), or None when ``uri`` is not one of this server's post addresses."""
    here = urlsplit(links.absolute_url("/"))
    parts = urlsplit(uri)
    if parts.netloc.lower() != here.netloc.lower() or parts.query or parts.fragment:
        return None
    return links.post_path_ref(parts.path)


def resolve(items: tuple[client.Item, ...]) -> list[GeneratorRow]:
    """The generator's items that name posts this server has and a third-party feed
    may show, in the generator's order (first place kept for a repeated post)."""
    local = {item.post: local_post_ref(item.post) for item in items}
    remote = [uri for uri, ref in local.items() if ref is None]
    local_ids = [ref[1] for ref in local.values() if ref is not None and ref[1] < 2**63]
    qs = originals(Post.objects.filter(visibility__in=SHOWN, removed_at__isnull=True, held=""))
    fields = ("id", "account_id", "published", "replies_count", "reblogs_count",
              "favourites_count", "uri", "account__username")
    found: dict[str, tuple] = {}
    if remote:  # two queries, each on its index (uri; primary key), rather than one OR
        for row in qs.filter(uri__in=remote).exclude(account__domain="").values_list(*fields):
            found[row[6]] = row
    if local_ids:
        for row in qs.filter(id__in=local_ids, account__domain="").values_list(*fields):
            found[f"{row[7].lower()}/{row[0]}"] = row
    rows, seen = [], set()
    for place, item in enumerate(items, start=1):
        ref = local[item.post]
        row = found.get(f"{ref[0].lower()}/{ref[1]}" if ref is not None else item.post)
        if row is None or row[0] in seen:
            continue
        seen.add(row[0])
        rows.append(GeneratorRow(row[0], row[1], epoch(row[2]), row[3], row[4], row[5],
                                 position=place, claimed=item.reason))
    return rows


def subscribe(viewer: Account, url: str):
    """Pin the generator at ``url`` beside home, after checking its address is public.
    Returns the pinned ``Choice``; raises ``FeedError`` with a message to show."""
    from rostra.timelines.feeds import services  # services imports the feed registry

    try:
        url = client.check_reachable(url)
    except client.GeneratorError as exc:
        raise FeedError(str(exc), "choice") from None
    return services.pin(viewer, services.key_of(Generator.id, url))


def has_more(choice: str, last_post_id: int) -> bool:
    """Whether the generator offered a page after ``last_post_id``."""
    return bool(client.cursor_after(choice, last_post_id))


def self_description(choice: str) -> client.Description | None:
    """What the generator says about itself, for its page (cached; None if silent)."""
    return client.describe(choice)
