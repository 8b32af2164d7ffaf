"""Inbound activities, one module per family; each handler calls the domain services
(never the models of another app) with the verified ``actor``'s account.

A handler returns normally when the activity took effect, raises ``Ignored`` when it
is understood but has nothing to act on here (not addressed to us, unknown object,
refused by a rule). ``dispatch`` picks the handler by ``type``.
"""

from __future__ import annotations

from collections.abc import Callable

from rostra.accounts.models import Account


class Ignored(Exception):
    """The activity is accepted but changes nothing; the message says why."""


class Refused(Ignored):
    """Ignored, and the sender must be told (a Follow from an account or a server the
    target blocked gets a Reject, as Mastodon sends, so it does not wait forever).
    ``answer`` runs after the handler's transaction is rolled back."""

    def __init__(self, message: str, answer: Callable[[], None]):
        super().__init__(message)
        self.answer = answer


Handler = Callable[[dict, Account], None]


def _table() -> dict[str, Handler]:
    from rostra.federation.handlers import actors, follows, objects_moved, posts, reports, undo

    return {
        "Follow": follows.follow,
        "Accept": follows.accept,
        "Reject": follows.reject,
        "Block": follows.block,
        "Undo": undo.undo,
        "Create": posts.create,
        "Update": posts.update,
        "Delete": posts.delete,
        "Like": posts.like,
        "Announce": posts.announce,
        "Flag": reports.flag,
        "Add": actors.add,
        "Remove": actors.remove,
        "Move": objects_moved.move,  # an actor moving itself goes on to actors.move
    }


def dispatch(activity: dict, actor: Account) -> None:
    handler = _table().get(activity.get("type"))
    if handler is None:
        raise Ignored(f"Activities of type {activity.get('type')!r} are not handled.")
    handler(activity, actor)
