"""Version strings Rostra announces: its own, and the Mastodon API level it speaks
(client libraries and NodeInfo readers pick features by the latter)."""

from __future__ import annotations

from functools import cache
from importlib import metadata

MASTODON_API_VERSION = "4.3.0"


@cache
def rostra_version() -> str:
    try:
        return metadata.version("rostra")
    except metadata.PackageNotFoundError:  # a checkout that was never installed
        return "0.1.0"
