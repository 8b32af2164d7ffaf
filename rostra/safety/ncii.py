"""Self-service blocking of one's own intimate images (the StopNCII model).

A person computes fingerprints of their images on their own device (the page
``/protect`` does it in the browser) and sends only those: SHA-256 and MD5 for
exact copies, PDQ with its quality for look-alikes. They join this server's list
of intimate images shared without consent (``ncii-victims``: kind ncii, action
block, source victims) under a case number; the person gets a secret, shown once
and kept here only as a password hash, with which they can withdraw them later.

``submit`` and ``withdraw`` send ``safety.events.hashes_added`` /
``hashes_withdrawn`` after commit; moderation rescans stored media on the first.
Bad input raises ``NciiError`` (a ``ValueError``) with a message a person can act
on; no account, name or address is ever asked for or stored.
"""

from __future__ import annotations

import base64
import re
import secrets
import uuid
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rostra.safety import events
from rostra.safety.models import HashEntry, HashList, NciiClaim, NciiSubmission, SignalType

LIST_NAME = "ncii-victims"
MAX_IMAGES = 50
# The matcher's rule: a PDQ below this quality is kept but not used for matching
# (the picture is too plain for the perceptual hash to mean anything).
MIN_PDQ_QUALITY = 50

_HEX_LENGTHS = {"sha256": 64, "md5": 32, "pdq": 64}
_HEX = re.compile(r"[0-9a-fA-F]+")
_KEYS = frozenset({"sha256", "md5", "pdq", "quality"})
_NUMBER = re.compile(r"N-\d{4}-\d{6,}")
_SECRET_CHARS = re.compile(r"[A-Z2-7]{24}")  # base32 of 15 random bytes


class NciiError(ValueError):
    """Input a person can correct; the message says how. ``image`` (1-based) and
    ``reason`` name the faulty image and what is wrong with it, for a door that
    words its own "which one" (the paste form counts lines, not images)."""

    def __init__(self, message: str, *, image: int | None = None, reason: str = "") -> None:
        super().__init__(message)
        self.image, self.reason = image, reason or message


def _image_error(n: int, reason: str) -> NciiError:
    return NciiError(_("Image %(n)s: %(reason)s") % {"n": n, "reason": reason},
                     image=n, reason=reason)


@dataclass(frozen=True)
class Fingerprints:
    """The fingerprints of one image, checked and in lower-case hex."""

    sha256: str
    md5: str
    pdq: str
    quality: int

    @property
    def perceptual(self) -> bool:
        """Whether the PDQ is used for matching look-alikes (else exact copies only)."""
        return self.quality >= MIN_PDQ_QUALITY


def parse_images(images) -> list[Fingerprints]:
    """Check ``[{"sha256", "md5", "pdq", "quality"}, ...]`` strictly: exactly these
    keys, hex of the right length, quality 0-100, 1 to ``MAX_IMAGES`` images.
    The same image sent twice counts once. Raises ``NciiError``."""
    if not isinstance(images, list) or not images:
        raise NciiError(_("Choose at least one image."))
    if len(images) > MAX_IMAGES:
        raise NciiError(_("At most %(max_images)s images at a time; send the others in a "
                          "second submission.") % {"max_images": MAX_IMAGES})
    parsed: dict[str, Fingerprints] = {}
    for n, image in enumerate(images, 1):
        if not isinstance(image, dict) or set(image) != _KEYS:
            raise _image_error(n, _("send exactly sha256, md5, pdq and quality."))
        for key, length in _HEX_LENGTHS.items():
            value = image[key]
            if not isinstance(value, str) or len(value) != length or not _HEX.fullmatch(value):
                raise _image_error(n, _("the %(key)s fingerprint must be %(length)s hexadecimal "
                                        "characters.") % {"key": key.upper(), "length": length})
        quality = image["quality"]
        if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 100:
            raise _image_error(n, _("the quality must be a whole number from 0 to 100."))
        fp = Fingerprints(image["sha256"].lower(), image["md5"].lower(), image["pdq"].lower(),
                          quality)
        parsed.setdefault(fp.sha256, fp)
    return list(parsed.values())


def victims_list() -> HashList:
    hash_list, __ = HashList.objects.get_or_create(
        name=LIST_NAME,
        defaults={"kind": HashList.Kind.NCII, "action": HashList.Action.BLOCK,
                  "source": HashList.Source.VICTIMS,
                  "description": "Fingerprints of intimate images sent by the people they "
                                 "show, computed on their own devices (/protect)."})
    return hash_list


def new_secret() -> str:
    """120 random bits as 24 letters and digits in groups of four (easy to copy)."""
    raw = base64.b32encode(secrets.token_bytes(15)).decode()
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def normalize_secret(secret: str) -> str:
    """The secret as stored: upper case, without spaces or dashes. Raises ``NciiError``."""
    cleaned = re.sub(r"[\s-]", "", secret or "").upper()
    if not _SECRET_CHARS.fullmatch(cleaned):
        raise NciiError(_("The secret is 24 letters and digits (dashes optional), as it was "
          "shown when you sent the fingerprints."))
    return cleaned


