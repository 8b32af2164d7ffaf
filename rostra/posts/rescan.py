"""Stored media against new hashes: when a list gains entries (a victim blocked
their images), the files already here that match are quarantined at once and the
posts showing them held, each with its case (``media.quarantine_matched``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.conf import settings

from rostra.posts.media import quarantine_matched
from rostra.posts.models import Media

CHUNK = 100_000  # media hashes compared per step (32 bytes each)
MIN_QUALITY = 50  # as the gate: plainer images are too weak to match perceptually


@dataclass(frozen=True)
class Hit:
    """A stored file's match (the shape the gate's matches have)."""

    list_id: int
    list_name: str
    kind: str
    action: str
    signal_type: str
    value: str
    distance: int


POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint16)


def _packed(hexes: list[str]) -> np.ndarray:
    """256-bit hashes as rows of 32 bytes."""
    return np.frombuffer(bytes.fromhex("".join(hexes)), dtype=np.uint8).reshape(len(hexes), 32)


def matching_media(entries: Iterable) -> dict[int, list[Hit]]:
    """Media ids (not yet quarantined) that match ``entries`` (``HashEntry`` rows
    with their ``hash_list``): exactly for SHA-256 and MD5, within the PDQ distance
    for PDQ (the image's hash and a video's frames)."""
    entries = list(entries)
    found: dict[int, list[Hit]] = {}

    def hit(media_id: int, entry, distance: int) -> None:
        lst = entry.hash_list
        found.setdefault(media_id, []).append(Hit(lst.pk, lst.name, lst.kind, lst.action,
                                                  entry.signal_type, entry.value, distance))

    live = Media.objects.filter(quarantined_at__isnull=True)
    for signal in ("sha256", "md5"):
        by_value = {e.value: e for e in entries if e.signal_type == signal}
        if by_value:
            for pk, value in live.filter(**{f"{signal}__in": list(by_value)}).values_list(
                    "pk", signal):
                hit(pk, by_value[value], 0)
    # As the gate: an entry without a quality (lists often carry none) is used.
    pdqs = [e for e in entries if e.signal_type == "pdq"
            and (e.quality is None or e.quality >= MIN_QUALITY)]
    if pdqs:
        wanted = _packed([e.value for e in pdqs])
        limit = getattr(settings, "ROSTRA_PDQ_MAX_DISTANCE", 31)
        rows = live.exclude(pdq="", frame_pdqs=[]).values_list("pk", "pdq", "frame_pdqs")
        ids, hexes = [], []
        for pk, pdq, frames in rows.iterator(chunk_size=5000):
            for value in ([pdq] if pdq else []) + [f[0] for f in frames or []]:
                ids.append(pk)
                hexes.append(value)
            if len(hexes) >= CHUNK:
                _compare(ids, hexes, wanted, pdqs, limit, hit)
                ids, hexes = [], []
        if hexes:
            _compare(ids, hexes, wanted, pdqs, limit, hit)
    return found


def _compare(ids, hexes, wanted, entries, limit, hit) -> None:
    stored = _packed(hexes)
    for col, target in enumerate(wanted):
        # Hamming distance: the set bits of the XOR, counted a byte at a time.
        distances = POPCOUNT[stored ^ target].sum(axis=1)
        for row in np.nonzero(distances <= limit)[0]:
            hit(ids[row], entries[col], int(distances[row]))


def quarantine_matching(entries: Iterable) -> list[Media]:
    """Quarantine the stored media matching ``entries``; return them."""
    found = matching_media(entries)
    held = []
    for media in Media.objects.filter(pk__in=list(found)).select_related("account"):
        quarantine_matched(media, found[media.pk], source="rescan")
        held.append(media)
    return held
