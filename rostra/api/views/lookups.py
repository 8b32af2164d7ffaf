"""Finding the object a URL names, the same way for every view: an id that is
not a number, does not exist, or may not be seen is a 404."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rostra.accounts.models import Account
from rostra.api.errors import ApiError, not_found, validation
from rostra.posts.models import Post
from rostra.posts.queries import with_relations
from rostra.posts.visibility import can_see


def as_id(value) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise not_found() from None
    if not 0 < number < 2**63:
        raise not_found()
    return number


def batch_ids(request, limit: int) -> list[int]:
    """The ``id[]`` of a request for several objects at once: each once, in the order
    given, those that are not ids skipped (as Mastodon does); more than ``limit`` is
    a 422."""
    ids: list[int] = []
    for value in request.params.list("id"):
        try:
            number = as_id(value)
        except ApiError:
            continue
        if number not in ids:
            ids.append(number)
    if len(ids) > limit:
        raise validation(_("At most %(limit)s ids at once.") % {"limit": limit}, "id")
    return ids


def get_account(account_id) -> Account:
    account = Account.objects.filter(pk=as_id(account_id), suspended_at__isnull=True).first()
    if account is None:
        raise not_found()
    return account


def get_post(post_id, viewer: Account | None) -> Post:
    """The post ``post_id`` if ``viewer`` may see it (``visibility.can_see``), else 404."""
    post = with_relations(Post.objects.filter(pk=as_id(post_id))).first()
    if post is None or not can_see(viewer, post):
        raise not_found()
    return post


def get_own_post(post_id, viewer: Account) -> Post:
    post = get_post(post_id, viewer)
    if post.account_id != viewer.pk:
        raise not_found()
    return post
