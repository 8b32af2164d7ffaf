"""Builders of the activities we send. Pure: they read models and return dicts with
``@context``; delivering them (addressing inboxes, signing, retrying) is delivery's job.

Every activity has a stable id, so a redelivered one is recognised as the same:

* ``Create``/``Announce`` of a local post: ``<post uri>/activity``;
* ``Update``: ``<object id>#updates/<unix time in milliseconds>`` (two updates in one
  second are two activities); ``Delete``: ``<object id>#delete``;
* ``Like``/``Follow``/``Block``: ``<actor>#likes/<id>`` etc. (pass ``activity_id`` to reuse
  a stored one, e.g. ``Follow.uri``); ``Undo``: ``<undone id>/undo``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.utils import timezone

from rostra.accounts.models import Account
from rostra.federation import uris
from rostra.federation.serializers.actor import serialize_actor
from rostra.federation.serializers.common import iso
from rostra.federation.serializers.context import with_context
from rostra.federation.serializers.note import addressing, serialize_note
from rostra.posts.models import Favourite, Post, Visibility


def _maybe_context(document: dict, context: bool) -> dict:
    return with_context(document) if context else document


def _new_id(actor: Account, kind: str) -> str:
    return f"{uris.actor_uri(actor)}#{kind}/{uuid.uuid4().hex}"


def create(post: Post, *, context: bool = True) -> dict:
    """``Create`` of a local ``post`` with the object embedded; same addressing."""
    to, cc = addressing(post)
    return _maybe_context({
        "id": uris.activity_uri(post),
        "type": "Create",
        "actor": uris.actor_uri(post.account),
        "published": iso(post.published),
        "to": to,
        "cc": cc,
        "object": serialize_note(post, context=False),
    }, context)


def vote(voter: Account, poll, choice: int, vote_id: int) -> dict:
    """A vote in a remote poll, as Mastodon sends it: a ``Create`` of a ``Note`` with
    the option's text as ``name``, in reply to the ``Question``, to its author only
    (one per choice)."""
    post = poll.post
    actor = uris.actor_uri(voter)
    author = uris.actor_uri(post.account)
    note_id = f"{actor}#votes/{vote_id}"
    return with_context({
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": actor,
        "to": [author],
        "object": {"id": note_id, "type": "Note", "name": poll.options[choice],
                   "attributedTo": actor, "to": [author], "inReplyTo": post.uri},
    })


def update_note(post: Post, *, when: datetime | None = None) -> dict:
    to, cc = addressing(post)
    moment = when or post.edited_at or timezone.now()
    return with_context({
        "id": f"{uris.post_uri(post)}#updates/{int(moment.timestamp() * 1000)}",
        "type": "Update",
        "actor": uris.actor_uri(post.account),
        "published": iso(moment),
        "to": to,
        "cc": cc,
        "object": serialize_note(post, context=False),
    })


def update_actor(account: Account, *, when: datetime | None = None) -> dict:
    """``Update`` of a profile, sent to followers (and the Public collection)."""
    moment = when or timezone.now()
    document = serialize_actor(account)
    document.pop("@context", None)
    return with_context({
        "id": f"{uris.actor_uri(account)}#updates/{int(moment.timestamp() * 1000)}",
        "type": "Update",
        "actor": uris.actor_uri(account),
        "to": [uris.PUBLIC],
        "cc": [uris.followers_uri(account)],
        "object": document,
    })


def delete(actor: Account, object_uri: str, *, to: list[str] | None = None,
           cc: list[str] | None = None) -> dict:
    """``Delete`` of ``object_uri`` (a post: a ``Tombstone``; the actor itself: its id)."""
    is_actor = object_uri == uris.actor_uri(actor)
    obj: str | dict = object_uri if is_actor else {
        "id": object_uri, "type": "Tombstone", "atomUri": object_uri}
    return with_context({
        "id": f"{object_uri}#delete",
        "type": "Delete",
        "actor": uris.actor_uri(actor),
        "to": to if to is not None else [uris.PUBLIC],
        "cc": cc or [],
        "object": obj,
    })


def announce(boost: Post, *, context: bool = True) -> dict:
    """``Announce`` of ``boost.reblog_of`` by ``boost.account`` (a boost is a Post)."""
    original = boost.reblog_of
    author = uris.actor_uri(original.account)
    followers = uris.followers_uri(boost.account)
    if boost.visibility == Visibility.PUBLIC:
        to, cc = [uris.PUBLIC], [author, followers]
    else:
        to, cc = [followers], [uris.PUBLIC, author]
    return _maybe_context({
        "id": uris.activity_uri(boost),
        "type": "Announce",
        "actor": uris.actor_uri(boost.account),
        "published": iso(boost.published),
        "to": to,
        "cc": cc,
        "object": uris.post_uri(original),
    }, context)


def like(favourite: Favourite) -> dict:
    actor = uris.actor_uri(favourite.account)
    return with_context({
        "id": f"{actor}#likes/{favourite.pk}",
        "type": "Like",
        "actor": actor,
        "object": uris.post_uri(favourite.post),
    })


def follow(account: Account, target: Account, *, activity_id: str = "") -> dict:
    return with_context({
        "id": activity_id or _new_id(account, "follows"),
        "type": "Follow",
        "actor": uris.actor_uri(account),
        "object": uris.actor_uri(target),
    })


def _answer(kind: str, target: Account, follow_activity: dict | str, follower: Account | None
            ) -> dict:
    if isinstance(follow_activity, str):
        if follower is None:
            raise ValueError("Pass the follower when the Follow is given by its id.")
        follow_activity = {"id": follow_activity, "type": "Follow",
                           "actor": uris.actor_uri(follower), "object": uris.actor_uri(target)}
    follow_activity = {k: v for k, v in follow_activity.items() if k != "@context"}
    return with_context({
        "id": f"{uris.actor_uri(target)}#{kind.lower()}s/follows/{uuid.uuid4().hex}",
        "type": kind,
        "actor": uris.actor_uri(target),
        "object": follow_activity,
    })


def accept(target: Account, follow_activity: dict | str, follower: Account | None = None
           ) -> dict:
    """``Accept`` by ``target`` of a ``Follow`` (the received dict, or its id + follower)."""
    return _answer("Accept", target, follow_activity, follower)


def reject(target: Account, follow_activity: dict | str, follower: Account | None = None
           ) -> dict:
    return _answer("Reject", target, follow_activity, follower)


def undo(actor: Account, undone: dict) -> dict:
    """``Undo`` of an activity we sent before (``undone`` as built then)."""
    inner = {k: v for k, v in undone.items() if k != "@context"}
    return with_context({
        "id": f"{inner['id']}/undo",
        "type": "Undo",
        "actor": uris.actor_uri(actor),
        "object": inner,
    })


def block(account: Account, target: Account, *, activity_id: str = "") -> dict:
    return with_context({
        "id": activity_id or _new_id(account, "blocks"),
        "type": "Block",
        "actor": uris.actor_uri(account),
        "object": uris.actor_uri(target),
    })


def _featured_change(kind: str, account: Account, post: Post) -> dict:
    return with_context({
        "id": _new_id(account, kind.lower()),
        "type": kind,
        "actor": uris.actor_uri(account),
        "object": uris.post_uri(post),
        "target": uris.actor_path(account, "/collections/featured"),
    })


def add(account: Account, post: Post) -> dict:
    """``Add`` of a pinned post to the featured collection."""
    return _featured_change("Add", account, post)


def remove(account: Account, post: Post) -> dict:
    """``Remove`` of an unpinned post from the featured collection."""
    return _featured_change("Remove", account, post)


def move(account: Account, target: Account) -> dict:
    """``Move`` of ``account``'s followers to ``target`` (which lists us in alsoKnownAs)."""
    origin = uris.actor_uri(account)
    return with_context({
        "id": _new_id(account, "moves"),
        "type": "Move",
        "actor": origin,
        "object": origin,
        "target": uris.actor_uri(target),
        "to": [uris.followers_uri(account)],
    })


def flag(reported: Account, post_uris: list[str], content: str, *,
         activity_id: str = "") -> dict:
    """``Flag`` (a report) sent to ``reported``'s server by the instance actor, which
    hides the reporter as Mastodon does."""
    return with_context({
        "id": activity_id or f"{uris.instance_actor_uri()}#flags/{uuid.uuid4().hex}",
        "type": "Flag",
        "actor": uris.instance_actor_uri(),
        "content": content,
        "object": [uris.actor_uri(reported), *post_uris],
    })
