"""Domain events → activities delivered to other servers.

Federation subscribes here to the signals of ``accounts`` and ``posts`` (connected in
``FederationConfig.ready``); the domain never imports federation. A handler delivers
only when the acting account is local: the inbox calls the same services for remote
actors, and their events must not echo back.

Who receives what (inboxes, deduplicated, suspended servers left out by ``deliver``):

=========================  ================================================================
activity                   recipients
=========================  ================================================================
Create/Update of a post    public, unlisted, followers-only: followers; all: mentioned
                           remote accounts; not direct: the remote author replied to
Delete of a post           every inbox its Create reached, and the followers
Announce / Undo Announce   followers and the boosted post's remote author
Like / Undo Like           the liked post's remote author
Follow / Undo Follow       the followed remote account
Accept / Reject (Follow)   the remote follower
Block / Undo Block         the blocked remote account
Update (Person)            followers
Add / Remove (featured)    followers
Update (Person) + Move     followers and remote blockers, when an account moves
=========================  ================================================================
"""

from __future__ import annotations

import json
import logging

from django.utils import timezone

from rostra.accounts import events as account_events
from rostra.accounts.models import Account
from rostra.federation import delivery, uris
from rostra.federation.models import OutgoingActivity
from rostra.federation.serializers import activity as build
from rostra.moderation import events as moderation_events
from rostra.posts import events as post_events
from rostra.posts.models import PollVote, Post, Source, Visibility

logger = logging.getLogger("rostra.federation.outbox")

_UID = "rostra.federation.outbox"


def _local(account: Account | None) -> bool:
    """A local account that may still federate: a closed or suspended one sends
    nothing more (its Delete of itself covers its posts, follows and likes)."""
    return account is not None and account.local and not account.suspended_at


def _remote(account: Account | None) -> bool:
    return account is not None and not account.local


# --- posts -------------------------------------------------------------------------

def post_inboxes(post: Post) -> list[str]:
    """Where a Create/Update of ``post`` goes (see the module table)."""
    inboxes: list[str] = []
    if post.visibility != Visibility.DIRECT:
        inboxes += delivery.follower_inboxes(post.account)
        if post.in_reply_to_account_id:
            inboxes += delivery.account_inboxes([post.in_reply_to_account])
    inboxes += delivery.account_inboxes(m.account for m in post.mentions.all())
    return inboxes


def _federates(post: Post) -> bool:
    """Local, not a boost, and not an archive import (old posts are not news)."""
    return _local(post.account) and not post.reblog_of_id and post.source != Source.IMPORT


def on_post_created(sender, post: Post, **kwargs) -> None:
    if _federates(post):
        delivery.deliver(build.create(post), post.account, post_inboxes(post))


def on_post_updated(sender, post: Post, **kwargs) -> None:
    if _federates(post):
        delivery.deliver(build.update_note(post), post.account, post_inboxes(post))


def on_poll_ended(sender, poll, **kwargs) -> None:
    post = poll.post
    if _federates(post):
        delivery.deliver(build.update_note(post), post.account, post_inboxes(post))


def on_poll_voted(sender, poll, account: Account, choices: list[int], **kwargs) -> None:
    """A local account voted in a remote poll: one Create(Note) per choice to its author."""
    author = poll.post.account
    if not (_local(account) and _remote(author)):
        return
    votes = dict(PollVote.objects.filter(poll=poll, account=account)
                 .values_list("choice", "pk"))
    for choice in choices:
        if choice in votes:
            delivery.deliver(build.vote(account, poll, choice, votes[choice]), account,
                             delivery.account_inboxes([author]))


def _earlier_deliveries(activity_id: str) -> tuple[list[str], dict | None]:
    """Inboxes an activity was sent to, and the activity itself (or None)."""
    record = OutgoingActivity.objects.filter(uri=activity_id).first()
    if record is None:
        return [], None
    try:
        document = json.loads(record.payload)
    except ValueError:
        document = None
    return list(record.deliveries.values_list("inbox_url", flat=True)), document


