"""The staff pages of sharing: the incident's STIX download, importing a partner's
bundle, the watch lists with their matches, and switching a list off."""

from __future__ import annotations

import json

import pytest
import stix2
from django.core.files.uploadedfile import SimpleUploadedFile

from rostra.integrity.models import WatchSource
from rostra.integrity.stix_export import TLP_MARKINGS
from rostra.moderation.models import AuditEntry
from tests import factories
from tests.integrity.stix_world import incident_world


@pytest.fixture
def staff(client, make_user):
    user = make_user("mod", admin=True)
    client.force_login(user)
    return user


def _bundle(*patterns: str) -> bytes:
    partner = stix2.v21.Identity(name="Partner Lab", identity_class="organization")
    objects = [partner] + [stix2.v21.Indicator(
        pattern=p, pattern_type="stix", valid_from="2026-01-01T00:00:00Z",
        created_by_ref=partner.id, object_marking_refs=[stix2.TLP_GREEN]) for p in patterns]
    return stix2.v21.Bundle(objects=objects).serialize().encode()


def test_pages_are_for_staff_only(client, make_user, db):
    world = incident_world()
    client.force_login(make_user("someone"))
    assert client.get("/moderation/integrity/sharing").status_code == 403
    assert client.get(f"/moderation/integrity/{world['incident'].pk}/stix").status_code == 403
    upload = SimpleUploadedFile("b.json", _bundle("[domain-name:value = 'evil.example']"))
    assert client.post("/moderation/integrity/sharing/import", {"file": upload}).status_code == 403
    assert not WatchSource.objects.exists()


def test_staff_download_the_incidents_bundle_at_the_chosen_tlp(client, staff):
    incident = incident_world()["incident"]
    response = client.get(f"/moderation/integrity/{incident.pk}/stix", {"tlp": "amber+strict"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/stix+json")
    assert "attachment" in response["Content-Disposition"]
    bundle = json.loads(response.content)
    assert any(o["id"] == TLP_MARKINGS["amber+strict"] for o in bundle["objects"])
    entry = AuditEntry.objects.get(action="incident.stix_exported")
    assert entry.actor == staff and entry.details["tlp"] == "amber+strict"


def test_an_unknown_tlp_is_a_bad_request(client, staff):
    incident = incident_world()["incident"]
    response = client.get(f"/moderation/integrity/{incident.pk}/stix", {"tlp": "white"})
    assert response.status_code == 400


def test_the_incident_page_offers_the_download(client, staff):
    incident = incident_world()["incident"]
    page = client.get(f"/moderation/integrity/{incident.pk}").content.decode()
    assert f"/moderation/integrity/{incident.pk}/stix" in page
    assert "Download the STIX bundle" in page and 'value="amber" selected' in page


def test_importing_a_bundle_shows_the_list_and_its_matches(client, staff, alice):
    factories.make_post(alice, "https://evil.example/a")
    upload = SimpleUploadedFile("b.json", _bundle("[domain-name:value = 'evil.example']"))
    response = client.post("/moderation/integrity/sharing/import", {"file": upload}, follow=True)
    page = response.content.decode()
    assert "Imported the watch list of Partner Lab" in page
    assert "TLP:GREEN" in page and "evil.example" in page
    assert "a post by alice" in page
    assert AuditEntry.objects.filter(action="watchlist.imported", actor=staff).exists()


def test_a_refused_bundle_says_why_and_creates_nothing(client, staff):
    upload = SimpleUploadedFile("b.json", b'{"type": "report"}')
    response = client.post("/moderation/integrity/sharing/import", {"file": upload})
    assert response.status_code == 400
    assert "Not a STIX bundle" in response.content.decode()
    assert not WatchSource.objects.exists()


def test_a_source_can_be_switched_off_and_on(client, staff):
    client.post("/moderation/integrity/sharing/import", {"file": SimpleUploadedFile(
        "b.json", _bundle("[domain-name:value = 'evil.example']"))})
    source = WatchSource.objects.get()
    client.post(f"/moderation/integrity/sharing/{source.pk}/active", {"active": "0"})
    source.refresh_from_db()
    assert not source.active
    assert "Activate" in client.get("/moderation/integrity/sharing").content.decode()
    client.post(f"/moderation/integrity/sharing/{source.pk}/active", {"active": "1"})
    source.refresh_from_db()
    assert source.active
    assert AuditEntry.objects.filter(action="watchlist.deactivated").exists()
