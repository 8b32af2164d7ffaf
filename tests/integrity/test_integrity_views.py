"""The integrity pages inside moderation: staff only; an incident shows its
accounts, servers, evidence and charts (inline SVG with text alternatives); the
actions go through the incident services; election periods are set and ended."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rostra.accounts.models import Account
from rostra.integrity import incidents
from rostra.integrity.detect.records import CO_BOOST, Cluster
from rostra.integrity.models import ElectionPeriod, Incident
from rostra.moderation.models import Case, Category, Decision
from rostra.posts import services as posts
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def mod():
    client = Client()
    client.force_login(factories.make_user("mod1", admin=True))
    return client


@pytest.fixture
def incident():
    target = factories.make_post(factories.make_account("speaker"), "Turnout matters <b>today</b>")
    accounts = [factories.make_account(f"ring{i}") for i in range(3)]
    accounts.append(Account.objects.create(username="ring<x>", domain="far.example",
                                           uri="https://far.example/users/ringx"))
    boosts = [posts.reblog(a, target) for a in accounts[:3]]
    ids = [str(a.pk) for a in accounts]
    (found,) = incidents.record_clusters([Cluster(
        accounts=ids, behaviours=[CO_BOOST], score=0.75, evidence=[str(b.pk) for b in boosts],
        edges=[(ids[0], ids[i], 0.8, CO_BOOST) for i in range(1, 4)])], election=False)
    return found


def urls(incident) -> list[str]:
    return [reverse("web:moderation_integrity"),
            reverse("web:moderation_incident", args=[incident.pk]),
            reverse("web:moderation_elections")]


def test_the_pages_refuse_visitors_and_users_who_are_not_staff(incident):
    user = Client()
    user.force_login(factories.make_user("plain"))
    for url in urls(incident):
        assert Client().get(url).status_code == 302  # to the log-in page
        assert user.get(url).status_code == 403
    action = reverse("web:moderation_incident_dismiss", args=[incident.pk])
    assert user.post(action, {"reason": "nothing"}).status_code == 403
    assert Incident.objects.get().status == Incident.Status.OPEN


def test_the_list_shows_live_incidents_and_links_them(mod, incident):
    page = mod.get(reverse("web:moderation_integrity"))
    assert page.status_code == 200
    assert reverse("web:moderation_incident", args=[incident.pk]).encode() in page.content
    incidents.dismiss(incident, by=page.wsgi_request.user, reason="Organic.")
    assert b"I-%d" % incident.pk not in mod.get(reverse("web:moderation_integrity")).content
    dismissed = mod.get(reverse("web:moderation_integrity") + "?status=dismissed")
    assert b"I-%d" % incident.pk in dismissed.content


def test_the_incident_page_draws_the_accounts_in_svg_with_a_text_alternative(mod, incident):
    page = mod.get(reverse("web:moderation_incident", args=[incident.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    svg = re.search(r'<svg[^>]*role="img" aria-labelledby="network-title[^"]*">(.*?)</svg>',
                    html, re.S).group(1)
    for member in incident.members.select_related("account"):
        assert f'data-account="{member.account_id}"' in svg
        assert f"@{member.account.acct}".replace("<", "&lt;").replace(">", "&gt;") in svg
    content = html.split('<section class="settings-page">', 1)[1]
    assert "<script" not in content and "ring<x>" not in html  # no JavaScript; escaped
    assert svg.count("<line") == 3
    assert 'aria-labelledby="timeline-title timeline-desc"' in html
    assert "The ties as a table" in html and "The timeline as a table" in html
    assert "far.example" in html and "T0049.003" in html and "Turnout matters" in html
    assert "_incident_sharing" not in html  # the partial is included, not named


def test_review_then_dismiss_with_a_reason_from_the_page(mod, incident):
    mod.post(reverse("web:moderation_incident_review", args=[incident.pk]))
    assert Incident.objects.get().status == Incident.Status.REVIEWING
    refused = mod.post(reverse("web:moderation_incident_dismiss", args=[incident.pk]),
                       {"reason": ""})
    assert refused.status_code == 400 and Incident.objects.get().status == "reviewing"
    mod.post(reverse("web:moderation_incident_dismiss", args=[incident.pk]),
             {"reason": "A choir boosting its concert."})
    assert Incident.objects.get().status == Incident.Status.DISMISSED


def test_acting_from_the_page_decides_each_chosen_account(mod, incident):
    chosen = list(incident.members.filter(account__domain="").values_list("account_id",
                                                                          flat=True))[:2]
    form = {"accounts": chosen, "measure": "suspend", "duration": "30",
            "explanation": "A ring of accounts boosting in lockstep.", "facts": ""}
    missing = mod.post(reverse("web:moderation_incident_act", args=[incident.pk]),
                       dict(form, explanation=""))
    assert missing.status_code == 400 and Case.objects.count() == 0
    done = mod.post(reverse("web:moderation_incident_act", args=[incident.pk]), form)
    assert done.status_code == 302
    decisions = list(Decision.objects.all())
    assert sorted(d.target_account_id for d in decisions) == sorted(chosen)
    assert all(d.category == Category.ELECTIONS and d.ends_at for d in decisions)
    page = mod.get(reverse("web:moderation_incident", args=[incident.pk]))
    for decision in decisions:
        assert reverse("web:statement", args=[decision.pk]).encode() in page.content


def test_an_outsider_account_cannot_be_slipped_into_an_action(mod, incident, bob):
    form = {"accounts": [bob.pk], "measure": "limit", "explanation": "Inauthentic."}
    answer = mod.post(reverse("web:moderation_incident_act", args=[incident.pk]), form)
    assert answer.status_code == 400 and Decision.objects.count() == 0


def test_election_periods_are_added_and_ended_from_their_page(mod):
    now = timezone.now()
    bad = mod.post(reverse("web:moderation_elections"), {
        "name": "Municipal", "starts_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")})
    assert bad.status_code == 400 and ElectionPeriod.objects.count() == 0
    mod.post(reverse("web:moderation_elections"), {
        "name": "European Parliament",
        "starts_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")})
    period = ElectionPeriod.objects.get()
    assert b"Election mode is on" in mod.get(reverse("web:moderation_integrity")).content
    mod.post(reverse("web:moderation_election_end", args=[period.pk]))
    period.refresh_from_db()
    assert period.ends_at <= timezone.now()
    assert b"Election mode is off" in mod.get(reverse("web:moderation_integrity")).content