def on_post_deleted(sender, post_id: int, account: Account, uri: str, **kwargs) -> None:
    """Delete(Tombstone) of a post, or Undo(Announce) of a boost, to where it went."""
    if not _local(account):
        return
    object_uri = uri if uri and uris.is_local_uri(uri) else uris.actor_path(
        account, f"/statuses/{post_id}")
    inboxes, sent = _earlier_deliveries(f"{object_uri}/activity")
    if sent is not None and sent.get("type") == "Announce":
        delivery.deliver(build.undo(account, sent), account, inboxes)
        return
    delivery.deliver(build.delete(account, object_uri), account,
                     inboxes + delivery.follower_inboxes(account))


def on_post_reblogged(sender, reblog: Post, **kwargs) -> None:
    if not _local(reblog.account):
        return
    original = reblog.reblog_of
    inboxes = delivery.follower_inboxes(reblog.account)
    inboxes += delivery.account_inboxes([original.account])
    delivery.deliver(build.announce(reblog), reblog.account, inboxes)


def on_post_favourited(sender, favourite, **kwargs) -> None:
    if _local(favourite.account) and _remote(favourite.post.account):
        delivery.deliver(build.like(favourite), favourite.account,
                         delivery.account_inboxes([favourite.post.account]))


def _find_sent(actor: Account, kind: str, object_uri: str) -> dict | None:
    """The last ``kind`` activity (``likes``, ``follows``, ``blocks``) ``actor`` sent
    about ``object_uri``, to undo it under its own id."""
    prefix = f"{uris.actor_uri(actor)}#{kind}/"
    needle = json.dumps(object_uri)
    for payload in (OutgoingActivity.objects.filter(uri__startswith=prefix,
                                                    payload__contains=needle)
                    .order_by("-pk").values_list("payload", flat=True)[:5]):
        try:
            document = json.loads(payload)
        except ValueError:
            continue
        if document.get("object") == object_uri:
            return document
    return None


def on_post_unfavourited(sender, account: Account, post: Post, **kwargs) -> None:
    if not (_local(account) and _remote(post.account)):
        return
    object_uri = uris.post_uri(post)
    like = _find_sent(account, "likes", object_uri) or {
        "id": f"{uris.actor_uri(account)}#likes/{post.pk}-undone", "type": "Like",
        "actor": uris.actor_uri(account), "object": object_uri}
    delivery.deliver(build.undo(account, like), account,
                     delivery.account_inboxes([post.account]))


def on_post_pinned(sender, account: Account, post: Post, **kwargs) -> None:
    if _local(account):
        delivery.deliver(build.add(account, post), account,
                         delivery.follower_inboxes(account))


def on_post_unpinned(sender, account: Account, post: Post, **kwargs) -> None:
    if _local(account):
        delivery.deliver(build.remove(account, post), account,
                         delivery.follower_inboxes(account))


# --- accounts ------------------------------------------------------------------------

def on_follow_requested(sender, request, **kwargs) -> None:
    """A local account asks to follow a remote one: Follow, under the request's uri
    (the inbox matches the Accept to it)."""
    if _local(request.account) and _remote(request.target_account):
        activity = build.follow(request.account, request.target_account,
                                activity_id=request.uri)
        delivery.deliver(activity, request.account,
                         delivery.account_inboxes([request.target_account]))


def _answer(kind: str, target: Account, follower: Account, follow_uri: str) -> None:
    """Accept/Reject by local ``target`` of remote ``follower``'s Follow."""
    if not (_local(target) and _remote(follower)):
        return
    if not follow_uri:
        follow_uri = f"{uris.actor_uri(follower)}#follows/unknown"
    maker = build.accept if kind == "Accept" else build.reject
    delivery.deliver(maker(target, follow_uri, follower), target,
                     delivery.account_inboxes([follower]))


def reject_follow(target: Account, follower: Account, follow_uri: str) -> None:
    """Refuse a remote Follow the inbox could not take (blocked either way)."""
    _answer("Reject", target, follower, follow_uri)


def on_followed(sender, follow, **kwargs) -> None:
    """A remote account followed an open local one: Accept at once. (A local account
    following a remote one never gets here: that is a request until Accept.)"""
    _answer("Accept", follow.target_account, follow.account, follow.uri)


