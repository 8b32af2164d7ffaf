"""Researchers' access to public data (DSA Art. 40(12)): applications, an admin's
decision, and the key the research API takes.

Anyone may apply (name, organisation, e-mail, purpose); an admin (a superuser)
approves, rejects or later revokes, with a note, each step in the audit log and the
applicant told by e-mail. Approval issues a key: random, sent once to the
applicant's address and stored only as a SHA-256 digest, with a short public
prefix to find the row. A key works while its researcher is approved and before
``expires_at``. The data rules (public posts only) live in the API door's queries,
``rostra.api.views.research``; this module only decides who holds a working key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.validators import EmailValidator, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rostra.core import mail
from rostra.core.links import absolute_url
from rostra.integrity.models import Researcher
from rostra.moderation.services import audit

Status = Researcher.Status
KEY_PREFIX = "rrk_"  # "Rostra research key": recognisable in logs and secret scanners
_KEY = re.compile(r"^rrk_([0-9a-f]{12})_[A-Za-z0-9_-]{40,}$")
DEFAULT_DAYS = 365
MAX_DAYS = 3 * 365
LAST_USED_EVERY = timedelta(minutes=1)  # write ``last_used_at`` at most this often
LIMITS = {"name": 200, "organisation": 300, "purpose": 5000}


class ResearchError(ValueError):
    """An application or a decision that cannot be accepted; the message says why."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class IssuedKey:
    researcher: Researcher
    key: str  # the only time the plain key exists


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# --- applying -------------------------------------------------------------------

def apply(*, name: str, organisation: str, email: str, purpose: str) -> Researcher:
    """A new application, pending an admin's decision. Raises ``ResearchError``."""
    values = {"name": (name or "").strip(), "organisation": (organisation or "").strip(),
              "purpose": (purpose or "").strip()}
    for field, limit in LIMITS.items():
        if not values[field]:
            raise ResearchError(f"The {field} is required.", field)
        if len(values[field]) > limit:
            raise ResearchError(f"The {field} is limited to {limit} characters.", field)
    email = (email or "").strip()
    try:
        EmailValidator()(email)
    except ValidationError:
        raise ResearchError("Give an e-mail address we can write to.", "email") from None
    with transaction.atomic():
        researcher = Researcher.objects.create(email=email, **values)
        audit(None, "research.applied", None, researcher_id=researcher.pk,
              organisation=researcher.organisation)
    transaction.on_commit(lambda: _mail(researcher, "received"))
    return researcher


# --- deciding -------------------------------------------------------------------

def _check_admin(by) -> None:
    if by is None or not getattr(by, "is_superuser", False):
        raise ResearchError("Only an administrator can decide on researchers' access.")


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(6)
    return prefix, f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def approve(researcher: Researcher, *, by, note: str = "",
            days: int = DEFAULT_DAYS) -> IssuedKey:
    """Approve a pending application (or re-issue the key of an approved one: the old
    key stops working). The key is valid ``days`` days and is e-mailed once."""
    _check_admin(by)
    if researcher.status not in (Status.PENDING, Status.APPROVED):
        raise ResearchError(f"This application is {researcher.get_status_display().lower()}; "
                            "the researcher must apply again.")
    if not 1 <= int(days) <= MAX_DAYS:
        raise ResearchError(f"A key is valid for 1 to {MAX_DAYS} days.", "days")
    prefix, key = _new_key()
    now = timezone.now()
    reissue = researcher.status == Status.APPROVED
    with transaction.atomic():
        researcher.status = Status.APPROVED
        researcher.decided_by, researcher.decided_at = by, now
        researcher.decision_note = (note or "").strip() or researcher.decision_note
        researcher.key_prefix, researcher.key_hash = prefix, digest(key)
        researcher.expires_at = now + timedelta(days=int(days))
        researcher.last_used_at = None
        researcher.save()
        audit(by, "research.key_reissued" if reissue else "research.approved", None,
              researcher_id=researcher.pk, key_prefix=prefix,
              expires_at=researcher.expires_at.isoformat())
    transaction.on_commit(lambda: _mail(researcher, "approved", key=key))
    return IssuedKey(researcher, key)


