"""OAuth scopes as Mastodon defines them, and the rule of which covers which.

A top-level scope covers its granular forms (``read`` covers ``read:statuses``);
the legacy ``follow`` scope covers the relationship scopes; ``admin:read``
covers ``admin:read:accounts``.
"""

from __future__ import annotations

from collections.abc import Iterable

TOP_LEVEL = ("read", "write", "follow", "push", "profile", "admin:read", "admin:write")
READ = ("accounts", "blocks", "bookmarks", "favourites", "filters", "follows", "lists",
        "mutes", "notifications", "search", "statuses")
WRITE = ("accounts", "blocks", "bookmarks", "conversations", "favourites", "filters",
         "follows", "lists", "media", "mutes", "notifications", "reports", "statuses")
ADMIN = ("accounts", "reports", "domain_allows", "domain_blocks", "ip_blocks",
         "email_domain_blocks", "canonical_email_blocks")
# LOLA (live online account portability): a grant to copy one account, every post of
# every audience, to another server. No other scope covers it, and it covers nothing
# of the client API.
PORTABILITY = "activitypub_account_portability"
FOLLOW_COVERS = {"read:follows", "write:follows", "read:blocks", "write:blocks",
                 "read:mutes", "write:mutes"}

ALL = frozenset(
    [*TOP_LEVEL, *(f"read:{s}" for s in READ), *(f"write:{s}" for s in WRITE),
     *(f"admin:read:{s}" for s in ADMIN), *(f"admin:write:{s}" for s in ADMIN), PORTABILITY]
)
DEFAULT = "read"


class ScopeError(ValueError):
    pass


def parse(raw: str | None, default: str = DEFAULT) -> list[str]:
    """Split a space- (or plus-, or comma-) separated scope string; raise
    ``ScopeError`` naming an unknown scope. Order kept, duplicates dropped."""
    text = (raw or "").replace("+", " ").replace(",", " ").strip() or default
    found: list[str] = []
    for scope in text.split():
        if scope not in ALL:
            raise ScopeError(f"Unknown scope: {scope}")
        if scope not in found:
            found.append(scope)
    return found


def covers(granted: str, required: str) -> bool:
    """Does the granted scope ``granted`` allow what ``required`` names?"""
    if granted == required:
        return True
    if granted == "follow" and required in FOLLOW_COVERS:
        return True
    return required.startswith(granted + ":")


def allows(granted: Iterable[str], *required: str) -> bool:
    """True when any granted scope covers any of the ``required`` alternatives."""
    granted = list(granted)
    return any(covers(g, r) for g in granted for r in required)


def within(requested: Iterable[str], allowed: Iterable[str]) -> bool:
    """Is every requested scope covered by the allowed ones (an app's scopes)?"""
    allowed = list(allowed)
    return all(any(covers(a, r) for a in allowed) for r in requested)
