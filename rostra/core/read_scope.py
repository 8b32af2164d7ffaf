"""A read scope: within one read (a feed page), the viewer's relations (blocks,
mutes, blocked servers, exclusive lists) are asked for by several steps (the
candidate query, then hydration); inside ``read_scope()`` each is read once.

Only pure reads open a scope, so nothing inside it can change what it remembers;
outside a scope every call reads the database as before.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("rostra_read_scope", default=None)


@contextmanager
def read_scope() -> Iterator[None]:
    """Remember relation reads until the block ends (nested scopes share the outer one)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, once per scope for ``key``; every time outside a scope. Callers
    return copies of mutable values, so no caller can change what another sees."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
