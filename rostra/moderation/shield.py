"""What moderation does with the media gate's matches (the image-abuse shield).

A match is never a sanction by itself: hash lists have false positives. The gate
quarantines the file and holds what would show it; here a case opens with the
evidence, first in the queue, and the uploader (if they are ours, and unless the
list is of child sexual abuse material, where they are not tipped off and the
case is marked for the hotline or authority) gets a statement of reasons for the
provisional measure, an automated one. A moderator then confirms (the content is
removed, the evidence kept) or clears (a false positive: the file and its post are
published, and an allow-entry stops the hashes matching again).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rostra.moderation import decisions, services
from rostra.moderation.models import Automation, Case, Category, Decision, Ground, Measure
from rostra.posts import quarantine, remote_media
from rostra.posts.models import Media, Post

CATEGORY = {"csam": Category.CSAM, "ncii": Category.INTIMATE_IMAGES,
            "terror": Category.TERRORISM, "other": Category.OTHER_ILLEGAL}
LAWS = {"csam": "Directive 2011/93/EU (sexual abuse of children, child pornography)",
        "ncii": "Directive (EU) 2024/1385, Art. 5 (non-consensual sharing of intimate images)",
        "terror": "Regulation (EU) 2021/784 (terrorist content online)",
        "other": "the law named by the hash list's provider"}
KIND_ORDER = ("csam", "ncii", "terror", "other")


def _evidence(media: Media, matches, source: str, ip: str) -> dict:
    return {
        "media": media.pk, "uploader": media.account.acct, "source": source, "ip": ip,
        "at": timezone.now().isoformat(), "sha256": media.sha256, "md5": media.md5,
        "pdq": media.pdq, "pdq_quality": media.pdq_quality,
        "matches": [{"list": m.list_name, "list_id": m.list_id, "kind": m.kind,
                     "action": m.action, "signal": m.signal_type, "value": m.value,
                     "distance": m.distance} for m in matches],
    }


def on_media_quarantined(sender, media: Media, matches, source: str, ip: str = "",
                         **kwargs) -> Case:
    """Open the case for a quarantined file (called in the upload's transaction)."""
    kinds = {m.kind for m in matches}
    kind = next(k for k in KIND_ORDER if k in kinds or k == "other")
    case = services.open_own_initiative(
        None, account=media.account, category=CATEGORY[kind], automated=True,
        explanation=f"The media gate matched an uploaded file ({source}) against a hash list.")
    evidence = _evidence(media, matches, source, ip)
    Case.objects.filter(pk=case.pk).update(evidence=evidence,
                                           report_to_authority=kind == "csam")
    case.evidence, case.report_to_authority = evidence, kind == "csam"
    case.media.add(media)
    if media.post_id:
        case.target_posts.add(media.post_id)
    if kind != "csam" and media.account.local:
        decisions.decide(
            case, Measure.DISABLE, by=None, automated_detection=True,
            automated_decision=Automation.FULLY, keep_open=True, ground=Ground.ILLEGAL,
            legal_ground=LAWS[kind], posts=[],
            explanation="The file matches a list of known abusive images. It is held, not "
                        "published, until a moderator reviews the match.",
            facts=f"The file's fingerprint matched an entry of a hash list of "
                  f"{dict(CATEGORY)[kind].label.lower()} ({source}).")
    return case


def held_posts(case: Case) -> list[Post]:
    """The posts that show (or would show) the case's media."""
    ids = set(case.media.exclude(post=None).values_list("post_id", flat=True))
    ids |= set(case.target_posts.values_list("pk", flat=True))
    return list(Post.objects.filter(pk__in=ids).select_related("account"))


def confirm(case: Case, *, by, explanation: str, facts: str = "") -> Decision:
    """The match is right: the content is removed for good (its posts removed, the
    files kept in quarantine as evidence)."""
    kind = _kind(case)
    return decisions.decide(
        case, Measure.REMOVE, by=by, ground=Ground.ILLEGAL, legal_ground=LAWS[kind],
        explanation=explanation, posts=held_posts(case),
        facts=facts or "A moderator compared the file with the hash list's entry and "
                       "confirmed the match.",
        automated_detection=True, automated_decision=Automation.NOT)


@transaction.atomic
def clear(case: Case, *, by, explanation: str) -> Decision:
    """A false positive: publish the files and their posts, stop the hashes from
    matching again, and withdraw the provisional measure."""
    from rostra.safety.lists import allow

    for media in case.media.all():
        for signal, value in (("sha256", media.sha256), ("md5", media.md5),
                              ("pdq", media.pdq)):
            if value:
                allow(signal, value, by=by, reason=f"Cleared in case {case.number}")
        for value, _quality in media.frame_pdqs or []:
            allow("pdq", value, by=by, reason=f"Cleared in case {case.number}")
        if media.quarantined_at:
            quarantine.release(media)
    for post in held_posts(case):
        if post.held and not post.media.filter(quarantined_at__isnull=False).exists():
            remote_media.release(post)
    now = timezone.now()
    for provisional in case.decisions.filter(reversed_at__isnull=True,
                                             decided_by__isnull=True):
        Decision.objects.filter(pk=provisional.pk).update(reversed_at=now)
        services.audit(by, "decision.withdrawn", case, decision=provisional.pk)
    return decisions.decide(case, Measure.NONE, by=by, explanation=explanation, warn=True)


def _kind(case: Case) -> str:
    kinds = {m.get("kind") for m in (case.evidence or {}).get("matches", [])}
    return next((k for k in KIND_ORDER if k in kinds), "other")


def on_hashes_added(sender, hash_list, entries, added_at=None, **kwargs) -> None:
    """A list gained hashes (a victim's submission, an import, a peer's feed): the
    stored media that match are looked for in the background."""
    from rostra.moderation.tasks import rescan_list, rescan_media

    if entries is None and added_at is not None:  # a large import
        transaction.on_commit(lambda: rescan_list.enqueue(hash_list.pk, added_at.isoformat()))
        return
    ids = [e.pk for e in entries or () if e.pk]
    if ids:
        transaction.on_commit(lambda: rescan_media.enqueue(ids))


def rescan(entry_ids: list[int]) -> int:
    """Quarantine the stored media matching these hash entries (each opens a case)."""
    from rostra.posts.rescan import quarantine_matching
    from rostra.safety.models import HashEntry

    entries = HashEntry.objects.filter(pk__in=entry_ids, hash_list__enabled=True
                                       ).select_related("hash_list")
    return len(quarantine_matching(entries))


def rescan_added(list_id: int, added_at: str, chunk: int = 5000) -> int:
    """``rescan`` over the entries a large import added at ``added_at``, in chunks."""
    from datetime import datetime

    from rostra.safety.models import HashEntry

    ids = list(HashEntry.objects.filter(hash_list_id=list_id,
                                        added_at=datetime.fromisoformat(added_at))
               .order_by("pk").values_list("pk", flat=True))
    return sum(rescan(ids[i:i + chunk]) for i in range(0, len(ids), chunk))


def connect() -> None:
    from rostra.posts import events
    from rostra.safety import events as safety_events

    events.media_quarantined.connect(on_media_quarantined, dispatch_uid="rostra-shield-case")
    safety_events.hashes_added.connect(on_hashes_added, dispatch_uid="rostra-shield-rescan")
