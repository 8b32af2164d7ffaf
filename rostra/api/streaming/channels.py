"""Who is connecting and which streams they asked for (synchronous; called
from the async handlers through ``db``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rostra.accounts.models import Account
from rostra.api import oauth
from rostra.api import scopes as scope_rules
from rostra.streaming import streams
from rostra.timelines.models import List

READ_ANY = ("read:statuses", "read:notifications")


class StreamError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Viewer:
    account: Account | None = None
    scopes: list[str] = field(default_factory=list)

    def allows(self, *needed: str) -> bool:
        return self.account is not None and scope_rules.allows(self.scopes, *needed)


@dataclass(frozen=True)
class Channel:
    """One subscription: its name as sent back (``["hashtag", "cats"]``), the log
    key it reads, and the events it carries (None: all)."""

    name: tuple[str, ...]
    key: str
    events: frozenset[str] | None = None

    def carries(self, event: str) -> bool:
        return self.events is None or event in self.events


def authenticate(plain: str | None) -> Viewer:
    """The viewer a token names; no token is an anonymous viewer; a bad one a 401."""
    if not plain:
        return Viewer()
    token = oauth.find_token(plain)
    if token is None:
        raise StreamError(401, "Invalid access token")
    if token.user is None:
        return Viewer(None, token.scope_list)
    refusal = oauth.login_refusal(token.user)
    if refusal:
        raise StreamError(403, refusal)
    return Viewer(token.user.account, token.scope_list)


def _tag(value: str | None) -> str:
    tag = (value or "").strip().lstrip("#")
    if not tag:
        raise StreamError(400, "No tag for stream provided")
    return tag


def resolve(name: str, viewer: Viewer, *, tag: str | None = None,
            list_id: str | None = None) -> Channel:
    """The channel for Mastodon's stream ``name`` (``user``, ``public:local``, ...)."""
    me = viewer.account
    if name in ("user", "user:notification", "direct", "list"):
        if me is None:
            raise StreamError(401, "Missing access token")
    if name == "user":
        if not viewer.allows(*READ_ANY):
            raise StreamError(403, "Access token does not have the required scopes")
        return Channel(("user",), streams.user_stream(me.pk))
    if name == "user:notification":
        if not viewer.allows("read:notifications"):
            raise StreamError(403, "Access token does not have the required scopes")
        return Channel(("user:notification",), streams.user_stream(me.pk),
                       frozenset({streams.NOTIFICATION}))
    if name == "direct":
        if not viewer.allows("read:statuses"):
            raise StreamError(403, "Access token does not have the required scopes")
        return Channel(("direct",), streams.direct_stream(me.pk),
                       frozenset({streams.CONVERSATION}))
    if name == "list":
        if not viewer.allows("read:lists", "read:statuses"):
            raise StreamError(403, "Access token does not have the required scopes")
        raw = str(list_id or "")
        if not (raw.isascii() and raw.isdigit()) or not List.objects.filter(
                pk=int(raw), account=me).exists():
            raise StreamError(404, "List not found")
        return Channel(("list", str(list_id)), f"list:{list_id}")
    if name in ("public", "public:local", "public:remote"):
        return Channel((name,), name)
    if name in ("hashtag", "hashtag:local"):
        value = _tag(tag)
        return Channel((name, value),
                       streams.hashtag_stream(value, local=name == "hashtag:local"))
    raise StreamError(400, f"Unknown stream type {name!r}")
