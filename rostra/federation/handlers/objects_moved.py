"""``Move`` of a post (a LOLA account move took it to another server).

``Move`` also names an actor moving itself (``handlers.actors.move``, FEP-7628):
the two are told apart by whether ``object`` is the sending actor; that case is
handed over unchanged. The checks and the re-homing are in
``federation.object_moves``.
"""

from __future__ import annotations

from rostra.accounts.models import Account
from rostra.federation import notes, object_moves, remote
from rostra.federation.handlers import Ignored


def move(activity: dict, actor: Account) -> None:
    if notes.first_id(activity.get("object")) == actor.uri:
        from rostra.federation.handlers import actors

        actors.move(activity, actor)
        return
    try:
        object_moves.apply_move(activity, actor)
    except (object_moves.NotBelieved, remote.RemoteError) as exc:
        raise Ignored(str(exc)) from exc