def on_follow_request_accepted(sender, follow, **kwargs) -> None:
    _answer("Accept", follow.target_account, follow.account, follow.uri)


def on_follow_request_rejected(sender, request, **kwargs) -> None:
    _answer("Reject", request.target_account, request.account, request.uri)


def on_follower_removed(sender, account: Account, follower: Account, follow_uri: str,
                        **kwargs) -> None:
    """A local account removed a remote follower: Reject its Follow, as Mastodon does."""
    _answer("Reject", account, follower, follow_uri)


def on_unfollowed(sender, account: Account, target: Account, **kwargs) -> None:
    if not (_local(account) and _remote(target)):
        return
    target_uri = uris.actor_uri(target)
    sent = _find_sent(account, "follows", target_uri) or build.follow(account, target)
    delivery.deliver(build.undo(account, sent), account, delivery.account_inboxes([target]))


def on_blocked(sender, block, **kwargs) -> None:
    if _local(block.account) and _remote(block.target_account):
        delivery.deliver(build.block(block.account, block.target_account), block.account,
                         delivery.account_inboxes([block.target_account]))


def on_unblocked(sender, account: Account, target: Account, **kwargs) -> None:
    if not (_local(account) and _remote(target)):
        return
    sent = _find_sent(account, "blocks", uris.actor_uri(target)) or build.block(account, target)
    delivery.deliver(build.undo(account, sent), account, delivery.account_inboxes([target]))


def on_account_deleted(sender, account: Account, **kwargs) -> None:
    """``Delete`` of the actor to every server that may hold a copy of it: its
    followers', those it follows, every inbox any activity it signed (posts, boosts,
    likes, follows, blocks, votes) was delivered to, and every inbox we know (as
    Mastodon does); one inbox per server whose shared inbox we know."""
    from rostra.federation.models import Delivery, RemoteInstance

    following = Account.objects.filter(followers_set__account=account).exclude(domain="")
    known = (Account.objects.exclude(domain="").filter(suspended_at__isnull=True)
             .values_list("shared_inbox_url", "inbox_url").distinct())
    delivered = (Delivery.objects.filter(activity__signer=account)
                 .values_list("inbox_url", flat=True).distinct())
    inboxes = [*delivery.follower_inboxes(account), *delivery.account_inboxes(following),
               *(shared or own for shared, own in known), *delivered]
    shared_inboxes = {delivery.domain_of(url): url for url in (
        *Account.objects.exclude(domain="").exclude(shared_inbox_url="")
        .values_list("shared_inbox_url", flat=True).distinct(),
        *RemoteInstance.objects.exclude(shared_inbox_url="")
        .values_list("shared_inbox_url", flat=True))}
    inboxes = [shared_inboxes.get(delivery.domain_of(url), url) for url in inboxes if url]
    delivery.deliver(build.delete(account, uris.actor_uri(account)), account, inboxes)


def on_case_opened(sender, case, **kwargs) -> None:
    """A user asked to forward their report about a remote account: a ``Flag`` from
    the instance actor (the reporter stays anonymous) to the account's server."""
    target = case.target_account
    if not case.forward or not _remote(target):
        return
    post_uris = [p.uri for p in case.target_posts.all() if p.uri]
    delivery.deliver(build.flag(target, post_uris, case.explanation), None,
                     delivery.account_inboxes([target]))


def on_decision_taken(sender, decision, **kwargs) -> None:
    """Moderators acted on a remote account's content and chose to tell its server:
    a ``Flag`` from the instance actor with the decision's explanation."""
    target = decision.target_account
    if not decision.send_flag or not _remote(target):
        return
    post_uris = [p.uri for p in decision.target_posts.all() if p.uri]
    delivery.deliver(build.flag(target, post_uris, decision.explanation), None,
                     delivery.account_inboxes([target]))


def on_post_removed(sender, post: Post, **kwargs) -> None:
    """Moderators removed a local post: the servers that hold a copy delete it."""
    if _federates(post):
        on_post_deleted(sender, post_id=post.pk, account=post.account, uri=post.uri)


