"""Posts that moved to another server with their author (a LOLA account move).

Two sides, one rule each:

* the old server keeps the post and records where its copy lives
  (``record_moved``): its old address then answers with a redirect (the doors
  read ``moved_to_uri``/``moved_to_url``);
* a third server holding a copy of the old post re-homes that copy in place
  (``rehome_remote_post``): same row, so its readers' likes, bookmarks, replies
  and timeline entries stay, now pointing at the new author and address. When it
  already holds the new post too, the old copy is only marked moved.

The doors verify who may say a post moved; these functions only apply it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from rostra.accounts.models import Account
from rostra.posts.errors import PostError
from rostra.posts.models import Post


def record_moved(post: Post, new_uri: str, new_url: str = "") -> bool:
    """Record that local ``post`` now lives at ``new_uri`` (page ``new_url``).
    Returns False when it was already recorded with the same address."""
    if not post.account.local:
        raise PostError("Only a local post can be recorded as moved from here.")
    if post.reblog_of_id:
        raise PostError("A boost does not move.")
    new_url = new_url or new_uri
    if post.moved_to_uri == new_uri and post.moved_to_url == new_url:
        return False
    Post.objects.filter(pk=post.pk).update(moved_to_uri=new_uri, moved_to_url=new_url)
    post.moved_to_uri, post.moved_to_url = new_uri, new_url
    return True


@transaction.atomic
def rehome_remote_post(post: Post, author: Account, new_uri: str, new_url: str = "") -> Post:
    """Point the stored remote ``post`` at its new home: ``author`` (remote) at
    ``new_uri``. If a post with ``new_uri`` is already stored, the old copy is
    marked moved instead, and that post is returned."""
    if post.account.local or author.local:
        raise PostError("Only a remote post moves to a remote author.")
    existing = Post.objects.filter(uri=new_uri).exclude(pk=post.pk).first()
    if existing is not None:
        Post.objects.filter(pk=post.pk).update(moved_to_uri=new_uri,
                                               moved_to_url=new_url or new_uri)
        return existing
    old_author_id = post.account_id
    Post.objects.filter(pk=post.pk).update(account=author, uri=new_uri,
                                           origin_url=new_url or new_uri,
                                           moved_to_uri="", moved_to_url="")
    if old_author_id != author.pk:
        Post.objects.filter(in_reply_to=post, in_reply_to_account_id=old_author_id).update(
            in_reply_to_account=author)
        Account.objects.filter(pk=old_author_id, statuses_count__gt=0).update(
            statuses_count=F("statuses_count") - 1)
        Account.objects.filter(pk=author.pk).update(statuses_count=F("statuses_count") + 1)
    post.refresh_from_db()
    return post
