"""Move (account migration) and the featured collection (Add/Remove) of remote actors."""

from __future__ import annotations

from rostra.accounts.models import Account
from rostra.federation import notes, remote
from rostra.federation.handlers import Ignored
from rostra.federation.models import RemoteActor
from rostra.portability import move as moving
from rostra.posts import services as posts
from rostra.posts.errors import PostError


def move(activity: dict, actor: Account) -> None:
    """``Move`` of ``actor``'s followers to ``target`` (Mastodon's account migration):
    the target, fetched afresh (or ours), must list ``actor`` in ``alsoKnownAs``; then
    our users who follow ``actor`` follow the target (``portability.move``)."""
    if notes.first_id(activity.get("object")) != actor.uri:
        raise Ignored("An actor can only move itself.")
    target_uri = notes.first_id(activity.get("target"))
    if not target_uri or target_uri == actor.uri:
        raise Ignored("The move has no target.")
    try:
        target = remote.fetch_actor(target_uri, refresh=True)
    except remote.RemoteError as exc:
        raise Ignored(str(exc)) from exc
    try:
        moving.accept_move(actor, target)
    except moving.MoveError as exc:
        raise Ignored(str(exc)) from exc


def _featured_post(activity: dict, actor: Account):
    remote_actor = RemoteActor.objects.filter(account=actor).first()
    featured = remote_actor.featured_url if remote_actor else ""
    if not featured or notes.first_id(activity.get("target")) != featured:
        raise Ignored("Only changes to the actor's featured collection are handled.")
    try:
        post = remote.fetch_object(notes.first_id(activity.get("object")))
    except remote.RemoteError as exc:
        raise Ignored(str(exc)) from exc
    if post.account_id != actor.pk:
        raise Ignored("An actor can only feature its own posts.")
    return post


def add(activity: dict, actor: Account) -> None:
    try:
        posts.pin(actor, _featured_post(activity, actor))
    except PostError as exc:
        raise Ignored(str(exc)) from exc


def remove(activity: dict, actor: Account) -> None:
    posts.unpin(actor, _featured_post(activity, actor))
