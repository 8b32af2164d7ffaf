"""Asking other Rostra servers who among a user's X connections is there.

The wire contract (served by ``federation.views.x_connections``):

* a server that answers advertises it in its NodeInfo ``metadata``:
  ``"rostraXConnections": {"lookup": "<absolute URL>", "maxIds": 1000}``;
* ``POST <lookup>`` with ``{"ids": ["<X account id>", ...]}`` (at most ``maxIds``),
  ``Content-Type: application/json``, HTTP-signed by the asking server's instance
  actor; the answer is ``{"results": [{"x_id": "...", "actor": "<actor URI>"}]}``
  holding only that server's accounts that opted in to be found by their X id.

This side (``refresh_for``) runs in the task worker, never in a page: it probes
known servers (``RemoteInstance`` rows and the servers of known remote accounts)
for the capability (re-probed after ``PROBE_EVERY``), sends them the connection
ids of one opted-in user, believes an answer only about the answering server's
own actors, fetches those actors (``federation.remote.fetch_actor``) and keeps
the mapping in ``XRemoteMapping``; an id the server no longer answers (its owner
opted out) is dropped. Every request goes through ``core.net``.

Only users who opted in have their connection ids sent anywhere: the request
says "someone on this server knew these X ids", never who.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from rostra.accounts.models import Account
from rostra.core import net
from rostra.federation import policy, remote
from rostra.federation.keys import signer_for
from rostra.federation.models import RemoteInstance
from rostra.portability import x_connections as xc
from rostra.portability.models import XConnection, XIdentity, XLookupServer, XRemoteMapping

log = logging.getLogger(__name__)

CAPABILITY = "rostraXConnections"
PROBE_EVERY = timedelta(days=7)
MAX_PROBES = 50  # servers probed per refresh (the rest at the next one)
MAX_ANSWER_BYTES = 512 * 1024
NODEINFO_REL = "http://nodeinfo.diaspora.software/ns/schema/"


def _schemes() -> list[str]:
    return ["https", "http"] if settings.ROSTRA_FEDERATION_ALLOW_HTTP else ["https"]


def _on(domain: str, url: str) -> bool:
    return policy.authority_of(url) == domain


def probe(domain: str) -> XLookupServer:
    """Read ``domain``'s NodeInfo and store whether (and where) it answers lookups."""
    lookup_url = ""
    for scheme in _schemes():
        try:
            index = net.fetch_json(f"{scheme}://{domain}/.well-known/nodeinfo",
                                   accept="application/json", max_bytes=64 * 1024)
            links = index.get("links") if isinstance(index, dict) else None
            hrefs = sorted((str(link.get("href")) for link in links or []
                            if isinstance(link, dict)
                            and str(link.get("rel", "")).startswith(NODEINFO_REL)
                            and _on(domain, str(link.get("href", "")))), reverse=True)
            if not hrefs:
                break
            info = net.fetch_json(hrefs[0], accept="application/json", max_bytes=256 * 1024)
            meta = info.get("metadata") if isinstance(info, dict) else None
            capability = meta.get(CAPABILITY) if isinstance(meta, dict) else None
            url = capability.get("lookup") if isinstance(capability, dict) else None
            if isinstance(url, str) and _on(domain, url):
                lookup_url = url
            break
        except (net.NetError, AttributeError, TypeError) as exc:
            log.info("X lookup probe of %s (%s) failed: %s", domain, scheme, exc)
    server, _ = XLookupServer.objects.update_or_create(
        domain=domain, defaults={"lookup_url": lookup_url, "checked_at": timezone.now()})
    return server


def candidate_domains() -> set[str]:
    """Servers we know: those we deliver to and those of accounts we have seen."""
    domains = set(RemoteInstance.objects.values_list("domain", flat=True))
    domains |= set(Account.objects.exclude(domain="").values_list("domain", flat=True)
                   .distinct())
    return {d.lower() for d in domains if d}


