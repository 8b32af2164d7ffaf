"""An incident exported as a STIX 2.1 bundle: valid, with DISARM techniques, the
TLP marking on every object, stable ids, and nothing the public cannot see."""

from __future__ import annotations

import json

import pytest
from stix2patterns.validator import run_validator
from stix2validator import ValidationOptions, validate_instance

from rostra.integrity import stix_export
from rostra.integrity.stix_export import StixExportError, export_incident, pattern_literal
from tests.integrity.stix_world import DIRECT_LINK, SECRET_LINK, incident_world


@pytest.fixture
def world(db):
    return incident_world()


def _of(bundle: dict, kind: str) -> list[dict]:
    return [o for o in bundle["objects"] if o["type"] == kind]


def test_export_is_valid_stix_2_1(world):
    bundle = export_incident(world["incident"])
    results = validate_instance(bundle, ValidationOptions(version="2.1", enforce_refs=True))
    assert results.is_valid, [e.message for e in results.errors]
    assert bundle["type"] == "bundle"


def test_export_has_the_whole_object_graph(world):
    bundle = export_incident(world["incident"])
    kinds = {o["type"] for o in bundle["objects"]}
    assert {"identity", "incident", "campaign", "threat-actor", "attack-pattern",
            "relationship", "observed-data", "user-account", "url", "domain-name",
            "indicator", "sighting", "marking-definition"} <= kinds
    rels = {(r["relationship_type"], r["source_ref"].split("--")[0], r["target_ref"].split("--")[0])
            for r in _of(bundle, "relationship")}
    assert ("uses", "campaign", "attack-pattern") in rels
    assert ("attributed-to", "campaign", "threat-actor") in rels
    assert ("related-to", "incident", "campaign") in rels
    assert ("indicates", "indicator", "campaign") in rels


def test_incident_keeps_its_stable_id_and_says_when(world):
    incident = world["incident"]
    bundle = export_incident(incident)
    (sdo,) = _of(bundle, "incident")
    assert sdo["id"] == incident.stix_id
    assert incident.first_seen.isoformat() in sdo["description"]
    phase = {"kill_chain_name": "disarm", "phase_name": "maximise-exposure"}
    assert phase in sdo["kill_chain_phases"]
    assert export_incident(incident)["id"] == bundle["id"]  # the same bundle next time


def test_attack_patterns_carry_disarm_ids_and_urls(world):
    bundle = export_incident(world["incident"])
    refs = {}
    for pattern in _of(bundle, "attack-pattern"):
        (disarm_ref,) = [r for r in pattern["external_references"] if r["source_name"] == "DISARM"]
        refs[disarm_ref["external_id"]] = (pattern["name"], disarm_ref["url"])
    assert refs["T0049"] == ("Flood Information Space", "https://github.com/DISARMFoundation/"
                             "DISARMframeworks/blob/main/generated_pages/techniques/T0049.md")
    assert set(refs) == {"T0049", "T0118", "T0084.001"}


def test_attack_pattern_ids_are_the_same_for_every_incident(world, make_account):
    from rostra.integrity.models import Incident

    first = export_incident(world["incident"])
    other = Incident.objects.create(title="Other", techniques=["T0049"],
                                    first_seen=world["incident"].first_seen,
                                    last_seen=world["incident"].last_seen)
    second = export_incident(other)
    ids = {o["name"]: o["id"] for o in _of(first, "attack-pattern")}
    assert _of(second, "attack-pattern")[0]["id"] == ids["Flood Information Space"]


def test_every_object_carries_the_chosen_tlp_marking(world):
    bundle = export_incident(world["incident"], tlp="amber+strict")
    (marking,) = _of(bundle, "marking-definition")
    assert marking["id"] == stix_export.TLP_MARKINGS["amber+strict"]
    assert marking["extensions"][stix_export.TLP_EXTENSION]["tlp_2_0"] == "amber+strict"
    for obj in bundle["objects"]:
        if obj["type"] != "marking-definition":
            assert obj["object_marking_refs"] == [marking["id"]], obj["id"]


def test_unknown_tlp_is_refused(world):
    with pytest.raises(ValueError, match="TLP must be one of"):
        export_incident(world["incident"], tlp="white")