def normalize_number(number: str) -> str:
    cleaned = (number or "").strip().upper()
    if not _NUMBER.fullmatch(cleaned):
        raise NciiError(_("A case number looks like N-2026-000123."))
    return cleaned


def submit(images) -> tuple[NciiSubmission, str]:
    """Add the fingerprints of ``images`` (see ``parse_images``) to the victims' list
    under a new case number. Returns the submission and its withdrawal secret, which
    is not kept and cannot be shown again. A fingerprint already on the list stays
    as it is (the image is blocked already). Raises ``NciiError``."""
    fingerprints = parse_images(images)
    secret = new_secret()
    for attempt in range(2):  # a concurrent submission of the same hash: try again once
        try:
            submission, hash_list, entries = _store(fingerprints, secret)
            break
        except IntegrityError:
            if attempt:
                raise
    transaction.on_commit(lambda: events.hashes_added.send(
        HashList, hash_list=hash_list, entries=entries))
    return submission, secret


@transaction.atomic
def _store(fingerprints: list[Fingerprints], secret: str):
    hash_list = victims_list()
    submission = NciiSubmission.objects.create(
        number=uuid.uuid4().hex, secret_hash=make_password(normalize_secret(secret)))
    submission.number = f"N-{submission.created_at:%Y}-{submission.pk:06d}"
    submission.save(update_fields=["number"])
    wanted: dict[tuple[str, str], int | None] = {}
    for fp in fingerprints:
        wanted.setdefault((SignalType.SHA256, fp.sha256), None)
        wanted.setdefault((SignalType.MD5, fp.md5), None)
        wanted.setdefault((SignalType.PDQ, fp.pdq), fp.quality)
    listed = set(HashEntry.objects.filter(
        hash_list=hash_list, value__in={value for __, value in wanted}
    ).values_list("signal_type", "value"))
    now = timezone.now()
    entries = HashEntry.objects.bulk_create([
        HashEntry(hash_list=hash_list, signal_type=signal, value=value, quality=quality,
                  submission=submission, note=submission.number, added_at=now)
        for (signal, value), quality in wanted.items() if (signal, value) not in listed])
    NciiClaim.objects.bulk_create([NciiClaim(submission=submission, signal_type=signal,
                                             value=value) for signal, value in wanted])
    HashList.objects.filter(pk=hash_list.pk).update(updated_at=now)
    return submission, hash_list, entries


def _release_claims(submission: NciiSubmission) -> list[HashEntry]:
    """Drop ``submission``'s claims; delete the entries nobody else still claims (an
    entry another live submission claims passes to it). Returns the deleted entries."""
    keys = set(submission.claims.values_list("signal_type", "value"))
    others: dict[tuple[str, str], int] = {}
    for signal, value, other in (NciiClaim.objects
                                 .filter(value__in={v for __, v in keys},
                                         submission__withdrawn_at__isnull=True)
                                 .exclude(submission=submission)
                                 .values_list("signal_type", "value", "submission_id")):
        if (signal, value) in keys:
            others.setdefault((signal, value), other)
    entries = list(HashEntry.objects.filter(hash_list=victims_list(),
                                            value__in={v for __, v in keys})
                   .select_related("hash_list"))
    gone = [e for e in entries if (e.signal_type, e.value) in keys
            and (e.signal_type, e.value) not in others]
    for entry in entries:
        key = (entry.signal_type, entry.value)
        if key in others and entry.submission_id == submission.pk:
            HashEntry.objects.filter(pk=entry.pk).update(submission_id=others[key])
    HashEntry.objects.filter(pk__in=[e.pk for e in gone]).delete()
    submission.claims.all().delete()
    return gone


def withdraw(number: str, secret: str) -> bool:
    """Remove every fingerprint of submission ``number`` if ``secret`` is its secret.
    Returns False for a wrong number or secret, or a submission already withdrawn
    (the same answer for each, in about the same time). Raises ``NciiError`` when
    either is not even in the right format."""
    number = normalize_number(number)
    secret = normalize_secret(secret)
    with transaction.atomic():
        submission = (NciiSubmission.objects.select_for_update()
                      .filter(number=number, withdrawn_at__isnull=True).first())
        if submission is None:
            make_password(secret)  # as long as a real check
            return False
        if not check_password(secret, submission.secret_hash):
            return False
        entries = _release_claims(submission)
        now = timezone.now()
        submission.withdrawn_at = now
        submission.save(update_fields=["withdrawn_at"])
        by_list: dict[int, tuple[HashList, list[HashEntry]]] = {}
        for entry in entries:
            by_list.setdefault(entry.hash_list_id, (entry.hash_list, []))[1].append(entry)
        HashList.objects.filter(pk__in=by_list).update(updated_at=now)
    for hash_list, removed in by_list.values():
        transaction.on_commit(lambda hl=hash_list, r=removed: events.hashes_withdrawn.send(
            HashList, hash_list=hl, entries=r))
    return True