def on_post_restored(sender, post: Post, **kwargs) -> None:
    """An appeal restored a local post: it is sent again to where it goes, as a new
    ``Create`` (its own activity id: the first one was delivered, then deleted).
    A server that keeps tombstones of deleted posts may still refuse it."""
    if _federates(post):
        activity = build.create(post)
        activity["id"] = f"{activity['id']}/restored/{int(timezone.now().timestamp())}"
        delivery.deliver(activity, post.account, post_inboxes(post))


def on_profile_updated(sender, account: Account, **kwargs) -> None:
    if _local(account):
        delivery.deliver(build.update_actor(account), account,
                         delivery.follower_inboxes(account))


def on_account_sanctioned(sender, account: Account, before: dict, **kwargs) -> None:
    """Moderators suspended a local account, or lifted its suspension: its followers'
    servers get an ``Update`` of the actor (``suspended``: true, the profile emptied;
    then the profile back), as Mastodon federates a suspension."""
    if not account.local or "suspended_at" not in before:
        return
    if bool(before["suspended_at"]) == bool(account.suspended_at):
        return
    delivery.deliver(build.update_actor(account), account, delivery.follower_inboxes(account))


def on_account_moved(sender, account: Account, target: Account, **kwargs) -> None:
    """A local account moved: ``Update`` of its actor (now with ``movedTo``), then
    ``Move`` (Mastodon's shape: ``object`` is the actor itself) to its remote followers'
    servers and to those of remote accounts that block it (they carry the block)."""
    if not _local(account):
        return
    blockers = Account.objects.filter(blocking_set__target_account=account).exclude(domain="")
    inboxes = [*delivery.follower_inboxes(account), *delivery.account_inboxes(blockers)]
    update = build.update_actor(account)
    update["id"] += "-moved"  # not the id of a profile edit in the same second
    delivery.deliver(update, account, inboxes)
    delivery.deliver(build.move(account, target), account, inboxes)


# --- wiring ---------------------------------------------------------------------------

def _guarded(handler):
    """Delivery must never break the action that caused it (the event is sent after
    the commit; an exception would reach the user's request)."""
    def run(sender, **kwargs):
        try:
            handler(sender, **kwargs)
        except Exception:
            logger.exception("Could not queue the delivery of %s", handler.__name__)
    run.__name__ = handler.__name__
    return run


_HANDLERS = [
    (post_events, "post_created", on_post_created),
    (post_events, "post_updated", on_post_updated),
    (post_events, "poll_ended", on_poll_ended),
    (post_events, "poll_voted", on_poll_voted),
    (post_events, "post_deleted", on_post_deleted),
    (post_events, "post_removed", on_post_removed),
    (post_events, "post_restored", on_post_restored),
    (post_events, "post_reblogged", on_post_reblogged),
    (post_events, "post_favourited", on_post_favourited),
    (post_events, "post_unfavourited", on_post_unfavourited),
    (post_events, "post_pinned", on_post_pinned),
    (post_events, "post_unpinned", on_post_unpinned),
    (account_events, "follow_requested", on_follow_requested),
    (account_events, "followed", on_followed),
    (account_events, "follow_request_accepted", on_follow_request_accepted),
    (account_events, "follow_request_rejected", on_follow_request_rejected),
    (account_events, "unfollowed", on_unfollowed),
    (account_events, "follower_removed", on_follower_removed),
    (account_events, "blocked", on_blocked),
    (account_events, "unblocked", on_unblocked),
    (account_events, "profile_updated", on_profile_updated),
    (account_events, "account_sanctioned", on_account_sanctioned),
    (account_events, "account_deleted", on_account_deleted),
    (account_events, "account_moved", on_account_moved),
    (moderation_events, "case_opened", on_case_opened),
    (moderation_events, "decision_taken", on_decision_taken),
]
_connected: list = []  # strong references: the signals hold weak ones


def connect() -> None:
    """Subscribe every handler (idempotent: each has a dispatch uid)."""
    for module, name, handler in _HANDLERS:
        signal = getattr(module, name, None)
        if signal is None:
            continue
        guarded = _guarded(handler)
        _connected.append(guarded)
        signal.connect(guarded, dispatch_uid=f"{_UID}.{name}")
