"""Instance extras: announcements, rules, peers, weekly activity, extended
description and translation languages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rostra.accounts import services as accounts
from rostra.accounts.models import SiteSettings
from rostra.federation.models import DomainBlock, RemoteInstance
from tests import factories

pytestmark = pytest.mark.django_db


def test_announcements_are_an_empty_list(anon, api, alice):
    assert anon.get("/api/v1/announcements").json() == []
    assert api(alice).get("/api/v1/announcements").json() == []


def test_rules_one_per_line(anon):
    site = SiteSettings.current()
    site.rules = "Be kind\n\n  No spam  \n"
    site.save()
    assert anon.get("/api/v1/instance/rules").json() == [
        {"id": "1", "text": "Be kind", "hint": ""},
        {"id": "2", "text": "No spam", "hint": ""},
    ]


def test_peers_are_known_domains_without_suspended_ones(anon):
    RemoteInstance.objects.create(domain="known.example")
    RemoteInstance.objects.create(domain="evil.example")
    accounts.upsert_remote_account("https://far.example/users/x", "x", "far.example")
    DomainBlock.objects.create(domain="evil.example")
    DomainBlock.objects.create(domain="quiet.example", severity="silence")
    RemoteInstance.objects.create(domain="quiet.example")
    assert anon.get("/api/v1/instance/peers").json() == [
        "far.example", "known.example", "quiet.example"]


def test_activity_counts_twelve_weeks(anon, alice):
    factories.make_post(alice, "this week")
    factories.make_post(alice, "long ago", published=timezone.now() - timedelta(weeks=5))
    user = alice.user
    user.last_login = timezone.now()
    user.save()
    weeks = anon.get("/api/v1/instance/activity").json()
    assert len(weeks) == 12
    assert weeks[0] == {"week": weeks[0]["week"], "statuses": "1", "logins": "1",
                        "registrations": "1"}
    assert int(weeks[0]["week"]) > int(weeks[1]["week"])
    assert sum(int(w["statuses"]) for w in weeks) == 2


def test_extended_description_and_translation_languages(anon):
    site = SiteSettings.current()
    site.description = "Hello <world>\n\nSecond"
    site.save()
    answer = anon.get("/api/v1/instance/extended_description").json()
    assert answer["content"] == "<p>Hello &lt;world&gt;</p><p>Second</p>"
    assert answer["updated_at"].endswith("Z")
    assert anon.get("/api/v1/instance/translation_languages").json() == {}
