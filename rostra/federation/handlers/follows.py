"""Follow, Accept, Reject and Block: the social graph through ``accounts.services``.

Answers (Accept/Reject of a Follow) are *sent* by delivery on the domain events
``accounts.events.followed`` / ``follow_requested`` / ``follow_request_accepted``.
"""

from __future__ import annotations

import functools

from rostra.accounts import services as accounts
from rostra.accounts.domain_blocks import blocked_across
from rostra.accounts.errors import AccountError
from rostra.accounts.models import Account, Follow, FollowRequest
from rostra.federation import notes, outbox_events, remote
from rostra.federation.handlers import Ignored, Refused
from rostra.federation.models import InboxActivity


def local_target(activity: dict) -> Account:
    target = remote.local_account_for(notes.first_id(activity.get("object")))
    if target is None:
        raise Ignored("The object is not an account of this server.")
    return target


def follow(activity: dict, actor: Account) -> None:
    target = local_target(activity)
    follow_id = activity["id"][:2048]
    try:
        accounts.follow(actor, target, uri=follow_id)
    except AccountError as exc:
        if accounts.is_blocked_between(actor, target) or blocked_across(actor, target):
            raise Refused(str(exc), functools.partial(
                outbox_events.reject_follow, target, actor, follow_id)) from exc
        raise Ignored(str(exc)) from exc


def _our_follow(activity: dict, actor: Account) -> tuple[Account, str]:
    """(local follower, Follow id) of the Follow that ``actor`` answers."""
    inner = activity.get("object")
    if isinstance(inner, str):
        follow_id = inner
        request = FollowRequest.objects.filter(uri=inner, target_account=actor).first()
        row = request or Follow.objects.filter(uri=inner, target_account=actor).first()
        if row is None:
            raise Ignored("No follow of ours has this id.")
        return row.account, follow_id
    if not isinstance(inner, dict) or inner.get("type") != "Follow":
        raise Ignored("The object is not a Follow.")
    follower = remote.local_account_for(notes.first_id(inner.get("actor")))
    if follower is None or notes.first_id(inner.get("object")) != actor.uri:
        raise Ignored("The Follow is not from here to the answering actor.")
    return follower, notes.first_id(inner.get("id"))


def accept(activity: dict, actor: Account) -> None:
    follower, _follow_id = _our_follow(activity, actor)
    request = FollowRequest.objects.filter(account=follower, target_account=actor).first()
    if request is not None:
        accounts.accept_follow_request(actor, request)
    elif not Follow.objects.filter(account=follower, target_account=actor).exists():
        raise Ignored("No pending follow to accept.")


def reject(activity: dict, actor: Account) -> None:
    follower, _follow_id = _our_follow(activity, actor)
    request = FollowRequest.objects.filter(account=follower, target_account=actor).first()
    if request is not None:
        accounts.reject_follow_request(actor, request)
    accounts.remove_follower(actor, follower)


def block(activity: dict, actor: Account) -> None:
    target = local_target(activity)
    try:
        accounts.block(actor, target)
    except AccountError as exc:
        raise Ignored(str(exc)) from exc


def earlier(activity_id: str, actor: Account) -> dict | None:
    """An activity ``actor`` sent us before (Undo often names it by id only)."""
    row = InboxActivity.objects.filter(activity_id=activity_id, actor_uri=actor.uri).first()
    return row.payload if row else None
