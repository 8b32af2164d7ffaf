"""JSON from outside (activities, remote documents, partners' files), read so that
what parses can also be stored: PostgreSQL's ``jsonb`` refuses the ``NaN`` and
``Infinity`` Python's parser accepts, and the NUL character in a string. Refusing
them here turns what was a 500 on PostgreSQL (found by the inbox fuzz run) into a
clear "not valid JSON" on every database."""

from __future__ import annotations

import json
from typing import Any


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value.")


def loads(data: bytes | str) -> Any:
    """``json.loads`` without NaN, Infinity and NUL characters; ``ValueError`` (or
    ``UnicodeDecodeError``, a ValueError) otherwise."""
    if (b"\\u0000" if isinstance(data, bytes) else "\\u0000") in data:
        raise ValueError("A string holds a NUL character (\\u0000).")
    return json.loads(data, parse_constant=_refuse_constant)
