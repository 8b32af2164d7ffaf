"""This server's posts and accounts, as the detectors read them (``Message``,
``AccountInfo``): local and federated alike, in id order (which is time order).

Only public and unlisted posts are ever read: followers-only and direct posts
never reach a detector, so no incident can reveal them. Posts held by the media
gate are skipped until they are clear. A boost is a message whose ``repost_id`` is
the boosted post's id; a reply carries the post it answers as ``reply_id``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from html import unescape

from rostra.accounts.models import Account
from rostra.core.text import extract_urls
from rostra.integrity.detect.records import AccountInfo, Message
from rostra.posts.models import Media, Post, Visibility
from rostra.timelines.trends import post_urls

READABLE = (Visibility.PUBLIC, Visibility.UNLISTED)
BATCH = 5000

_FIELDS = ("id", "account_id", "account__username", "account__domain", "reblog_of_id",
           "in_reply_to_id", "text", "content", "published")


def readable_posts():
    """The posts detectors may read: public or unlisted, not held by the media gate."""
    return Post.objects.filter(visibility__in=READABLE, held="")


def read_messages(after_id: int = 0, *, until_id: int | None = None, limit: int | None = None,
                  batch: int = BATCH) -> Iterator[list[Message]]:
    """Messages for readable posts with ``after_id < id <= until_id``, oldest first,
    in lists of at most ``batch`` (keyset pagination: memory stays flat), at most
    ``limit`` in all."""
    cursor, left = after_id, limit
    while left is None or left > 0:
        size = batch if left is None else min(batch, left)
        query = readable_posts().filter(id__gt=cursor)
        if until_id is not None:
            query = query.filter(id__lte=until_id)
        rows = list(query.order_by("id").values(*_FIELDS)[:size])
        if not rows:
            return
        hashes = _image_hashes([r["id"] for r in rows if r["reblog_of_id"] is None])
        yield [_message(row, hashes.get(row["id"], ())) for row in rows]
        cursor = rows[-1]["id"]
        if left is not None:
            left -= len(rows)
        if len(rows) < size:
            return


def _image_hashes(post_ids: list[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = defaultdict(list)
    for post_id, pdq in (Media.objects.filter(post_id__in=post_ids).exclude(pdq="")
                         .order_by("post_id", "position").values_list("post_id", "pdq")):
        found[post_id].append(pdq)
    return {k: tuple(v) for k, v in found.items()}


def _message(row: dict, image_hashes: tuple[str, ...]) -> Message:
    boost = row["reblog_of_id"] is not None
    username = row["account__username"]
    if row["account__domain"]:
        username = f"{username}@{row['account__domain']}"
    # Links typed in the text, and the anchors of the HTML (a federated post's text
    # is its HTML's visible text, where a link may show without its scheme).
    urls = () if boost else tuple(dict.fromkeys(
        extract_urls(row["text"])
        + [unescape(u) for u in post_urls(Post(text="", content=row["content"]))]))
    return Message(
        message_id=str(row["id"]), user_id=str(row["account_id"]), username=username,
        repost_id=str(row["reblog_of_id"]) if boost else "",
        reply_id=str(row["in_reply_to_id"] or ""), text="" if boost else row["text"],
        timestamp=row["published"].timestamp(), urls=urls, image_hashes=image_hashes)


def account_infos(user_ids: Iterable[str]) -> list[AccountInfo]:
    """What account-level detectors read, for this server's accounts among
    ``user_ids``. Remote accounts are left out: the date we hold for them is when
    this server first saw them, not when they were created, so a burst of
    discovery (a relay, a boosted thread) would look like a burst of creation."""
    ids = sorted({int(i) for i in user_ids if str(i).isascii() and str(i).isdigit()})
    infos = []
    for start in range(0, len(ids), 500):
        for pk, username, created_at in (Account.objects.filter(pk__in=ids[start:start + 500],
                                                                domain="")
                                         .values_list("pk", "username", "created_at")):
            infos.append(AccountInfo(user_id=str(pk), username=username,
                                     created_at=created_at.timestamp()))
    return infos
