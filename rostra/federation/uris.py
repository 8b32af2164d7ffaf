"""The ActivityPub ids and URLs of our objects, in one place.

Local objects get ids on our origin (``/users/<name>``, ``/users/<name>/statuses/<id>``);
remote objects keep the ids their servers gave them (``Account.uri``, ``Post.uri``).
"""

from __future__ import annotations

from django.conf import settings

from rostra.accounts.models import Account
from rostra.core.links import absolute_url

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def origin() -> str:
    return absolute_url("")


def is_local_uri(uri: str) -> bool:
    return uri.startswith(origin() + "/")


def instance_actor_uri() -> str:
    return absolute_url("/actor")


def actor_uri(account: Account) -> str:
    if account.local:
        return absolute_url(f"/users/{account.username}")
    return account.uri


def actor_path(account: Account, suffix: str = "") -> str:
    """An absolute URL under a local actor: ``actor_path(a, "/outbox")``."""
    return absolute_url(f"/users/{account.username}{suffix}")


def profile_url(account: Account) -> str:
    if account.local:
        return absolute_url(f"/@{account.username}")
    return account.url or account.uri


def followers_uri(account: Account) -> str:
    return actor_path(account, "/followers") if account.local else ""


def post_uri(post) -> str:
    """The ActivityPub id of ``post``: computed on our origin for local posts."""
    if post.account.local:
        if post.uri and is_local_uri(post.uri):
            return post.uri
        return actor_path(post.account, f"/statuses/{post.pk}")
    return post.uri


def post_url(post) -> str:
    """The HTML page of ``post``."""
    if post.account.local:
        return absolute_url(f"/@{post.account.username}/{post.pk}")
    return post.origin_url or post.uri


def activity_uri(post) -> str:
    """The id of the Create (or Announce, for a boost) of a local post."""
    return f"{post_uri(post)}/activity"


def tag_url(name: str) -> str:
    return absolute_url(f"/tags/{name.lower()}")


def media_url(path_or_url: str) -> str:
    if path_or_url.startswith(("http://", "https://")):
        return path_or_url
    return absolute_url(path_or_url) if path_or_url.startswith("/") else absolute_url(
        settings.MEDIA_URL + path_or_url
    )
