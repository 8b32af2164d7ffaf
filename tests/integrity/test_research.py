"""Researchers' access (DSA Art. 40(12)): applying, an admin's decision, and the
key's life (pending, approved, re-issued, revoked, expired)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from rostra.api import oauth
from rostra.api.views.research import INVALID_KEY
from rostra.integrity import research
from rostra.integrity.models import Researcher
from rostra.moderation.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db
POSTS = "/api/research/v1/posts"


def application(**kwargs) -> Researcher:
    return research.apply(**{"name": "Dr Ines Roth", "organisation": "University of Leiden",
                             "email": "roth@leiden.example",
                             "purpose": "Foreign interference around elections.", **kwargs})


def get(client, key: str, url: str = POSTS):
    return client.get(url, headers={"Authorization": f"Bearer {key}"})


def test_an_application_is_pending_and_the_applicant_gets_a_receipt(
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        found = application()
    assert found.status == "pending" and not found.key_hash
    assert mail.outbox[-1].to == ["roth@leiden.example"]
    assert AuditEntry.objects.filter(action="research.applied").exists()


@pytest.mark.parametrize("field, value, message", [
    ("email", "not an address", "e-mail"),
    ("purpose", "   ", "purpose is required"),
    ("name", "x" * 201, "limited to 200"),
])
def test_a_bad_application_is_refused_and_nothing_is_kept(field, value, message):
    with pytest.raises(research.ResearchError, match=message):
        application(**{field: value})
    assert not Researcher.objects.exists()


def test_approval_mails_the_key_once_and_keeps_only_its_digest(
        admin, django_capture_on_commit_callbacks):
    found = application()
    with django_capture_on_commit_callbacks(execute=True):
        issued = research.approve(found, by=admin, note="Welcome", days=30)
    found.refresh_from_db()
    assert issued.key.startswith(f"rrk_{found.key_prefix}_")
    assert issued.key in mail.outbox[-1].body and "Welcome" in mail.outbox[-1].body
    stored = [str(v) for v in Researcher.objects.filter(pk=found.pk).values().get().values()]
    assert issued.key not in stored and found.key_hash == research.digest(issued.key)
    assert found.expires_at - timezone.now() > timedelta(days=29)
    assert AuditEntry.objects.get(action="research.approved").actor == admin


def test_only_an_administrator_decides(admin):
    moderator = factories.make_user("mod_max")
    moderator.is_staff = True
    moderator.save()
    found = application()
    with pytest.raises(research.ResearchError, match="administrator"):
        research.approve(found, by=moderator)
    found.refresh_from_db()
    assert found.status == "pending" and not found.key_hash


def test_a_rejection_needs_reasons_and_they_reach_the_applicant(
        admin, django_capture_on_commit_callbacks):
    found = application()
    with pytest.raises(research.ResearchError, match="reasons"):
        research.reject(found, by=admin, note="  ")
    with django_capture_on_commit_callbacks(execute=True):
        research.reject(found, by=admin, note="Not a research organisation.")
    assert "Not a research organisation." in mail.outbox[-1].body
    with pytest.raises(research.ResearchError, match="apply again"):
        research.approve(found, by=admin)


# --- the key at the API's door ------------------------------------------------------

def test_an_approved_key_works_and_its_use_is_noted(client, admin):
    issued = research.approve(application(), by=admin)
    answer = get(client, issued.key)
    assert answer.status_code == 200 and answer.json()["data"] == []
    assert Researcher.objects.get(pk=issued.researcher.pk).last_used_at is not None


def test_a_key_does_not_work_while_the_application_is_not_approved(client, admin):
    issued = research.approve(application(), by=admin)
    Researcher.objects.filter(pk=issued.researcher.pk).update(status="pending")
    answer = get(client, issued.key)
    assert answer.status_code == 401
    assert answer.json() == {"error": INVALID_KEY}
    assert answer["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_is_refused_and_the_researcher_is_told(
        client, admin, django_capture_on_commit_callbacks):
    issued = research.approve(application(), by=admin)
    with django_capture_on_commit_callbacks(execute=True):
        research.revoke(issued.researcher, by=admin, note="Data shared with a third party.")
    assert get(client, issued.key).status_code == 401
    assert "Data shared with a third party." in mail.outbox[-1].body
    assert AuditEntry.objects.filter(action="research.revoked").exists()


def test_an_expired_key_is_refused(client, admin):
    issued = research.approve(application(), by=admin)
    Researcher.objects.filter(pk=issued.researcher.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    assert get(client, issued.key).status_code == 401


def test_a_new_key_replaces_the_old_one(client, admin):
    first = research.approve(application(), by=admin)
    second = research.approve(first.researcher, by=admin)
    assert get(client, first.key).status_code == 401
    assert get(client, second.key).status_code == 200


@pytest.mark.parametrize("header", [
    "", "Bearer ", "Bearer rrk_000000000000_" + "a" * 43, "Basic dXNlcjpwYXNz",
    "Bearer ' OR 1=1 --",
])
def test_missing_or_malformed_keys_get_401(client, header):
    answer = client.get(POSTS, headers={"Authorization": header} if header else {})
    assert answer.status_code == 401 and "error" in answer.json()


def test_an_oauth_token_is_not_a_researcher_key(client, admin):
    app, _ = oauth.create_application("App", "urn:ietf:wg:oauth:2.0:oob", "read")
    issued = oauth.issue_token(app, admin, ["read"])
    assert get(client, issued.access_token).status_code == 401


def test_the_api_is_read_only(client, admin):
    issued = research.approve(application(), by=admin)
    answer = client.post(POSTS, {}, headers={"Authorization": f"Bearer {issued.key}"})
    assert answer.status_code == 405


def test_past_the_rate_limit_the_answer_is_429_with_retry_after(client, admin, settings):
    settings.ROSTRA_RATE_LIMITS = {"research": (2, 60)}
    issued = research.approve(application(), by=admin)
    assert [get(client, issued.key).status_code for _ in range(2)] == [200, 200]
    answer = get(client, issued.key)
    assert answer.status_code == 429 and answer.json() == {"error": "Too many requests"}
    assert 1 <= int(answer["Retry-After"]) <= 60
    other = research.approve(application(email="b@uni.example"), by=admin)
    assert get(client, other.key).status_code == 200  # the limit is per key


# --- the web pages --------------------------------------------------------------------

def test_the_public_page_explains_and_takes_an_application(client):
    page = client.get("/research").content.decode()
    assert "Article 40(12)" in page and "followers-only posts" in page
    answer = client.post("/research", {"name": "Ana", "organisation": "CNRS",
                                       "email": "ana@cnrs.example", "purpose": "Bots."})
    assert answer.status_code == 200 and "ana@cnrs.example" in answer.content.decode()
    assert Researcher.objects.get().organisation == "CNRS"


def test_the_public_form_keeps_what_was_typed_when_something_is_wrong(client):
    answer = client.post("/research", {"name": "Ana", "organisation": "CNRS",
                                       "email": "nope", "purpose": "My long purpose"})
    assert answer.status_code == 400
    assert "My long purpose" in answer.content.decode()
    assert not Researcher.objects.exists()


def test_the_admin_page_approves_and_revokes(client, admin):
    found = application()
    client.force_login(admin)
    assert "Dr Ines Roth" in client.get("/moderation/researchers").content.decode()
    answer = client.post(f"/moderation/researchers/{found.pk}/approve",
                         {"note": "ok", "days": "90"})
    assert answer.status_code == 302
    found.refresh_from_db()
    assert found.status == "approved" and found.decided_by == admin
    client.post(f"/moderation/researchers/{found.pk}/revoke", {"note": "Project ended."})
    found.refresh_from_db()
    assert found.status == "revoked" and not found.key_hash


def test_a_moderator_who_is_not_admin_may_read_but_not_decide(client):
    found = application()
    moderator = factories.make_user("mod_mia")
    moderator.is_staff = True
    moderator.save()
    client.force_login(moderator)
    assert client.get("/moderation/researchers").status_code == 200
    assert client.post(f"/moderation/researchers/{found.pk}/approve").status_code == 403
    found.refresh_from_db()
    assert found.status == "pending"


def test_people_who_are_not_staff_cannot_open_the_admin_page(client):
    client.force_login(factories.make_user("nosy"))
    assert client.get("/moderation/researchers").status_code == 403