def lookup_servers() -> list[XLookupServer]:
    """The servers that answer lookups, probing up to ``MAX_PROBES`` unknown or stale ones."""
    stale_before = timezone.now() - PROBE_EVERY
    known = {s.domain: s for s in XLookupServer.objects.all()}
    probed = 0
    for domain in sorted(candidate_domains()):
        if policy.is_refused(policy.host_of(f"https://{domain}/")):
            continue
        current = known.get(domain)
        if (current is None or current.checked_at < stale_before) and probed < MAX_PROBES:
            known[domain] = probe(domain)
            probed += 1
    return [s for s in known.values() if s.lookup_url
            and not policy.is_refused(policy.host_of(s.lookup_url))]


def ask(server: XLookupServer, x_ids: list[str]) -> list[tuple[str, str]]:
    """POST one batch of ids to ``server``; return the (x_id, actor URI) pairs it
    answered about its own actors. Raises ``net.NetError`` on failure."""
    body = json.dumps({"ids": x_ids}).encode()
    response = net.post(server.lookup_url, body, content_type="application/json",
                        accept="application/json", max_bytes=MAX_ANSWER_BYTES,
                        sign_with=signer_for(None))
    if not response.ok:
        raise net.BadResponse(f"{server.lookup_url} answered HTTP {response.status}.")
    data = response.json()
    results = data.get("results") if isinstance(data, dict) else None
    asked = set(x_ids)
    pairs = []
    for item in results if isinstance(results, list) else []:
        if not isinstance(item, dict):
            continue
        x_id, actor = xc.valid_x_id(item.get("x_id")), item.get("actor")
        if x_id in asked and isinstance(actor, str) and _on(server.domain, actor):
            pairs.append((x_id, actor))
    return pairs


def _store(server: XLookupServer, asked: list[str], pairs: list[tuple[str, str]]) -> int:
    """Replace what ``server`` said about ``asked`` by ``pairs``; return rows kept."""
    now = timezone.now()
    rows = []
    for x_id, actor in pairs:
        try:
            account = remote.fetch_actor(actor)
        except remote.RemoteError as exc:
            log.info("X lookup: actor %s of %s not fetched: %s", actor, server.domain, exc)
            continue
        if account.local or account.domain != server.domain:
            continue
        rows.append((x_id, actor, account))
    with transaction.atomic():
        XRemoteMapping.objects.filter(source_domain=server.domain,
                                      x_account_id__in=asked).delete()
        XRemoteMapping.objects.bulk_create([
            XRemoteMapping(x_account_id=x_id, actor_uri=actor, account=account,
                           source_domain=server.domain, fetched_at=now)
            for x_id, actor, account in rows], ignore_conflicts=True)
    return len(rows)


def refresh_for(user) -> dict[str, int]:
    """Ask every lookup-capable server about ``user``'s X connections (opted-in users
    only) and fill the cache. Returns ``{"servers": n, "found": n, "failed": n}``."""
    outcome = {"servers": 0, "found": 0, "failed": 0}
    identity = XIdentity.objects.filter(user=user, findable=True).first()
    if identity is None:
        return outcome
    ids = sorted(set(XConnection.objects.filter(user=user)
                     .values_list("x_account_id", flat=True)))
    if not ids:
        return outcome
    for server in lookup_servers():
        outcome["servers"] += 1
        for start in range(0, len(ids), xc.MAX_LOOKUP_IDS):
            batch = ids[start:start + xc.MAX_LOOKUP_IDS]
            try:
                outcome["found"] += _store(server, batch, ask(server, batch))
            except net.NetError as exc:
                log.info("X lookup at %s failed: %s", server.domain, exc)
                outcome["failed"] += 1
                break
    return outcome


@task()
def refresh_x_connections(user_id: int) -> None:
    from rostra.accounts.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is not None:
        refresh_for(user)
