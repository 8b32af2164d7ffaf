"""DISARM (the Red framework of disinformation tactics and techniques): the
techniques our detectors' behaviours are evidence of.

The EEAS method describes an incident by behaviour first; DISARM names each
behaviour so partners can compare incidents. Only the techniques a detector maps
to are listed here (id, name, tactic phase, as the framework publishes them); an
analyst may add any other DISARM id by hand, which ``is_technique_id`` checks by
form. The test suite checks this table against the framework's own STIX bundle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FRAMEWORK_URL = "https://github.com/DISARMFoundation/DISARMframeworks"
KILL_CHAIN = "disarm"  # STIX kill_chain_name we use for DISARM phases


@dataclass(frozen=True)
class Technique:
    id: str  # e.g. "T0049.003"
    name: str
    phase: str  # the tactic's phase name, e.g. "maximise-exposure"

    @property
    def url(self) -> str:
        return f"{FRAMEWORK_URL}/blob/main/generated_pages/techniques/{self.id}.md"


TECHNIQUES: dict[str, Technique] = {t.id: t for t in (
    Technique("T0049", "Flood Information Space", "maximise-exposure"),
    Technique("T0049.002", "Flood Existing Hashtag", "maximise-exposure"),
    Technique("T0049.003", "Bots Amplify via Automated Forwarding and Reposting",
              "maximise-exposure"),
    Technique("T0049.005", "Conduct Swarming", "maximise-exposure"),
    Technique("T0084", "Reuse Existing Content", "develop-content"),
    Technique("T0084.001", "Use Copypasta", "develop-content"),
    Technique("T0116", "Comment or Reply on Content", "deliver-content"),
    Technique("T0118", "Amplify Existing Narrative", "maximise-exposure"),
    Technique("T0143.002", "Fabricated Persona", "establish-legitimacy"),
    Technique("T0146.005", "Lookalike Account ID", "establish-assets"),
    Technique("T0150.001", "Newly Created Asset", "establish-assets"),
    Technique("T0150.008", "Bulk Created Asset", "establish-assets"),
)}

# Behaviour (as the detectors name it) -> the techniques it is evidence of.
BEHAVIOUR_TECHNIQUES: dict[str, tuple[str, ...]] = {
    "co_boost": ("T0049.003", "T0118"),
    "co_reply": ("T0049.005", "T0116"),
    "co_link": ("T0049", "T0118"),
    "co_text": ("T0084.001", "T0049"),
    "near_duplicate_text": ("T0084.001", "T0049"),
    "co_hashtag": ("T0049.002",),
    "co_image": ("T0084",),
    "synchronized_creation": ("T0150.008", "T0150.001"),
    "handle_pattern": ("T0143.002", "T0146.005"),
}

_ID = re.compile(r"T\d{4}(\.\d{3})?")


def is_technique_id(value: str) -> bool:
    """Whether ``value`` has the form of a DISARM technique id (``T0049``, ``T0049.003``)."""
    return bool(_ID.fullmatch(value or ""))


def techniques_for(behaviours: list[str] | tuple[str, ...]) -> list[str]:
    """The technique ids the behaviours are evidence of, without repeats, in order."""
    seen: dict[str, None] = {}
    for behaviour in behaviours:
        for technique in BEHAVIOUR_TECHNIQUES.get(behaviour, ()):
            seen.setdefault(technique, None)
    return list(seen)


def technique(technique_id: str) -> Technique | None:
    """The technique we know by that id (None for one an analyst added by hand)."""
    return TECHNIQUES.get(technique_id)
