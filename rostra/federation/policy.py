"""Which servers we talk to: domain blocks (suspend, silence, reject media/reports)
and the allow-list mode, decided in one place for the inbox, fetches and views.

A block on ``example.com`` covers its subdomains (``social.example.com``), as on
Mastodon; ports are ignored (``example.com:8443`` is ``example.com``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db.models import Q

from rostra.accounts.models import Follow
from rostra.federation.models import DomainAllow, DomainBlock, FederationSettings


def host_of(uri: str) -> str:
    """The lower-cased host name of ``uri`` without port ("" when there is none)."""
    try:
        return (urlsplit(uri).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def authority_of(uri: str) -> str:
    """``host[:port]`` of ``uri`` (what ``Account.domain`` holds for a remote actor)."""
    try:
        parts = urlsplit(uri)
        host = (parts.hostname or "").rstrip(".").lower()
        port = parts.port
    except ValueError:
        return ""
    default = 443 if parts.scheme == "https" else 80
    return f"{host}:{port}" if port and port != default else host


def _candidates(host: str) -> list[str]:
    """``a.b.example.com`` → itself and every parent domain."""
    host = host.split(":")[0].lower().rstrip(".")
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))] if host else []


def block_for(host: str) -> DomainBlock | None:
    """The most specific block covering ``host`` (a host or ``host:port``), if any."""
    candidates = _candidates(host)
    if not candidates:
        return None
    blocks = {b.domain.lower(): b for b in DomainBlock.objects.filter(domain__in=candidates)}
    for candidate in candidates:
        if candidate in blocks:
            return blocks[candidate]
    return None


def is_refused(host: str) -> bool:
    """No federation at all with ``host``: suspended, or not allowed in allow-list mode."""
    block = block_for(host)
    if block is not None and block.severity == DomainBlock.Severity.SUSPEND:
        return True
    if FederationSettings.current().allowlist_mode:
        return not DomainAllow.objects.filter(domain__in=_candidates(host)).exists()
    return False


def rejects_media(host: str) -> bool:
    block = block_for(host)
    return bool(block and (block.reject_media or block.severity == DomainBlock.Severity.SUSPEND))


def rejects_reports(host: str) -> bool:
    block = block_for(host)
    return bool(block and block.reject_reports)


def silenced_domains() -> list[str]:
    return list(DomainBlock.objects.filter(severity=DomainBlock.Severity.SILENCE)
                .values_list("domain", flat=True))


def without_silenced(qs, viewer):
    """Posts of silenced servers (an admin's ``DomainBlock``) stay out of public
    timelines except for those who follow their authors (registered with
    ``timelines.services.register_public_filter``)."""
    silenced = Q()
    for domain in silenced_domains():
        silenced |= (Q(account__domain=domain) | Q(account__domain__endswith=f".{domain}")
                     | Q(account__domain__startswith=f"{domain}:"))
    if not silenced:
        return qs
    if viewer is not None:
        followed = Follow.objects.filter(account=viewer).values("target_account_id")
        silenced &= ~Q(account_id__in=followed)
    return qs.exclude(silenced)
