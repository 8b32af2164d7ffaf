"""The media gate: every image passes here before anyone can see it.

It hashes the bytes (SHA-256 and MD5 for exact matching) and returns a verdict.
It acts on no post itself; the caller (``posts.media``) stores the hashes with the
media file and refuses what the verdict refuses. Hash-list matching and PDQ
perceptual hashes plug in here (image-abuse shield).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass
class GateVerdict:
    sha256: str
    md5: str
    allowed: bool = True
    reasons: list[str] = field(default_factory=list)


def inspect_media(data: bytes) -> GateVerdict:
    """Hash ``data`` (the original upload, before re-encoding) and judge it."""
    return GateVerdict(sha256=hashlib.sha256(data).hexdigest(), md5=hashlib.md5(data).hexdigest())
