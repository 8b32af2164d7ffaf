"""An incident as a STIX 2.1 bundle, the way the EU's FIMI community shares them:
behaviour first (DISARM techniques as attack-patterns), then the observed accounts
and links, indicators partners can watch for, and a TLP 2.0 marking on every object.

The object graph (ids are stable, so a partner who imports a later export of the
same incident updates what they hold instead of duplicating it)::

    identity (this server) --created_by_ref-- every SDO/SRO
    incident  --related-to-->  campaign
    campaign  --uses-->        attack-pattern (one per DISARM technique)
    campaign  --attributed-to--> threat-actor (unattributed unless an analyst says so)
    indicator --indicates-->   campaign      ([user-account:user_id = ...], [url:value = ...],
                                              [domain-name:value = ...])
    observed-data -> user-account and url SCOs
    sighting of the campaign, observed-data, where sighted: this server

Only what the public can see goes out: the public and unlisted evidence posts' URLs
and the links they share (never a post's text, never a followers-only or direct
post), the accounts' public ids, and no word about who reported or moderated.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import stix2
from django.conf import settings

from rostra.accounts.models import Account, SiteSettings
from rostra.core.links import absolute_url
from rostra.integrity import disarm
from rostra.integrity.models import Incident
from rostra.integrity.watchlists import OPEN, account_keys, post_links, post_url, split_url
from rostra.posts.models import Post

# TLP 2.0 marking definitions, as OASIS publishes them (cti-stix-common-objects).
TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_MARKINGS: dict[str, str] = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP_LEVELS = tuple(TLP_MARKINGS)
_TLP_CREATED = "2022-10-01T00:00:00.000Z"
# The DISARM release our technique table was checked against: the attack-patterns'
# creation date, so every export names a technique by the same id and version.
_DISARM_CREATED = datetime(2024, 11, 22, tzinfo=UTC)
# Ids we derive (uuid5) so they stay the same across exports and across servers.
_NAMESPACE = uuid.UUID("5b0c7e2a-3f51-4d0e-9a47-6f1f3f0f6a10")
ACCOUNT_TYPE = "activitypub"  # account-type-ov is open; no listed value fits the fediverse
MAX_LINKS = 200  # shared links listed (observed and as indicators), the most frequent first


class StixExportError(Exception):
    """The bundle we built did not validate: a bug to report, never sent out."""


def _id(kind: str, *parts: str) -> str:
    return f"{kind}--{uuid.uuid5(_NAMESPACE, '|'.join(parts))}"


def pattern_literal(value: str) -> str:
    """``value`` as a STIX patterning string literal: quotes and backslashes escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def tlp_marking(level: str) -> stix2.v21.MarkingDefinition:
    """The TLP 2.0 marking definition for ``level`` (``clear`` ... ``red``)."""
    if level not in TLP_MARKINGS:
        raise ValueError(f"TLP must be one of {', '.join(TLP_LEVELS)}, not {level!r}.")
    return stix2.v21.MarkingDefinition(
        id=TLP_MARKINGS[level], created=_TLP_CREATED, name=f"TLP:{level.upper()}",
        extensions={TLP_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": level}})


def server_identity(marking: str) -> stix2.v21.Identity:
    """This server as the producing organisation: its name and domain, nothing personal."""
    title = SiteSettings.current().title or "Rostra"
    first = (Account.objects.filter(domain="").order_by("created_at")
             .values_list("created_at", flat=True).first())
    return stix2.v21.Identity(
        id=_id("identity", absolute_url("")), name=f"{title} ({settings.ROSTRA_DOMAIN})",
        identity_class="organization", sectors=["technology"],
        description=f"The moderation team of the social network server {absolute_url('')}.",
        created=first or _DISARM_CREATED, object_marking_refs=[marking])


def _attack_pattern(technique_id: str, common: dict) -> stix2.v21.AttackPattern:
    technique = disarm.technique(technique_id)
    url = (technique.url if technique else
           f"{disarm.FRAMEWORK_URL}/blob/main/generated_pages/techniques/{technique_id}.md")
    refs = [{"source_name": "DISARM", "external_id": technique_id, "url": url},
            # The DISARM Foundation's own STIX names its techniques under this source
            # (for ATT&CK Navigator and OpenCTI); repeating it lets those tools link ours.
            {"source_name": "mitre-attack", "external_id": technique_id, "url": url}]
    extra = ({"kill_chain_phases": [{"kill_chain_name": disarm.KILL_CHAIN,
                                     "phase_name": technique.phase}]} if technique else {})
    return stix2.v21.AttackPattern(
        id=_id("attack-pattern", "DISARM", technique_id),
        name=technique.name if technique else technique_id, external_references=refs,
        created=_DISARM_CREATED, modified=_DISARM_CREATED,
        created_by_ref=common["created_by_ref"],
        object_marking_refs=common["object_marking_refs"], **extra)


def _evidence(incident: Incident) -> list[Post]:
    """Evidence posts the public can see; a followers-only or direct post never leaves."""
    return [post for post in incident.evidence_posts.select_related("account").order_by("id")
            if post.visibility in OPEN and not post.held and post.reblog_of_id is None]


def _links(posts: list[Post]) -> list[str]:
    counts: dict[str, int] = {}
    for post in posts:
        for link in dict.fromkeys(post_links(post)):
            if split_url(link) is not None:
                counts[link] = counts.get(link, 0) + 1
    return sorted(counts, key=lambda link: (-counts[link], link))[:MAX_LINKS]


def _description(incident: Incident, n_accounts: int, n_posts: int) -> str:
    lines = [incident.summary.strip()] if incident.summary.strip() else []
    lines.append(f"Coordinated behaviour detected on {settings.ROSTRA_DOMAIN}: "
                 f"{', '.join(incident.behaviours) or 'unspecified'}.")
    lines.append(f"First seen {incident.first_seen.isoformat()}, last seen "
                 f"{incident.last_seen.isoformat()}; {n_accounts} accounts, "
                 f"{n_posts} public evidence posts; strength {incident.strength:.2f} "
                 f"(how far above the null model, 0 to 1).")
    return "\n\n".join(lines)


def _indicator(incident: Incident, pattern: str, name: str, common: dict,
               since: datetime) -> stix2.v21.Indicator:
    return stix2.v21.Indicator(
        id=_id("indicator", incident.stix_id, pattern), name=name, pattern=pattern,
        pattern_type="stix", valid_from=since, indicator_types=["anomalous-activity"],
        description=f"Seen in coordinated behaviour ({incident.title}); evidence for a "
                    f"review, not a verdict.", **common)


def export_incident(incident: Incident, *, tlp: str = "amber") -> dict:
    """The incident as a STIX 2.1 bundle (a JSON-ready dict), validated with
    stix2-validator; raises ``ValueError`` for an unknown TLP and
    ``StixExportError`` if what we built does not validate."""
    marking = tlp_marking(tlp)
    identity = server_identity(marking.id)
    created = incident.detected_at
    modified = max(incident.updated_at or created, created)
    common = {"created_by_ref": identity.id, "object_marking_refs": [marking.id],
              "created": created, "modified": modified}
    first, last = incident.first_seen, max(incident.last_seen, incident.first_seen)
    accounts = list(incident.accounts.order_by("id"))
    posts = _evidence(incident)
    links = _links(posts)
    phases = []
    for technique_id in incident.techniques:
        technique = disarm.technique(technique_id)
        if technique and technique.phase not in [p["phase_name"] for p in phases]:
            phases.append({"kill_chain_name": disarm.KILL_CHAIN, "phase_name": technique.phase})

    objects: list = [marking, identity]
    sdo_incident = stix2.v21.Incident(
        id=incident.stix_id, name=incident.title,
        description=_description(incident, len(accounts), len(posts)),
        **({"kill_chain_phases": phases} if phases else {}), **common)
    campaign = stix2.v21.Campaign(
        id=_id("campaign", incident.stix_id), name=incident.title, first_seen=first,
        last_seen=last, description="The coordinated activity this incident describes.",
        **common)
    attribution = str((incident.details or {}).get("attribution") or "").strip()
    actor = stix2.v21.ThreatActor(
        id=_id("threat-actor", incident.stix_id),
        name=attribution[:200] or f"Unattributed actor (incident I-{incident.pk}, "
                                       f"{settings.ROSTRA_DOMAIN})",
        threat_actor_types=["unknown"],
        description=("Attributed by an analyst of " + settings.ROSTRA_DOMAIN + "."
                     if attribution else "Who runs these accounts is not established; "
                     "this object only lets partners link their sightings."), **common)
    objects += [sdo_incident, campaign, actor]

    def relate(source: str, kind: str, target: str) -> stix2.v21.Relationship:
        return stix2.v21.Relationship(id=_id("relationship", source, kind, target),
                                      relationship_type=kind, source_ref=source,
                                      target_ref=target, **common)

    objects += [relate(sdo_incident.id, "related-to", campaign.id),
                relate(campaign.id, "attributed-to", actor.id)]
    for technique_id in dict.fromkeys(incident.techniques):
        if disarm.is_technique_id(technique_id):
            pattern = _attack_pattern(technique_id, common)
            objects += [pattern, relate(campaign.id, "uses", pattern.id)]

    scos: list = []
    indicators: list = []
    for account in accounts:
        actor_uri, acct = account_keys(account)
        scos.append(stix2.v21.UserAccount(user_id=actor_uri, account_login=acct,
                                          account_type=ACCOUNT_TYPE,
                                          object_marking_refs=[marking.id]))
        indicators.append(_indicator(
            incident, f"[user-account:user_id = {pattern_literal(actor_uri)}]",
            f"Account {acct}", {**common}, first))
    for post in posts:
        scos.append(stix2.v21.URL(value=post_url(post), object_marking_refs=[marking.id]))
    for link in links:
        scos.append(stix2.v21.URL(value=link, object_marking_refs=[marking.id]))
        indicators.append(_indicator(incident, f"[url:value = {pattern_literal(link)}]",
                                     f"Shared link {link[:200]}", {**common}, first))
    for domain in (incident.details or {}).get("domains", []) or []:
        if isinstance(domain, str) and domain.strip():
            value = domain.strip().lower()
            scos.append(stix2.v21.DomainName(value=value, object_marking_refs=[marking.id]))
            indicators.append(_indicator(
                incident, f"[domain-name:value = {pattern_literal(value)}]",
                f"Domain {value}", {**common}, first))
    scos = list({sco.id: sco for sco in scos}.values())
    objects += scos + indicators
    objects += [relate(indicator.id, "indicates", campaign.id) for indicator in indicators]
    if scos:
        observed = stix2.v21.ObservedData(
            id=_id("observed-data", incident.stix_id), first_observed=first,
            last_observed=last, number_observed=max(1, len(posts)),
            object_refs=[sco.id for sco in scos], **common)
        sighting = stix2.v21.Sighting(
            id=_id("sighting", incident.stix_id), sighting_of_ref=campaign.id,
            observed_data_refs=[observed.id], where_sighted_refs=[identity.id],
            first_seen=first, last_seen=last, count=max(1, len(posts)), **common)
        objects += [observed, sighting]

    bundle = stix2.v21.Bundle(id=_id("bundle", incident.stix_id, tlp), objects=objects)
    data = json.loads(bundle.serialize())
    validate(data)
    return data


def _dangling_refs(data: dict) -> list[str]:
    ids = {obj["id"] for obj in data["objects"]}
    dangling = []
    for obj in data["objects"]:
        for key, value in obj.items():
            refs = [value] if key.endswith("_ref") else value if key.endswith("_refs") else []
            dangling += [f"{obj['id']}: {key} {ref}" for ref in refs if ref not in ids]
    return dangling


def validate(data: dict) -> None:
    """Raise ``StixExportError`` with the validator's errors unless ``data`` is a
    valid STIX 2.1 bundle whose references all resolve inside it."""
    results = _validator().validate_instance(data, _validator().ValidationOptions(version="2.1"))
    errors = [getattr(e, "message", str(e)) for e in results.errors] if not results.is_valid else []
    errors += [f"dangling reference {ref}" for ref in _dangling_refs(data)]
    if errors:
        raise StixExportError("The STIX bundle did not validate: " + "; ".join(errors[:10]))


def _validator():
    """stix2-validator, imported on first use: loading it (and its JSON schemas and
    format checkers) takes seconds, which no page that merely links here should pay."""
    import stix2validator

    return stix2validator
