"""What the detectors read and what they return: plain records, no Django, so the
same code runs over this server's posts, a partner's CSV and the benchmark's
synthetic world."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

# Behaviour names, shared with incidents, DISARM mapping and the STIX export.
CO_BOOST = "co_boost"  # boosting the same post within a window
CO_REPLY = "co_reply"  # replying to the same post within a window
CO_LINK = "co_link"  # sharing the same URL (or a rare domain) within a window
CO_TEXT = "co_text"  # posting the identical (normalised) text within a window
NEAR_DUPLICATE_TEXT = "near_duplicate_text"  # near-identical text (MinHash LSH)
CO_HASHTAG = "co_hashtag"  # the same rare hashtag sequence within a window
CO_IMAGE = "co_image"  # the same image (PDQ within a distance) within a window
SYNCHRONIZED_CREATION = "synchronized_creation"  # accounts created in a burst
HANDLE_PATTERN = "handle_pattern"  # handles from one template (name + digits)

BEHAVIOURS = (CO_BOOST, CO_REPLY, CO_LINK, CO_TEXT, NEAR_DUPLICATE_TEXT, CO_HASHTAG,
              CO_IMAGE, SYNCHRONIZED_CREATION, HANDLE_PATTERN)


class Message(NamedTuple):
    """One post, in the column order of coordination-network-toolkit's CSV
    (``message_id,user_id,username,repost_id,reply_id,message,timestamp,urls``)
    plus the PDQ hashes of its images. Ids are strings; "" means none. A named
    tuple, not a frozen dataclass: a million of them are built per analysis, and a
    frozen dataclass takes four times as long to make."""

    message_id: str
    user_id: str
    username: str
    repost_id: str
    reply_id: str
    text: str
    timestamp: float  # Unix seconds
    urls: tuple[str, ...] = ()
    image_hashes: tuple[str, ...] = ()  # 64-hex-digit PDQ


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """What the account-level detectors (creation bursts, handle patterns) read."""

    user_id: str
    username: str
    created_at: float  # Unix seconds
    domain: str = ""  # "" = this server


@dataclass
class Cluster:
    """A group of accounts acting in concert.

    ``score`` is in [0, 1]: how far the group's ties stand above what the null
    model (shuffled timings) produces; ``evidence`` the message ids that make the
    ties; ``edges`` the strongest ties (account, account, weight, behaviour);
    ``figures`` per behaviour (ties, messages, threshold used)."""

    accounts: list[str]
    behaviours: list[str]
    score: float
    evidence: list[str]
    first_seen: float = 0.0
    last_seen: float = 0.0
    edges: list[tuple[str, str, float, str]] = field(default_factory=list)
    figures: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        """The shape ``rostra integrity analyse`` writes."""
        return {"accounts": list(self.accounts), "behaviours": list(self.behaviours),
                "score": round(float(self.score), 4), "evidence": list(self.evidence)}