def reject(researcher: Researcher, *, by, note: str) -> Researcher:
    """Refuse a pending application; the note (the reasons) goes to the applicant."""
    _check_admin(by)
    if researcher.status != Status.PENDING:
        raise ResearchError("Only a pending application can be rejected.")
    return _close(researcher, Status.REJECTED, by=by, note=note, action="research.rejected")


def revoke(researcher: Researcher, *, by, note: str) -> Researcher:
    """End an approved researcher's access at once; the note goes to them."""
    _check_admin(by)
    if researcher.status != Status.APPROVED:
        raise ResearchError("Only an approved researcher's access can be revoked.")
    return _close(researcher, Status.REVOKED, by=by, note=note, action="research.revoked")


def _close(researcher: Researcher, status: str, *, by, note: str, action: str) -> Researcher:
    note = (note or "").strip()
    if not note:
        raise ResearchError("Give the reasons: they are sent to the researcher.", "note")
    with transaction.atomic():
        researcher.status = status
        researcher.decided_by, researcher.decided_at = by, timezone.now()
        researcher.decision_note = note
        researcher.key_hash = ""  # the key can never work again
        researcher.save()
        audit(by, action, None, researcher_id=researcher.pk, note=note)
    transaction.on_commit(lambda: _mail(researcher, status))
    return researcher


# --- the key at the door ----------------------------------------------------------

def authenticate(key: str) -> Researcher | None:
    """The approved, unexpired researcher whose key is ``key``, or None. Notes the
    use (``last_used_at``, at most once a minute)."""
    match = _KEY.match((key or "").strip())
    if not match:
        return None
    now = timezone.now()
    wanted = digest(key.strip())
    for researcher in Researcher.objects.filter(key_prefix=match.group(1),
                                                status=Status.APPROVED):
        if not researcher.key_hash or not hmac.compare_digest(researcher.key_hash, wanted):
            continue
        if researcher.expires_at is None or researcher.expires_at <= now:
            return None
        if researcher.last_used_at is None or now - researcher.last_used_at >= LAST_USED_EVERY:
            Researcher.objects.filter(pk=researcher.pk).update(last_used_at=now)
            researcher.last_used_at = now
        return researcher
    return None


# --- e-mail -----------------------------------------------------------------------

def _mail(researcher: Researcher, what: str, *, key: str = "") -> None:
    """Write to the applicant in their language: the one they applied in (the request's)
    for the receipt, else their account's language if the address is a user's."""
    docs = absolute_url("/research")

    def compose() -> tuple[str, str]:
        note = ("\n\n" + _("Note from the administrators:") + f"\n{researcher.decision_note}\n"
                if researcher.decision_note else "\n")
        if what == "received":
            return (_("Your application for research access was received"),
                    _("We received your application for access to public data "
                      "(%(organisation)s). An administrator will decide on it and write to "
                      "you at this address.\n") % {"organisation": researcher.organisation})
        if what == "approved":
            return (_("Your research access was approved"),
                    _("Your application was approved. Your key (keep it secret; we cannot "
                      "show it again, only issue a new one):\n\n    %(key)s\n\nSend it as "
                      "'Authorization: Bearer <key>' to %(api)s. It is valid until "
                      "%(until)s. Terms and documentation: %(docs)s")
                    % {"key": key, "api": absolute_url("/api/research/v1/"),
                       "until": f"{researcher.expires_at:%Y-%m-%d}", "docs": docs} + note)
        if what == Status.REJECTED:
            return (_("Your application for research access was declined"),
                    _("Your application for access to public data was declined.") + note)
        return (_("Your research access was revoked"),
                _("Your access to the research API was revoked; your key no longer works.")
                + note)

    default = translation.get_language() if what == "received" else None
    mail.send_in(mail.language_for_address(researcher.email, default), compose,
                 [researcher.email])
