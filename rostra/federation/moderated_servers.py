"""The servers this one moderates, published (Mastodon's "Moderated servers" on its
about page, and ``/api/v1/instance/domain_blocks``).

People deserve to know which servers they cannot reach from here and why: the
admin's blocks that limit (silence) or suspend a server are listed with their
public comment, never the private one. A block that only rejects media or reports
limits no one's conversations and is not listed. ``ROSTRA_SHOW_DOMAIN_BLOCKS``
says to whom: ``all`` (the default), ``users`` (people signed in) or ``disabled``
(an unknown value counts as ``disabled``).
"""

from __future__ import annotations

import hashlib

from django.conf import settings

from rostra.federation.models import DomainBlock

LISTED = (DomainBlock.Severity.SUSPEND, DomainBlock.Severity.SILENCE)


def shown_to(signed_in: bool) -> bool:
    """Whether the list may be shown to this reader."""
    mode = (getattr(settings, "ROSTRA_SHOW_DOMAIN_BLOCKS", "all") or "").lower()
    return mode == "all" or (mode == "users" and signed_in)


def moderated_servers() -> list[DomainBlock]:
    """The listed blocks, by domain."""
    return list(DomainBlock.objects.filter(severity__in=LISTED).order_by("domain"))


def digest(domain: str) -> str:
    """SHA-256 of the domain (hex), as Mastodon publishes it, so that a list that
    ever hides a domain's letters can still be checked against a known name."""
    return hashlib.sha256(domain.encode()).hexdigest()
