"""Notices (Art. 16 DSA) and reports become cases, queued by priority with deadlines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from rostra.moderation import services
from rostra.moderation.models import Case, Category, Source, TrustedFlagger
from tests import factories

pytestmark = pytest.mark.django_db
BASE = "http://localhost:8000"


def notice(**overrides):
    fields = {"content_url": "https://elsewhere.example/p/1", "category": Category.SCAM,
              "explanation": "A fake bank asking for card numbers.", "name": "Ana",
              "email": "ana@example.org", "good_faith": True}
    return services.file_notice(**{**fields, **overrides})


def test_a_notice_about_a_local_post_locates_it_and_gets_a_number(alice):
    post = factories.make_post(alice, "Buy cheap followers")
    case = notice(content_url=f"{BASE}/@alice/{post.pk}", category=Category.SPAM)
    assert list(case.target_posts.all()) == [post] and case.target_account == alice
    assert case.source == Source.NOTICE and case.status == Case.Status.OPEN
    assert case.number == f"R-{case.created_at:%Y}-{case.pk:06d}"
    same = notice(content_url=f"{BASE}/users/alice/statuses/{post.pk}")  # its ActivityPub id
    assert list(same.target_posts.all()) == [post]
    profile = notice(content_url=f"{BASE}/@alice")
    assert profile.target_account == alice and not profile.target_posts.exists()


@pytest.mark.parametrize("field, overrides", [
    ("content_url", {"content_url": "not a url"}),
    ("category", {"category": "boring"}),
    ("explanation", {"explanation": "   "}),
    ("good_faith", {"good_faith": False}),
    ("email", {"name": "", "email": ""}),
])
def test_an_incomplete_notice_is_refused_naming_what_to_fix(field, overrides):
    with pytest.raises(services.NoticeError) as refused:
        notice(**overrides)
    assert refused.value.field == field
    assert not Case.objects.exists()


def test_only_child_sexual_abuse_material_may_be_notified_anonymously():
    case = notice(category=Category.CSAM, name="", email="")
    assert case.notifier_email == "" and case.priority == services.PRIORITY[Category.CSAM]


def test_the_queue_puts_abuse_material_first_then_trusted_flaggers_then_the_rest():
    TrustedFlagger.objects.create(name="Hotline", email_domain="hotline.example")
    spam = notice(category=Category.SPAM)
    hate = notice(category=Category.ILLEGAL_HATE)
    flagged = notice(category=Category.SCAM, email="desk@hotline.example")
    images = notice(category=Category.INTIMATE_IMAGES)
    csam = notice(category=Category.CSAM, name="", email="")
    assert flagged.source == Source.TRUSTED_FLAGGER
    assert list(services.queue()) == [csam, images, flagged, hate, spam]


def test_deadlines_follow_the_category():
    images = notice(category=Category.INTIMATE_IMAGES)
    spam = notice(category=Category.SPAM)
    assert images.due_at - images.created_at == timedelta(hours=1)  # the law allows 48 h
    assert spam.due_at - spam.created_at == timedelta(days=7)


def test_the_notifier_gets_a_receipt_by_e_mail_with_the_case_number():
    with TestCase.captureOnCommitCallbacks(execute=True):
        case = notice()
    (message,) = mail.outbox
    assert case.number in message.subject and message.to == ["ana@example.org"]
    assert f"/notices/{case.receipt}" in message.body


def test_a_user_report_of_a_post_they_cannot_see_is_refused(alice, bob):
    hidden = factories.make_post(alice, "Only for my followers", visibility="private")
    with pytest.raises(services.NoticeError):
        services.report(bob, alice, posts=[hidden])
    case = services.report(bob, alice, category="spam", comment="Bot")
    assert (case.category, case.source, case.notifier) == (Category.SPAM, Source.REPORT, bob)


# --- the web door -------------------------------------------------------------------

def test_anyone_files_a_notice_without_an_account_and_follows_it(client, alice):
    post = factories.make_post(alice, "Something")
    form = client.get(reverse("web:notice_new"), {"url": f"{BASE}/@alice/{post.pk}"})
    assert form.status_code == 200 and f"{BASE}/@alice/{post.pk}".encode() in form.content
    sent = client.post(reverse("web:notice_new"), {
        "content_url": f"{BASE}/@alice/{post.pk}", "category": "privacy",
        "explanation": "My home address.", "name": "Bea", "email": "bea@example.org",
        "good_faith": "on"})
    case = Case.objects.get()
    assert sent.status_code == 302 and sent["Location"].endswith(f"/notices/{case.receipt}")
    page = client.get(sent["Location"])
    assert case.number.encode() in page.content and b"Waiting for a moderator" in page.content
    assert b"Bea" not in page.content and b"bea@example.org" not in page.content


def test_the_web_form_shows_what_to_fix(client):
    sent = client.post(reverse("web:notice_new"), {"content_url": "https://x.example/1",
                                                   "category": "scam", "explanation": "x"})
    assert sent.status_code == 400 and not Case.objects.exists()
    assert b'aria-invalid="true"' in sent.content  # the unticked statement is marked


def test_every_post_offers_a_report_link(client, alice):
    post = factories.make_post(alice, "Hello")
    page = client.get(reverse("web:post", args=["alice", post.pk]))
    assert reverse("web:notice_new").encode() in page.content


# --- the moderators' pages ----------------------------------------------------------

def test_moderators_see_the_queue_in_order_and_a_case_with_its_evidence(client, alice):
    staff = factories.make_user("boss", admin=True)
    post = factories.make_post(alice, "Evidence text")
    spam = notice(category=Category.SPAM)
    csam = notice(category=Category.CSAM, name="", email="",
                  content_url=f"{BASE}/@alice/{post.pk}")
    client.force_login(staff)
    page = client.get(reverse("web:moderation_queue")).content.decode()
    assert page.index(csam.number) < page.index(spam.number)
    again = notice(category=Category.PRIVACY, content_url=f"{BASE}/@alice")
    detail = client.get(reverse("web:moderation_case", args=[csam.pk])).content.decode()
    assert "Evidence text" in detail and "anonymous" in detail
    assert again.number in detail and spam.number not in detail  # related: same account


def test_the_queue_is_for_staff_only(client, alice):
    client.force_login(factories.make_user("plain"))
    assert client.get(reverse("web:moderation_queue")).status_code == 403
    client.logout()
    assert client.get(reverse("web:moderation_queue")).status_code == 302  # to log in


def test_a_moderator_takes_a_case_and_notes_it_and_the_audit_log_keeps_both(client, alice):
    from rostra.moderation.models import AuditEntry

    staff = factories.make_user("boss", admin=True)
    case = notice()
    client.force_login(staff)
    client.post(reverse("web:moderation_assign", args=[case.pk]))
    client.post(reverse("web:moderation_note", args=[case.pk]), {"text": "Looks like phishing"})
    case.refresh_from_db()
    assert case.assigned_to == staff
    assert [n.text for n in case.notes.all()] == ["Looks like phishing"]
    actions = list(AuditEntry.objects.filter(case=case).order_by("pk")
                   .values_list("action", "actor__username"))
    assert actions == [("case.opened", None), ("case.assigned", "boss"),
                       ("case.note_added", "boss")]
    page = client.get(reverse("web:moderation_audit")).content.decode()
    assert "case.note_added" in page and case.number in page
    detail = client.get(reverse("web:moderation_case", args=[case.pk])).content.decode()
    assert "Looks like phishing" in detail and "Unassign" in detail


def test_the_audit_log_cannot_be_rewritten():
    from rostra.moderation.models import AuditEntry

    entry = services.audit(None, "case.opened")
    entry.action = "nothing.happened"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    with pytest.raises(ValueError):
        AuditEntry.objects.all().delete()
    with pytest.raises(ValueError):
        AuditEntry.objects.update(action="x")
    assert AuditEntry.objects.get(pk=entry.pk).action == "case.opened"


def test_only_staff_may_be_assigned(alice):
    case = notice()
    with pytest.raises(services.NoticeError):
        services.assign(case, factories.make_user("plain"), by=None)


def test_a_notice_about_a_media_file_locates_its_post(alice):
    from rostra.posts.media import upload_media

    upload = upload_media(alice, factories.image_bytes(), description="A cat")
    post = factories.make_post(alice, "My cat", media=[upload])
    upload.refresh_from_db()
    case = notice(content_url=f"{BASE}{upload.file.url}", category=Category.INTIMATE_IMAGES)
    assert list(case.target_posts.all()) == [post] and case.target_account == alice


def test_every_profile_offers_a_report_link_that_locates_the_account(client, alice):
    page = client.get(reverse("web:profile", args=["alice"]))
    assert b'href="/notices/new?url=http://testserver/@alice"' in page.content
    assert b"this account" in page.content
