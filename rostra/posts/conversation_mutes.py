"""Muted conversations (Mastodon's conversation mutes).

Someone who takes part in a thread (wrote a post in it, or is mentioned in one)
can mute it: ``notifications.services.notify`` then tells them nothing more that
comes from its posts (mentions, replies, likes, boosts, edits, polls). A thread is
keyed on its first post (``thread_root``), as direct conversations are; a boost
stands for the post it boosts. Unmuting is always allowed and only affects what
happens next.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from rostra.accounts.models import Account
from rostra.posts.errors import NotVisible, PostError
from rostra.posts.models import ConversationMute, Mention, Post
from rostra.posts.visibility import can_see


class NotInConversation(PostError):
    """Only someone who takes part in a thread may mute it (as Mastodon offers it)."""

    def __init__(self) -> None:
        super().__init__(_("You can only mute a conversation you take part in: one you "
                           "posted in or were mentioned in."))


def root_id(post: Post) -> int:
    """The id of the first post of ``post``'s thread (of the boosted post's thread
    for a boost)."""
    if post.reblog_of_id:
        post = post.reblog_of
    return post.thread_root_id or post.pk


def takes_part(account: Account, post: Post) -> bool:
    """Did ``account`` write a post of ``post``'s thread, or is it mentioned in one?"""
    if post.reblog_of_id:
        post = post.reblog_of
    if post.account_id == account.pk or Mention.objects.filter(post=post,
                                                               account=account).exists():
        return True
    root = root_id(post)
    in_thread = Q(pk=root) | Q(thread_root_id=root)
    return Post.objects.filter(in_thread).filter(
        Q(account=account) | Q(mentions__account=account)).exists()


def mute_conversation(account: Account, post: Post) -> ConversationMute:
    """Mute ``post``'s thread for ``account`` (idempotent).

    Raises ``NotVisible`` when the account may not see the post and
    ``NotInConversation`` when it takes no part in the thread.
    """
    if not can_see(account, post):
        raise NotVisible()
    if not takes_part(account, post):
        raise NotInConversation()
    mute, _created = ConversationMute.objects.get_or_create(account=account,
                                                            root_id=root_id(post))
    return mute


def unmute_conversation(account: Account, post: Post) -> None:
    """Notifications from ``post``'s thread resume for what happens from now on.
    Nothing is refused: a thread one has left may still be unmuted."""
    if not can_see(account, post):
        raise NotVisible()
    ConversationMute.objects.filter(account=account, root_id=root_id(post)).delete()


def is_muted(account: Account, post: Post) -> bool:
    """Has ``account`` muted ``post``'s thread? (For a page of posts,
    ``queries.hydrate`` sets ``viewer_muted`` on each within its one round trip.)"""
    return ConversationMute.objects.filter(account=account, root_id=root_id(post)).exists()

