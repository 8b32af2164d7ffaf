"""Stored media against new hashes: when a list gains entries (a victim blocked
their images), the files already here that match are quarantined at once and the
posts showing them held, each with its case (``media.quarantine_matched``)."""

from __future__ import annotations

from collections.abc import Iterable

from rostra.posts.media import quarantine_matched
from rostra.posts.models import Media
from rostra.safety.matching import PDQ_MIN_QUALITY, Match, max_distance
from rostra.safety.pdq_index import BruteForce, codes_from_hex

CHUNK = 100_000  # media hashes compared per step (32 bytes each)


def matching_media(entries: Iterable) -> dict[int, list[Match]]:
    """Media ids (not yet quarantined) that match ``entries`` (``HashEntry`` rows
    with their ``hash_list``): exactly for SHA-256 and MD5, within the PDQ distance
    for PDQ (the image's hash and a video's frames)."""
    entries = list(entries)
    found: dict[int, list[Match]] = {}

    def hit(media_id: int, entry, distance: int) -> None:
        lst = entry.hash_list
        found.setdefault(media_id, []).append(Match(lst.pk, lst.name, lst.kind, lst.action,
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
            and (e.quality is None or e.quality >= PDQ_MIN_QUALITY)]
    if pdqs:
        wanted = codes_from_hex([e.value for e in pdqs])
        limit = max_distance()
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
    """Every stored hash against every wanted one (the matcher's popcount scan)."""
    found = BruteForce(codes_from_hex(hexes)).search(wanted, limit)
    for col, row, distance in zip(*found, strict=True):
        hit(ids[row], entries[col], int(distance))


def quarantine_matching(entries: Iterable) -> list[Media]:
    """Quarantine the stored media matching ``entries``; return them."""
    found = matching_media(entries)
    held = []
    for media in Media.objects.filter(pk__in=list(found)).select_related("account"):
        quarantine_matched(media, found[media.pk], source="rescan")
        held.append(media)
    return held