def test_threat_actor_is_unattributed_unless_an_analyst_says(world):
    incident = world["incident"]
    (actor,) = _of(export_incident(incident), "threat-actor")
    assert actor["name"].startswith("Unattributed actor")
    assert actor["threat_actor_types"] == ["unknown"]
    incident.details = {**incident.details, "attribution": "Storm-1516"}
    incident.save()
    (actor,) = _of(export_incident(incident), "threat-actor")
    assert actor["name"] == "Storm-1516"


def test_accounts_are_observed_and_indicated_by_actor_uri(world):
    bundle = export_incident(world["incident"])
    accounts = {o["account_login"]: o for o in _of(bundle, "user-account")}
    assert accounts["far@far.example"]["user_id"] == "https://far.example/users/far"
    assert accounts["amy@localhost:8000"]["user_id"] == "http://localhost:8000/users/amy"
    assert accounts["amy@localhost:8000"]["account_type"] == "activitypub"
    patterns = {o["pattern"] for o in _of(bundle, "indicator")}
    assert "[user-account:user_id = 'https://far.example/users/far']" in patterns
    assert "[domain-name:value = 'evil.example']" in patterns


def test_public_and_unlisted_evidence_urls_and_links_go_out(world):
    bundle = export_incident(world["incident"])
    urls = {o["value"] for o in _of(bundle, "url")}
    assert f"http://localhost:8000/@amy/{world['public'].pk}" in urls
    assert f"http://localhost:8000/@ben/{world['unlisted'].pk}" in urls
    assert "https://far.example/users/far/statuses/1" in urls
    assert "https://evil.example/story?id=1#top" in urls
    assert "https://news.evil.example/it's" in urls
    assert "https://far.example/tags/x" not in urls  # a hashtag link is not a shared link


def test_followers_only_and_direct_evidence_never_leaves(world):
    text = json.dumps(export_incident(world["incident"]))
    for post in (world["secret"], world["direct"]):
        assert f"/{post.pk}" not in text
    assert SECRET_LINK not in text and DIRECT_LINK not in text
    assert "Only friends" not in text and "psst" not in text


def test_no_post_text_and_no_personal_data(world):
    text = json.dumps(export_incident(world["incident"]))
    assert "Read this" not in text
    assert "@example.org" not in text  # the users' e-mail addresses


def test_pattern_with_a_quote_is_escaped_and_parses(world):
    bundle = export_incident(world["incident"])
    pattern = next(o["pattern"] for o in _of(bundle, "indicator") if "news.evil" in o["pattern"])
    assert pattern == "[url:value = 'https://news.evil.example/it\\'s']"
    assert run_validator(pattern, stix_version="2.1") == []


def test_pattern_literal_escapes_backslash_and_quote():
    assert pattern_literal("a'b\\c") == "'a\\'b\\\\c'"
    assert run_validator(f"[url:value = {pattern_literal(chr(39) + ' OR 1=1 ]')}]",
                         stix_version="2.1") == []


def test_a_failing_validation_is_raised_not_returned(world, monkeypatch):
    real = stix_export.stix2.v21.Bundle

    def broken_bundle(**kwargs):
        bundle = real(**kwargs)
        # Build a bundle whose relationship points at nothing in it.
        return real(objects=[*bundle.objects, stix_export.stix2.v21.Relationship(
            relationship_type="uses", source_ref="campaign--00000000-0000-4000-8000-000000000000",
            target_ref="attack-pattern--00000000-0000-4000-8000-000000000000")])

    monkeypatch.setattr(stix_export.stix2.v21, "Bundle", broken_bundle)
    with pytest.raises(StixExportError, match="did not validate"):
        export_incident(world["incident"])


def test_an_incident_without_accounts_still_exports_valid(db):
    from django.utils import timezone

    from rostra.integrity.models import Incident

    now = timezone.now()
    incident = Incident.objects.create(title="Empty", techniques=["T9999"], first_seen=now,
                                       last_seen=now)
    bundle = export_incident(incident)
    assert not _of(bundle, "observed-data")
    (pattern,) = _of(bundle, "attack-pattern")
    assert pattern["name"] == "T9999"  # a technique added by hand, not in our table
