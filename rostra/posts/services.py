"""Post rules: create, edit, delete, boost, like, bookmark, pin, vote.

The one write path for posts. The web UI, the API, federation, importers and the
CLI call these functions; each runs the same validation, media gate (through
``posts.media``), counters and events, so nothing happens twice or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rostra.accounts.models import Account
from rostra.accounts.services import (
    account_finder,
    find_account,
    is_blocked_between,
    render_text,
)
from rostra.core import text as text_mod
from rostra.posts import events
from rostra.posts.creation import Draft, insert_posts
from rostra.posts.errors import NotVisible, PostError
from rostra.posts.models import (
    Bookmark,
    Favourite,
    Media,
    Mention,
    Pin,
    Poll,
    PollVote,
    Post,
    PostEdit,
    PostTag,
    Source,
    Tag,
    Visibility,
)
from rostra.posts.visibility import can_see

URL_WEIGHT = 23  # a link counts as 23 characters, whatever its length (as on Mastodon)
MAX_PINS = 5
POLL_MIN_DURATION = timedelta(minutes=5)
POLL_MAX_DURATION = timedelta(days=30)
POLL_OPTION_MAX = 50


@dataclass
class PollSpec:
    options: Sequence[str]
    expires_in: timedelta
    multiple: bool = False
    hide_totals: bool = False


IMPORTED_MAX_CHARS = 100_000


def count_characters(raw: str) -> int:
    """Length of a post as its limit counts it: links weigh 23, remote mentions
    count without their domain."""
    total = len(raw)
    for url in text_mod.extract_urls(raw):
        total += URL_WEIGHT - len(url)
    for ref in text_mod.extract_mentions(raw):
        if ref.domain:
            total -= len(ref.domain) + 1
    return total


def _validate(
    raw: str, spoiler_text: str, media: Sequence[Media], poll: PollSpec | None,
    limit: int | None = None,
) -> None:
    limit = limit or settings.ROSTRA_POST_MAX_CHARS
    length = count_characters(raw) + len(spoiler_text)
    if length > limit:
        raise PostError(
            _("The post is %(length)s characters long; the limit is %(limit)s.")
                % {"length": length, "limit": limit}, "text"
        )
    if not raw.strip() and not media and not poll:
        raise PostError(_("Write something or attach an image."), "text")
    if len(media) > settings.ROSTRA_MEDIA_MAX_ATTACHMENTS:
        raise PostError(
            _("Up to %(media_max_attachments)s images per post.")
                % {"media_max_attachments": settings.ROSTRA_MEDIA_MAX_ATTACHMENTS}, "media"
        )
    if len(media) > 1 and any(m.kind != Media.Kind.IMAGE for m in media):
        raise PostError(_("A video or animated GIF goes alone: one per post, without images."),
                        "media")
    if poll is not None:
        if media:
            raise PostError(_("A post cannot have both images and a poll."), "poll")
        options = [o.strip() for o in poll.options]
        if not 2 <= len(options) <= settings.ROSTRA_POLL_MAX_OPTIONS or not all(options):
            raise PostError(
                _("A poll needs 2 to %(poll_max_options)s non-empty options.")
                    % {"poll_max_options": settings.ROSTRA_POLL_MAX_OPTIONS},
                "poll",
            )
        if len({o.lower() for o in options}) != len(options):
            raise PostError(_("Poll options must differ."), "poll")
        if any(len(o) > POLL_OPTION_MAX for o in options):
            raise PostError(_("Poll options are limited to %(poll_option_max)s characters.")
                % {"poll_option_max": POLL_OPTION_MAX}, "poll")
        if not POLL_MIN_DURATION <= poll.expires_in <= POLL_MAX_DURATION:
            raise PostError(_("A poll lasts between 5 minutes and 30 days."), "poll")


def _sync_mentions(post: Post, raw: str) -> list[Account]:
    """Record the mentions in ``raw``; return the known accounts mentioned."""
    Mention.objects.filter(post=post).delete()
    accounts = []
    for ref in text_mod.extract_mentions(raw):
        target = find_account(ref.username, ref.domain)
        acct = target.acct if target else ref.acct
        Mention.objects.get_or_create(post=post, acct=acct.lower(), defaults={"account": target})
        if target is not None and target.pk != post.account_id:
            accounts.append(target)
    return accounts


def _sync_tags(post: Post, raw: str) -> None:
    PostTag.objects.filter(post=post).delete()
    for name in text_mod.extract_hashtags(raw):
        tag, __ = Tag.objects.get_or_create(name=name.lower(), defaults={"display_name": name})
        PostTag.objects.get_or_create(post=post, tag=tag)


def _set_mentions(post: Post, accounts: Sequence[Account]) -> None:
    """Record mentions of known accounts (a remote post states its own)."""
    Mention.objects.filter(post=post).delete()
    for target in accounts:
        Mention.objects.get_or_create(post=post, acct=target.acct.lower(),
                                      defaults={"account": target})


def _set_tags(post: Post, names: Sequence[str]) -> None:
    PostTag.objects.filter(post=post).delete()
    for name in dict.fromkeys(n for n in names if n):
        tag, __ = Tag.objects.get_or_create(name=name.lower()[:200],
                                           defaults={"display_name": name[:200]})
        PostTag.objects.get_or_create(post=post, tag=tag)


def _check_media(author: Account, media: Sequence[Media]) -> None:
    for item in media:
        if item.account_id != author.pk:
            raise PostError(_("You can only attach your own uploads."), "media")
        if item.post_id is not None:
            raise PostError(_("This image is already attached to another post."), "media")
        if item.scheduled_post_id is not None:
            raise PostError(_("This image is reserved for a scheduled post."), "media")


def _claim_media(author: Account, media: Sequence[Media], post: Post) -> None:
    """Attach checked uploads (``_check_media``) to ``post``, in order."""
    for position, item in enumerate(media):
        item.post = post
        item.position = position
        item.save(update_fields=["post", "position"])


def create_post(
    author: Account,
    text: str,
    *,
    visibility: str | None = None,
    spoiler_text: str = "",
    sensitive: bool = False,
    language: str = "",
    in_reply_to: Post | None = None,
    media: Sequence[Media] = (),
    poll: PollSpec | None = None,
    published: datetime | None = None,
    source: str = Source.WEB,
    quiet: bool = False,
    uri: str = "",
    origin_url: str = "",
    application: dict | None = None,
) -> Post:
    """Create a post by ``author``. Raises ``PostError`` with a message for the user.

    ``published`` (imports, federation) sets the date and thus the id; a quiet
    post notifies no one and stays out of followers' home timelines.
    ``application`` (``{"name", "website"}``) is the client app it was posted with,
    as the door knows it (the API's OAuth application).
    """
    item = NewPost(text=text, visibility=visibility, spoiler_text=spoiler_text,
                   sensitive=sensitive, language=language, in_reply_to=in_reply_to,
                   media=media, poll=poll, published=published, source=source, quiet=quiet,
                   uri=uri, origin_url=origin_url)
    (result,) = create_posts(author, [item], application=application)
    if isinstance(result, PostError):
        raise result
    return result


@dataclass
class NewPost:
    """One post for ``create_posts``: the arguments of ``create_post``, except that
    ``in_reply_to`` may also be an earlier ``NewPost`` of the same batch."""

    text: str
    visibility: str | None = None
    spoiler_text: str = ""
    sensitive: bool = False
    language: str = ""
    in_reply_to: Post | NewPost | None = None
    media: Sequence[Media] = ()
    poll: PollSpec | None = None
    published: datetime | None = None
    source: str = Source.WEB
    quiet: bool = False
    uri: str = ""
    origin_url: str = ""


def create_posts(author: Account, batch: Sequence[NewPost], *,
                 application: dict | None = None) -> list[Post | PostError]:
    """Create ``batch`` by ``author`` in one transaction (archive imports; and
    ``create_post``, a batch of one). Each post is checked as ``create_post`` checks
    it; one that fails comes back as its ``PostError`` in its place and the others
    are created (a reply to a failed one fails too). ``post_created`` is sent for
    each after commit. Raises ``PostError`` for a suspended author, or a local one
    that moved away (``portability.move``)."""
    if author.suspended_at:
        raise PostError(_("This account is suspended."))
    if author.local and author.moved_to_id:
        raise PostError(_("This account has moved; cancel the redirect in Settings → Account "
          "migration to post from it again."))
    drafts: dict[int, Draft] = {}
    outcome: list[Draft | PostError] = []
    find = account_finder()
    for item in batch:
        try:
            drafts[id(item)] = draft = _draft(author, item, drafts, find)
        except PostError as exc:
            outcome.append(exc)
        else:
            outcome.append(draft)
    ready = [(item, d) for item, d in zip(batch, outcome, strict=True) if isinstance(d, Draft)]
    posts: list[Post] = []
    for _attempt in range(3):
        try:
            with transaction.atomic():
                posts = insert_posts(author, [d for __, d in ready], find) if ready else []
                for (item, __), post in zip(ready, posts, strict=True):
                    _claim_media(author, item.media, post)
                    if application:
                        _record_application(post, application)
            break
        except IntegrityError:
            # Two posts got the same time-sortable id: draw new ones.
            continue
    else:
        raise PostError(_("The post could not be saved; please try again."))
    made = {id(draft): post for (__, draft), post in zip(ready, posts, strict=True)}

    def after() -> None:
        for post in posts:
            if not post.held:  # a held post is announced when the gate releases it
                events.post_created.send(Post, post=post)

    transaction.on_commit(after)
    return [made[id(o)] if isinstance(o, Draft) else o for o in outcome]


def visibility_for(author: Account, visibility: str | None) -> str:
    """``visibility``, or the author's default when None; ``PostError`` if unknown."""
    if visibility is None:
        user = getattr(author, "user", None)
        visibility = user.default_visibility if user else Visibility.PUBLIC
    if visibility not in Visibility.values:
        raise PostError(_("Choose public, unlisted, followers only or mentioned people only."),
                        "visibility")
    return visibility


def _draft(author: Account, item: NewPost, drafts: dict[int, Draft], find) -> Draft:
    """Check and render ``item`` (no writes); raise ``PostError``."""
    # NUL cannot be stored in PostgreSQL text; it never means anything in a post.
    text = (item.text or "").replace("\r\n", "\n").replace("\x00", "")
    spoiler_text = (item.spoiler_text or "").replace("\x00", "").strip()
    media = list(item.media)
    # The length limit is a rule for writing here; an archive keeps what was
    # published elsewhere whole (X's long posts run to 25,000 characters).
    _validate(text, spoiler_text, media, item.poll,
              IMPORTED_MAX_CHARS if item.source == Source.IMPORT else None)
    _check_media(author, media)
    visibility = visibility_for(author, item.visibility)
    parent: Post | Draft | None = None
    if isinstance(item.in_reply_to, NewPost):
        parent = drafts.get(id(item.in_reply_to))
        if parent is None:
            raise PostError(_("The post it replies to could not be created."), "in_reply_to")
    elif item.in_reply_to is not None:
        parent = item.in_reply_to
        if parent.reblog_of_id:
            raise NotVisible()
        if parent.account_id != author.pk:  # one's own posts: always visible, never blocked
            if not can_see(author, parent):
                raise NotVisible()
            if is_blocked_between(author, parent.account):
                raise PostError(_("You cannot reply to this account."), "in_reply_to")
            if parent.interactions_restricted:
                raise PostError(RESTRICTED, "in_reply_to")
    draft = Draft(
        held=HELD_QUARANTINE if any(m.quarantined_at for m in media) else "",
        text=text, content=render_text(text, find) if text.strip() else "",
        visibility=visibility,
        published=item.published or timezone.now(), source=item.source,
        spoiler_text=spoiler_text,
        sensitive=item.sensitive or bool(spoiler_text) or author.sensitized_at is not None,
        language=item.language, in_reply_to=parent, quiet=item.quiet, uri=item.uri,
        origin_url=item.origin_url)
    if item.poll is not None:
        draft.poll_options, draft.poll_expires_in = item.poll.options, item.poll.expires_in
        draft.poll_multiple, draft.poll_hide_totals = item.poll.multiple, item.poll.hide_totals
    return draft


def _record_application(post: Post, application: dict) -> None:
    post.application_name = str(application.get("name") or "")[:200]
    post.application_website = str(application.get("website") or "")[:2048]
    Post.objects.filter(pk=post.pk).update(application_name=post.application_name,
                                           application_website=post.application_website)


def _insert_post(author, text, visibility, spoiler_text, sensitive, language, in_reply_to,
                 media, poll, published, source, quiet, uri, origin_url, *,
                 content: str | None = None, mention_accounts: Sequence[Account] | None = None,
                 tag_names: Sequence[str] | None = None, held: str = "") -> Post:
    """The one insertion path of a post (local or remote) and its counters.

    Local posts render ``text`` and parse mentions and tags from it; remote ones
    (``create_remote_post``) pass ``content`` (sanitized HTML), ``mention_accounts``
    and ``tag_names`` as their server stated them. Media are claimed by the caller.
    """
    if content is None:
        content = render_text(text) if text.strip() else ""
    draft = Draft(
        text=text, content=content, visibility=visibility, published=published,
        source=source, spoiler_text=spoiler_text, sensitive=sensitive, language=language,
        in_reply_to=in_reply_to, quiet=quiet, uri=uri, origin_url=origin_url,
        mention_accounts=mention_accounts, tag_names=tag_names, held=held)
    if poll is not None:
        draft.poll_options, draft.poll_expires_in = poll.options, poll.expires_in
        draft.poll_multiple, draft.poll_hide_totals = poll.multiple, poll.hide_totals
    return insert_posts(author, [draft])[0]


@transaction.atomic
def edit_post(
    editor: Account,
    post: Post,
    text: str,
    *,
    spoiler_text: str = "",
    sensitive: bool = False,
    language: str | None = None,
    media_descriptions: dict[int, str] | None = None,
) -> Post:
    """Change a post's text, content warning or alt texts, keeping every earlier
    version in its history. Only the author may edit."""
    if post.account_id != editor.pk or post.reblog_of_id:
        raise PostError(_("You can only edit your own posts."))
    # NUL cannot be stored in PostgreSQL text; it never means anything in a post.
    text = (text or "").replace("\r\n", "\n").replace("\x00", "")
    spoiler_text = (spoiler_text or "").replace("\x00", "").strip()
    attached = list(post.media.all())
    poll = Poll.objects.filter(post=post).first()
    _validate(text, spoiler_text, attached, None)
    if poll is None and not text.strip() and not attached:
        raise PostError(_("Write something or attach an image."), "text")
    return _apply_edit(post, attached, text, render_text(text) if text.strip() else "",
                       spoiler_text, sensitive, language, media_descriptions,
                       timezone.now())


def _apply_edit(post: Post, attached: Sequence[Media], text: str, content: str,
                spoiler_text: str, sensitive: bool, language: str | None,
                media_descriptions: dict[int, str] | None, edited_at: datetime, *,
                mention_accounts: Sequence[Account] | None = None,
                tag_names: Sequence[str] | None = None) -> Post:
    """The one edit path (local and remote): history snapshot, fields, mentions,
    tags, event. Runs inside the caller's transaction."""
    if not post.edits.exists():
        _snapshot(post, attached, post.published)
    post.text = text
    post.content = content
    post.spoiler_text = spoiler_text
    post.sensitive = sensitive or bool(spoiler_text)
    if language is not None:
        post.language = language[:16]
    post.edited_at = edited_at
    post.save()
    for item in attached:
        if media_descriptions and item.pk in media_descriptions:
            item.description = media_descriptions[item.pk].strip()
            item.save(update_fields=["description"])
    if mention_accounts is None:
        _sync_mentions(post, text)
    else:
        _set_mentions(post, mention_accounts)
    if tag_names is None:
        _sync_tags(post, text)
    else:
        _set_tags(post, tag_names)
    _snapshot(post, attached, post.edited_at)
    transaction.on_commit(lambda: events.post_updated.send(Post, post=post))
    return post


def _snapshot(post: Post, media: Sequence[Media], when: datetime) -> None:
    PostEdit.objects.create(
        post=post,
        text=post.text,
        content=post.content,
        spoiler_text=post.spoiler_text,
        sensitive=post.sensitive,
        media_descriptions=[m.description for m in media],
        created_at=when,
    )


@transaction.atomic
def delete_post(actor: Account, post: Post, *, as_moderator: bool = False) -> None:
    """Delete ``post`` (its author, or a moderator) with its boosts, likes and media."""
    if post.account_id != actor.pk and not as_moderator:
        raise PostError(_("You can only delete your own posts."))
    post_id, author, uri = post.pk, post.account, post.uri
    if post.reblog_of_id:
        Post.objects.filter(pk=post.reblog_of_id).update(reblogs_count=F("reblogs_count") - 1)
    if post.in_reply_to_id:
        Post.objects.filter(pk=post.in_reply_to_id, replies_count__gt=0).update(
            replies_count=F("replies_count") - 1
        )
    files = [(m.file, m.thumbnail) for m in post.media.all()]
    was_reblog = post.reblog_of_id is not None
    post.delete()
    if not was_reblog:  # a boost never counted towards statuses_count (see reblog)
        Account.objects.filter(pk=author.pk, statuses_count__gt=0).update(
            statuses_count=F("statuses_count") - 1
        )

    def after() -> None:
        for pair in files:
            for f in pair:
                if f:
                    f.storage.delete(f.name)
        events.post_deleted.send(Post, post_id=post_id, account=author, uri=uri)

    transaction.on_commit(after)


RESTRICTED = gettext_lazy("Moderators turned off replies, boosts and likes on this post.")
HELD_PENDING, HELD_QUARANTINE = "pending", "quarantine"


def _require_visible(account: Account, post: Post) -> None:
    if not can_see(account, post):
        raise NotVisible()


def reblog(account: Account, post: Post) -> Post:
    """Boost ``post`` (idempotent: boosting twice returns the first boost)."""
    if post.reblog_of_id:
        post = post.reblog_of
    _require_visible(account, post)
    if post.visibility not in (Visibility.PUBLIC, Visibility.UNLISTED):
        raise PostError(_("Followers-only and direct posts cannot be boosted."))
    if post.interactions_restricted and post.account_id != account.pk:
        raise PostError(RESTRICTED)
    if is_blocked_between(account, post.account):
        raise NotVisible()
    existing = Post.objects.filter(account=account, reblog_of=post).first()
    if existing:
        return existing
    with transaction.atomic():
        boost = Post(account=account, reblog_of=post, visibility=post.visibility,
                     source=Source.WEB)
        boost.save()
        Post.objects.filter(pk=post.pk).update(reblogs_count=F("reblogs_count") + 1)
    transaction.on_commit(lambda: events.post_reblogged.send(Post, reblog=boost))
    return boost


def unreblog(account: Account, post: Post) -> None:
    original = post.reblog_of if post.reblog_of_id else post
    boost = Post.objects.filter(account=account, reblog_of=original).first()
    if boost is not None:
        delete_post(account, boost)


def favourite(account: Account, post: Post) -> Favourite:
    if post.reblog_of_id:
        post = post.reblog_of
    _require_visible(account, post)
    if post.interactions_restricted and post.account_id != account.pk:
        raise PostError(RESTRICTED)
    with transaction.atomic():
        fav, created = Favourite.objects.get_or_create(account=account, post=post)
        if created:
            Post.objects.filter(pk=post.pk).update(favourites_count=F("favourites_count") + 1)
    if created:
        transaction.on_commit(lambda: events.post_favourited.send(Post, favourite=fav))
    return fav


def unfavourite(account: Account, post: Post) -> None:
    if post.reblog_of_id:
        post = post.reblog_of
    with transaction.atomic():
        deleted, __ = Favourite.objects.filter(account=account, post=post).delete()
        if deleted:
            Post.objects.filter(pk=post.pk, favourites_count__gt=0).update(
                favourites_count=F("favourites_count") - 1
            )
    if deleted:
        events.post_unfavourited.send(Post, account=account, post=post)


def bookmark(account: Account, post: Post) -> Bookmark:
    if post.reblog_of_id:
        post = post.reblog_of
    _require_visible(account, post)
    obj, __ = Bookmark.objects.get_or_create(account=account, post=post)
    return obj


def unbookmark(account: Account, post: Post) -> None:
    if post.reblog_of_id:
        post = post.reblog_of
    Bookmark.objects.filter(account=account, post=post).delete()


def pin(account: Account, post: Post) -> Pin:
    if post.account_id != account.pk or post.reblog_of_id:
        raise PostError(_("You can only pin your own posts."))
    if post.visibility == Visibility.DIRECT:
        raise PostError(_("Direct posts cannot be pinned."))
    existing = Pin.objects.filter(account=account, post=post).first()
    if existing:
        return existing
    if Pin.objects.filter(account=account).count() >= MAX_PINS:
        raise PostError(_("You can pin up to %(max_pins)s posts.") % {"max_pins": MAX_PINS})
    pin_obj = Pin.objects.create(account=account, post=post)
    transaction.on_commit(lambda: events.post_pinned.send(Post, account=account, post=post))
    return pin_obj


def unpin(account: Account, post: Post) -> None:
    deleted, __ = Pin.objects.filter(account=account, post=post).delete()
    if deleted:
        transaction.on_commit(
            lambda: events.post_unpinned.send(Post, account=account, post=post)
        )


@transaction.atomic
def vote(account: Account, poll: Poll, choices: Sequence[int]) -> list[PollVote]:
    """Cast ``account``'s vote; one vote per person, several choices if allowed."""
    _require_visible(account, poll.post)
    if poll.expired:
        raise PostError(_("This poll has ended."), "poll")
    if poll.post.account_id == account.pk:
        raise PostError(_("You cannot vote in your own poll."), "poll")
    choices = sorted(set(choices))
    if not choices or any(c < 0 or c >= len(poll.options) for c in choices):
        raise PostError(_("Choose one of the poll's options."), "poll")
    if len(choices) > 1 and not poll.multiple:
        raise PostError(_("This poll takes a single choice."), "poll")
    if PollVote.objects.filter(poll=poll, account=account).exists():
        raise PostError(_("You have already voted in this poll."), "poll")
    votes = [PollVote.objects.create(poll=poll, account=account, choice=c) for c in choices]
    transaction.on_commit(
        lambda: events.poll_voted.send(Poll, poll=poll, account=account, choices=choices))
    return votes


@transaction.atomic
def add_remote_vote(account: Account, poll: Poll, choice: int) -> PollVote | None:
    """One choice of a remote voter in a local poll. ActivityPub carries a vote as
    one Note per choice, so a multiple-choice vote arrives in parts; a repeated part
    changes nothing (returns None)."""
    if account.local or not poll.post.account.local:
        raise PostError("Only remote votes on local polls arrive this way.", "poll")
    _require_visible(account, poll.post)
    if poll.expired:
        raise PostError(_("This poll has ended."), "poll")
    if poll.post.account_id == account.pk:
        raise PostError(_("You cannot vote in your own poll."), "poll")
    if not 0 <= choice < len(poll.options):
        raise PostError(_("Choose one of the poll's options."), "poll")
    earlier = set(PollVote.objects.filter(poll=poll, account=account)
                  .values_list("choice", flat=True))
    if choice in earlier:
        return None
    if earlier and not poll.multiple:
        raise PostError(_("This poll takes a single choice."), "poll")
    return PollVote.objects.create(poll=poll, account=account, choice=choice)


def poll_results(poll: Poll) -> tuple[list[int], int, int]:
    """(votes per option, votes in all, distinct voters). A remote poll counts from
    its server's last statement plus the votes cast here since."""
    counts = [0] * len(poll.options)
    voters = set()
    votes = PollVote.objects.filter(poll=poll)
    if poll.remote_counts is not None and poll.remote_counts_at is not None:
        votes = votes.filter(created_at__gt=poll.remote_counts_at)
    for choice, voter in votes.values_list("choice", "account_id"):
        if 0 <= choice < len(counts):
            counts[choice] += 1
        voters.add(voter)
    if poll.remote_counts is not None:
        counts = [c + int(r) for c, r in zip(counts, poll.remote_counts, strict=False)]
        stated = poll.remote_voters if poll.remote_voters is not None else sum(poll.remote_counts)
        return counts, sum(counts), stated + len(voters)
    return counts, sum(counts), len(voters)


def end_poll(poll_id: int) -> bool:
    """Mark an expired poll closed and announce it once (the worker calls this)."""
    with transaction.atomic():
        updated = Poll.objects.filter(
            pk=poll_id, closed=False, expires_at__lte=timezone.now()
        ).update(closed=True)
    if updated:
        poll = Poll.objects.select_related("post__account").get(pk=poll_id)
        events.poll_ended.send(Poll, poll=poll)
    return bool(updated)


def end_expired_polls() -> int:
    """Close every poll whose time is up (a sweep, in case a scheduled task was lost)."""
    ids = list(
        Poll.objects.filter(closed=False, expires_at__lte=timezone.now()).values_list(
            "pk", flat=True
        )
    )
    return sum(end_poll(pk) for pk in ids)



# --- remote posts (federation is the door that calls these) ----------------------

MAX_REMOTE_CONTENT = 100_000  # characters of HTML; larger posts are refused


@dataclass
class RemoteMedia:
    """An attachment of a remote post, kept as its remote URL (no download yet: the
    media gate will fetch and inspect it when remote media are mirrored)."""

    url: str
    mime_type: str = ""
    description: str = ""
    blurhash: str = ""
    width: int | None = None
    height: int | None = None
    ai_generated: bool = False  # its server says so (``digitalSourceType``)


@dataclass
class RemotePoll:
    options: Sequence[str]
    expires_at: datetime
    multiple: bool = False
    counts: Sequence[int] | None = None  # per option, as the poll's server counts
    voters: int | None = None


def _check_remote(author: Account, content_html: str) -> None:
    if author.local:
        raise PostError("Remote posts need a remote author.")
    if author.suspended_at:
        raise PostError(_("This account is suspended."))
    if len(content_html) > MAX_REMOTE_CONTENT:
        raise PostError(_("The post is too long to be stored."), "text")


def create_remote_post(
    author: Account,
    *,
    uri: str,
    content_html: str,
    published: datetime,
    visibility: str,
    spoiler_text: str = "",
    sensitive: bool = False,
    language: str = "",
    in_reply_to: Post | None = None,
    mentions: Sequence[Account] = (),
    tags: Sequence[str] = (),
    media: Sequence[RemoteMedia] = (),
    poll: RemotePoll | None = None,
    url: str = "",
) -> Post:
    """Store a post another server published, through the same insertion path,
    counters and ``post_created`` event as ``create_post``.

    ``content_html`` must already be sanitized (``core.text.sanitize``): it is stored
    as is, never re-rendered. Idempotent by ``uri``: a known uri returns the stored
    post. Raises ``PostError`` (suspended or local author, oversized content).
    """
    existing = Post.objects.filter(uri=uri, account=author).first() if uri else None
    if existing is not None:
        return existing
    if not uri:
        raise PostError("A remote post needs its id.")
    content_html = (content_html or "").replace("\x00", "")
    spoiler_text = (spoiler_text or "").replace("\x00", "").strip()[:500]
    _check_remote(author, content_html)
    if visibility not in Visibility.values:
        raise PostError("Unknown visibility.", "visibility")
    if in_reply_to is not None and in_reply_to.reblog_of_id:
        in_reply_to = None
    text = text_mod.plain_text(content_html)
    spec = None
    if poll is not None and len(poll.options) >= 2:
        spec = PollSpec(options=[o[:200] for o in poll.options][:20],
                        expires_in=max(poll.expires_at - published, timedelta(0)),
                        multiple=poll.multiple)
    media = list(media)[: settings.ROSTRA_MEDIA_MAX_ATTACHMENTS]
    for _attempt in range(3):
        try:
            with transaction.atomic():
                post = _insert_post(
                    author, text, visibility, spoiler_text, sensitive or bool(spoiler_text),
                    language or "", in_reply_to, (), spec, published, Source.FEDERATION,
                    False, uri, url, content=content_html,
                    mention_accounts=[m for m in mentions if m.pk != author.pk],
                    tag_names=list(tags)[:50], held=HELD_PENDING if media else "",
                )
                for position, item in enumerate(media):
                    Media.objects.create(
                        account=author, post=post, position=position,
                        kind=_remote_kind(item.mime_type), remote_url=item.url[:2048],
                        mime_type=item.mime_type[:64], description=item.description[:1500],
                        blurhash=item.blurhash[:64], width=item.width, height=item.height,
                        ai_generated=item.ai_generated,
                        ai_source="remote" if item.ai_generated else "",
                    )
                if spec is not None and poll.counts is not None:
                    record_remote_poll_counts(Poll.objects.get(post=post), poll.counts,
                                              poll.voters)
            break
        except IntegrityError:
            continue
    else:
        raise PostError(_("The post could not be saved; please try again."))
    if post.held:
        # Nobody sees it until its media are fetched and pass the gate (remote_media).
        from rostra.posts.tasks import check_remote_media

        transaction.on_commit(lambda: check_remote_media.enqueue(post.pk))
    else:
        transaction.on_commit(lambda: events.post_created.send(Post, post=post))
    return post


def record_remote_poll_counts(poll: Poll, counts: Sequence[int], voters: int | None) -> None:
    """Keep a remote poll's tallies as its server states them (``Question`` create or
    update); local votes cast since are added on top until the next statement."""
    tallies = [max(int(c), 0) for c in list(counts)[:len(poll.options)]]
    tallies += [0] * (len(poll.options) - len(tallies))
    poll.remote_counts = tallies
    poll.remote_voters = max(int(voters), 0) if voters is not None else None
    poll.remote_counts_at = timezone.now()
    Poll.objects.filter(pk=poll.pk).update(remote_counts=poll.remote_counts,
                                           remote_voters=poll.remote_voters,
                                           remote_counts_at=poll.remote_counts_at)


def _remote_kind(mime_type: str) -> str:
    if mime_type.startswith("video/"):
        return Media.Kind.VIDEO
    return Media.Kind.IMAGE


@transaction.atomic
def update_remote_post(
    post: Post,
    *,
    content_html: str,
    spoiler_text: str = "",
    sensitive: bool = False,
    language: str | None = None,
    edited_at: datetime | None = None,
    mentions: Sequence[Account] | None = None,
    tags: Sequence[str] | None = None,
    media_descriptions: Sequence[str] | None = None,
) -> Post:
    """Apply an edit announced by the post's server, keeping the history (the same
    path as ``edit_post``). ``content_html`` is sanitized by the caller."""
    content_html = (content_html or "").replace("\x00", "")
    _check_remote(post.account, content_html)
    attached = list(post.media.all())
    descriptions = None
    if media_descriptions is not None:
        descriptions = {m.pk: d[:1500] for m, d in zip(attached, media_descriptions,
                                                        strict=False)}
    return _apply_edit(
        post, attached, text_mod.plain_text(content_html), content_html,
        (spoiler_text or "").replace("\x00", "").strip()[:500], sensitive, language,
        descriptions, edited_at or timezone.now(),
        mention_accounts=[m for m in mentions if m.pk != post.account_id]
        if mentions is not None else [m.account for m in post.mentions.all() if m.account],
        tag_names=list(tags)[:50] if tags is not None
        else list(post.post_tags.values_list("tag__display_name", flat=True)),
    )
