"""The media gate: every image and video passes here before anyone can see it.

It hashes the bytes (SHA-256 and MD5 for exact copies, PDQ for look-alikes: of
the image, or of frames sampled from a video) and matches them against the
enabled hash lists (``matching``). It acts on no post itself: the caller
(``posts.media``, ``accounts.services``) stores the hashes with the file and
holds or refuses what the verdict does not allow.

``reasons`` are for logs and moderators: they name neither the list nor its
kind. Whether to tell the uploader anything (never for CSAM) is the caller's
decision, from ``matches``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rostra.safety.hashing import hash_image, hash_video
from rostra.safety.matching import Match, match

SIGNAL_NAMES = {"sha256": "SHA-256", "md5": "MD5", "pdq": "PDQ"}


@dataclass
class GateVerdict:
    sha256: str
    md5: str
    allowed: bool = True  # no hash list matched
    reasons: list[str] = field(default_factory=list)
    pdq: str | None = None  # an image's PDQ, or a video's first frame's (its poster)
    pdq_quality: int | None = None
    frame_pdqs: list[tuple[str, int]] = field(default_factory=list)  # a video's frames
    matches: list[Match] = field(default_factory=list)  # worst first


def _reason(m: Match) -> str:
    how = (f"within {m.distance} bits (PDQ)" if m.signal_type == "pdq"
           else f"exactly ({SIGNAL_NAMES.get(m.signal_type, m.signal_type)})")
    return f"The file matches a hash list entry {how}; the list says {m.action}."


def inspect_media(data: bytes, *, video: bool = False) -> GateVerdict:
    """Hash ``data`` (the original upload, before any re-encoding) and judge it.

    An image is matched by its exact hashes and by its PDQ in all 8 rotations and
    flips; a video (``video=True``) by the file's exact hashes and the PDQ of its
    sampled frames, each in all 8 too. Data that does not decode is still matched
    by its exact hashes (the caller's decoder refuses it).
    """
    if video:
        clip = hash_video(data)
        sha256, md5, frames = clip.sha256, clip.md5, clip.frames
        variants = [list(v) for v in clip.dihedral]
        pdq, quality = frames[0] if frames else (None, None)
    else:
        image = hash_image(data)
        sha256, md5, pdq, quality = image.sha256, image.md5, image.pdq, image.pdq_quality
        frames = []
        variants = [list(image.dihedral)] if pdq else []
    queried = frames if video else ([(pdq, quality)] if pdq else [])
    matches = match(sha256=sha256, md5=md5, pdqs=queried, variants=variants)
    return GateVerdict(sha256=sha256, md5=md5, allowed=not matches,
                       reasons=[_reason(m) for m in matches], pdq=pdq, pdq_quality=quality,
                       frame_pdqs=list(frames), matches=matches)
