"""Inserting posts: the one insertion path, for one post or a batch.

``services.create_post`` and ``services.create_remote_post`` insert a batch of one;
an archive import inserts a few hundred at a time. Either way the same rows are
written in the same way (post, mentions, tags, poll, counters, search index), with
a constant number of queries per batch rather than per post: an import of 100,000
posts is then bounded by rendering and inserting, not by round trips.

Validation, permission checks and events stay with the callers (``services``), which
run them per post before and after ``insert_posts``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F

from rostra.accounts.models import Account
from rostra.accounts.services import account_finder
from rostra.core import text as text_mod
from rostra.core.ids import make_id
from rostra.posts import search
from rostra.posts.language import detect as detect_language
from rostra.posts.models import Mention, Poll, Post, PostTag, Tag


@dataclass
class Draft:
    """A post ready to insert (validated and rendered by the caller).

    ``mention_accounts`` / ``tag_names`` given: as a remote server stated them;
    None: parsed from ``text`` (local posts). ``in_reply_to`` may be an earlier
    draft of the same batch (a thread imported at once)."""

    text: str
    content: str
    visibility: str
    published: datetime
    source: str
    spoiler_text: str = ""
    sensitive: bool = False
    language: str = ""
    in_reply_to: Post | Draft | None = None
    poll_options: Sequence[str] = ()
    poll_expires_in: timedelta | None = None
    poll_multiple: bool = False
    poll_hide_totals: bool = False
    quiet: bool = False
    uri: str = ""
    origin_url: str = ""
    mention_accounts: Sequence[Account] | None = None
    tag_names: Sequence[str] | None = None
    held: str = ""  # the media gate holds it (see Post.held)


def insert_posts(author: Account, drafts: Sequence[Draft], find=None) -> list[Post]:
    """Insert ``drafts`` by ``author`` in one go (inside the caller's transaction) and
    return the posts, in the same order. ``find(username, domain)`` looks mentioned
    accounts up (default: ``accounts.services.account_finder()``). An id collision
    raises ``IntegrityError`` (the caller retries: ids are drawn anew)."""
    built: dict[int, Post] = {}
    posts = []
    for draft in drafts:
        parent = draft.in_reply_to
        if isinstance(parent, Draft):
            parent = built[id(parent)]  # KeyError: a parent must come before its replies
        built[id(draft)] = post = _post(author, draft, parent)
        posts.append(post)
    Post.objects.bulk_create(posts, batch_size=500)
    _insert_mentions(posts, drafts, find or account_finder())
    _insert_tags(posts, drafts)
    for post, draft in zip(posts, drafts, strict=True):
        if draft.poll_options:
            _insert_poll(post, draft)
    _count(author, posts)
    search.index_posts(posts)
    return posts


def _post(author: Account, d: Draft, parent: Post | None) -> Post:
    return Post(
        id=make_id(d.published), account=author, text=d.text, content=d.content,
        spoiler_text=d.spoiler_text, sensitive=d.sensitive, visibility=d.visibility,
        language=(d.language or _guess_language(d))[:16], in_reply_to=parent,
        in_reply_to_account=parent.account if parent else None,
        thread_root=(parent.thread_root or parent) if parent else None,
        published=d.published, source=d.source, quiet=d.quiet, uri=d.uri,
        origin_url=d.origin_url, held=d.held)


def _guess_language(d: Draft) -> str:
    """The author (or their server, or their archive) did not say: guess it."""
    return detect_language(d.text or (text_mod.plain_text(d.content) if d.content else ""))


def _insert_mentions(posts: list[Post], drafts: Sequence[Draft], find) -> None:
    rows = []
    for post, draft in zip(posts, drafts, strict=True):
        seen: set[str] = set()
        if draft.mention_accounts is not None:
            pairs = [(target.acct, target) for target in draft.mention_accounts]
        else:
            pairs = []
            for ref in text_mod.extract_mentions(draft.text):
                target = find(ref.username, ref.domain)
                pairs.append((target.acct if target else ref.acct, target))
        for acct, target in pairs:
            acct = acct.lower()
            if acct not in seen:
                seen.add(acct)
                rows.append(Mention(post=post, acct=acct, account=target))
    Mention.objects.bulk_create(rows, batch_size=500)


def _insert_tags(posts: list[Post], drafts: Sequence[Draft]) -> None:
    per_post: list[dict[str, str]] = []
    for draft in drafts:
        names = (draft.tag_names if draft.tag_names is not None
                 else text_mod.extract_hashtags(draft.text))
        per_post.append({n.lower()[:200]: n[:200] for n in names if n})
    wanted: dict[str, str] = {}
    for names in per_post:
        for name, display in names.items():
            wanted.setdefault(name, display)
    if not wanted:
        return
    tags = dict(Tag.objects.filter(name__in=list(wanted)).values_list("name", "pk"))
    missing = [Tag(name=n, display_name=d) for n, d in wanted.items() if n not in tags]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        tags = dict(Tag.objects.filter(name__in=list(wanted)).values_list("name", "pk"))
    PostTag.objects.bulk_create(
        [PostTag(post=post, tag_id=tags[name])
         for post, names in zip(posts, per_post, strict=True) for name in names],
        batch_size=500)


def _insert_poll(post: Post, draft: Draft) -> None:
    from rostra.posts.tasks import close_poll

    poll = Poll.objects.create(
        post=post, options=[o.strip() for o in draft.poll_options],
        multiple=draft.poll_multiple, hide_totals=draft.poll_hide_totals,
        expires_at=draft.published + (draft.poll_expires_in or timedelta(0)))

    def schedule() -> None:
        if close_poll.get_backend().supports_defer:
            close_poll.using(run_after=poll.expires_at).enqueue(poll.pk)

    transaction.on_commit(schedule)


def _count(author: Account, posts: list[Post]) -> None:
    """The author's post count and last post date, the parents' reply counts: one
    UPDATE for the author and one per distinct number of new replies."""
    Account.objects.filter(pk=author.pk).update(
        statuses_count=F("statuses_count") + len(posts),
        last_status_at=max(p.published for p in posts))
    replies = Counter(p.in_reply_to_id for p in posts if p.in_reply_to_id)
    by_count: dict[int, list[int]] = defaultdict(list)
    for parent_id, count in replies.items():
        by_count[count].append(parent_id)
    for count, parent_ids in by_count.items():
        Post.objects.filter(pk__in=parent_ids).update(replies_count=F("replies_count") + count)
