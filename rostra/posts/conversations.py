"""Direct conversations: each direct thread as each local participant sees it.

Kept by a handler on ``post_created`` (connected in apps.py): a direct post
updates the conversation of its thread for its author (read) and for each local
person mentioned who may see it (unread). A deleted last post falls back to the
thread's previous direct post the participant may see, or the conversation goes.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rostra.accounts.models import Account
from rostra.posts import events
from rostra.posts.models import Conversation, Mention, Post, Visibility
from rostra.posts.visibility import can_see

log = logging.getLogger(__name__)


def _root_id(post: Post) -> int:
    return post.thread_root_id or post.pk


def record(post: Post) -> list[Conversation]:
    """File a new direct ``post`` into its participants' conversations."""
    if post.visibility != Visibility.DIRECT or post.reblog_of_id:
        return []
    mentioned = {m.account for m in Mention.objects.filter(post=post, account__isnull=False)
                 .select_related("account")}
    people = {post.account.pk: post.account} | {a.pk: a for a in mentioned}
    kept = []
    for account in people.values():
        if not account.local:
            continue
        if account.pk != post.account_id and not can_see(account, post):
            continue
        others = sorted(pk for pk in people if pk != account.pk)
        with transaction.atomic():
            conv, _ = Conversation.objects.select_for_update().get_or_create(
                account=account, root_id=_root_id(post),
                defaults={"participant_ids": others},
            )
            conv.participant_ids = sorted(set(conv.participant_ids) | set(others))
            if conv.last_post_id is None or post.pk >= conv.last_post_id:
                conv.last_post = post
            conv.unread = account.pk != post.account_id
            conv.updated_at = timezone.now()
            conv.save()
        kept.append(conv)
    return kept


def refresh_after_delete() -> None:
    """Conversations whose last post is gone take their previous visible one."""
    for conv in Conversation.objects.filter(last_post__isnull=True).select_related("account"):
        thread = Post.objects.filter(Q(pk=conv.root_id) | Q(thread_root_id=conv.root_id),
                                     visibility=Visibility.DIRECT).order_by("-id")
        previous = next((p for p in thread[:50] if can_see(conv.account, p)), None)
        if previous is None:
            conv.delete()
        else:
            conv.last_post = previous
            conv.save(update_fields=["last_post"])


def for_account(account: Account):
    """The account's conversations (a queryset; page it by ``last_post_id``)."""
    return Conversation.objects.filter(account=account, last_post__isnull=False)


def get(account: Account, conversation_id: int) -> Conversation | None:
    return Conversation.objects.filter(account=account, pk=conversation_id).first()


def for_post(account: Account, post_id: int) -> Conversation | None:
    return Conversation.objects.filter(account=account, last_post_id=post_id).first()


def mark_read(account: Account, conversation_id: int) -> Conversation | None:
    conv = get(account, conversation_id)
    if conv is not None and conv.unread:
        conv.unread = False
        conv.save(update_fields=["unread"])
    return conv


def remove(account: Account, conversation_id: int) -> bool:
    """Hide a conversation (it comes back with the next direct post in it)."""
    deleted, _ = Conversation.objects.filter(account=account, pk=conversation_id).delete()
    return bool(deleted)


def participants(conv: Conversation) -> list[Account]:
    found = {a.pk: a for a in Account.objects.filter(pk__in=conv.participant_ids)}
    return [found[pk] for pk in conv.participant_ids if pk in found]


def _on_post_created(sender, post: Post, **kwargs) -> None:
    try:
        record(post)
    except Exception:
        log.exception("Recording the conversation of post %s failed", post.pk)


def _on_post_deleted(sender, **kwargs) -> None:
    try:
        refresh_after_delete()
    except Exception:
        log.exception("Refreshing conversations after a deletion failed")


def connect() -> None:
    events.post_created.connect(_on_post_created, dispatch_uid="rostra-conversations-created")
    events.post_deleted.connect(_on_post_deleted, dispatch_uid="rostra-conversations-deleted")
