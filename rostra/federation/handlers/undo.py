"""Undo of a Follow, Like, Announce or Block the same actor sent."""

from __future__ import annotations

from rostra.accounts import services as accounts
from rostra.accounts.models import Account
from rostra.federation import notes, remote
from rostra.federation.handlers import Ignored
from rostra.federation.handlers.follows import earlier, local_target
from rostra.posts import services as posts


def undo(activity: dict, actor: Account) -> None:
    inner = activity.get("object")
    if isinstance(inner, str):
        inner = earlier(inner, actor)
    if not isinstance(inner, dict):
        raise Ignored("The undone activity is unknown.")
    if notes.first_id(inner.get("actor")) not in ("", actor.uri):
        raise Ignored("An actor can only undo its own activities.")
    kind = inner.get("type")
    if kind == "Follow":
        accounts.unfollow(actor, local_target(inner))
    elif kind == "Block":
        accounts.unblock(actor, local_target(inner))
    elif kind in ("Like", "Announce"):
        post = remote.known_post(notes.first_id(inner.get("object")))
        if post is None:
            raise Ignored("The post is unknown here.")
        if kind == "Like":
            posts.unfavourite(actor, post)
        else:
            posts.unreblog(actor, post)
    else:
        raise Ignored(f"Undoing {kind!r} is not handled.")
