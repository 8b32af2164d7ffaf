"""Posts that moved with their author to another server: telling the servers that
hold a copy (old server's side), and believing such news (a holder's side).

FEP-e965 and FEP-7628 shape the notice for an actor that moved; for objects they
are silent, so we use the same ``Move`` with a post as its object::

    {"type": "Move", "actor": <old author>, "object": <old post id>,
     "target": <new post id>, "to"/"cc": the post's original audience}

signed by the old author and sent to every inbox the post's ``Create`` reached
(the delivery records). The ``id`` is the old post's id with a fragment naming
the target, so a second move of the same post is a new activity.

A receiving server believes it only when (1) the signer is the author of the post
it holds under that id, (2) the target, fetched from its own server, is a post by
an actor on that server, and (3) that actor is where the old author moved
(``Account.moved_to`` as recorded from its ``Move``) or lists the old author in
its ``alsoKnownAs``; when the new object carries LOLA's ``previously``
breadcrumbs, they must name the old id. The held copy is then re-homed in place
(``posts.moves.rehome_remote_post``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from rostra.accounts.models import Account
from rostra.federation import delivery, notes, remote, uris
from rostra.federation.serializers.context import with_context
from rostra.federation.serializers.note import addressing
from rostra.posts import moves
from rostra.posts.models import Post


class NotBelieved(Exception):
    """A notice of a moved post that cannot be verified; the message says why."""


# --- sending (the old server) ------------------------------------------------------

def move_activity(account: Account, post: Post) -> dict:
    old = uris.post_uri(post)
    to, cc = addressing(post)
    tag = hashlib.sha256(post.moved_to_uri.encode()).hexdigest()[:16]
    return with_context({
        "id": f"{old}#moved-{tag}",
        "type": "Move",
        "actor": uris.actor_uri(account),
        "object": old,
        "target": post.moved_to_uri,
        "to": to,
        "cc": cc,
    })


def holders(post: Post) -> list[str]:
    """The inboxes the post's ``Create`` was delivered to (or queued for)."""
    from rostra.federation.outbox_events import _earlier_deliveries

    inboxes, _sent = _earlier_deliveries(uris.activity_uri(post))
    return inboxes


def notify_holders(account: Account, posts: Iterable[Post]) -> int:
    """Queue a ``Move`` per moved post to the servers holding it; the number queued."""
    queued = 0
    for post in posts:
        if post.moved_to_uri and post.account_id == account.pk:
            queued += delivery.deliver(move_activity(account, post), account, holders(post))
    return queued


# --- receiving (a holder) ------------------------------------------------------------

def _previously(document: dict) -> list[str]:
    crumbs = document.get("previously")
    crumbs = crumbs if isinstance(crumbs, list) else [crumbs] if crumbs else []
    return [notes.first_id(c) for c in crumbs]


def _trusted(old_author: Account, new_author: Account) -> bool:
    if old_author.moved_to_id and old_author.moved_to_id == new_author.pk:
        return True
    aliases = new_author.remote_actor.also_known_as if hasattr(new_author,
                                                                "remote_actor") else []
    return old_author.uri in (aliases or [])


def apply_move(activity: dict, actor: Account) -> Post:
    """Verify the ``Move`` of a post by ``actor`` and re-home our copy; returns the
    post now at the new address. Raises ``NotBelieved`` or ``remote.RemoteError``."""
    old_id = notes.first_id(activity.get("object"))
    new_id = notes.first_id(activity.get("target"))
    if not old_id or not new_id or old_id == new_id:
        raise NotBelieved("The move names no post or no target.")
    post = Post.objects.filter(uri=old_id, account=actor).first()
    if post is None:
        raise NotBelieved("No post by this actor under that id is held here.")
    if uris.is_local_uri(new_id):
        raise NotBelieved("A post cannot move onto this server by a notice.")
    document, final_url = remote.fetch_document(new_id)
    remote._check_origin(document, final_url)
    if document.get("id") != new_id or document.get("type") not in remote.OBJECT_TYPES:
        raise NotBelieved("The target is not a post.")
    author_uri = notes.first_id(document.get("attributedTo"))
    if not author_uri or not remote.same_origin(author_uri, new_id):
        raise NotBelieved("The target's author is not on the target's server.")
    new_author = remote.fetch_actor(author_uri, refresh=True)
    if new_author.local or not _trusted(actor, new_author):
        raise NotBelieved("The target's author is not where this actor moved.")
    crumbs = _previously(document)
    if crumbs and old_id not in crumbs:
        raise NotBelieved("The target does not say it was copied from this post.")
    url = notes.first_id(document.get("url")) or new_id
    return moves.rehome_remote_post(post, new_author, new_id, url)
