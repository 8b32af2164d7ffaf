"""The whole flow through the web doors: a notice from someone without an account,
a moderator's decision, the author's statement of reasons and appeal, another
moderator's reversal restoring the post exactly, and the notifier's receipt page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from rostra.moderation.models import Appeal, Case, Decision, Measure
from rostra.notifications.models import Notification
from rostra.posts.models import Post
from tests import factories

pytestmark = pytest.mark.django_db
BASE = "http://localhost:8000"
REMOVE = {"measure": "remove", "ground": "illegal",
          "legal_ground": "Art. 5 Directive 2011/36/EU",
          "explanation": "The post offers forged identity papers.",
          "facts": "The notice linked the post; it names a price per passport."}


def fields(post) -> dict:
    return {f.attname: getattr(post, f.attname) for f in Post._meta.concrete_fields}


def test_notice_decision_statement_appeal_and_exact_restoration(
        alice, bob, django_capture_on_commit_callbacks):
    post = factories.make_post(alice, "Passports for sale, DM me")
    before = fields(post)
    visitor, mod1, mod2 = Client(), Client(), Client()
    mod1.force_login(factories.make_user("mod1", admin=True))
    mod2.force_login(factories.make_user("mod2", admin=True))
    author = Client()
    author.force_login(alice.user)

    with django_capture_on_commit_callbacks(execute=True):
        visitor.post(reverse("web:notice_new"), {
            "content_url": f"{BASE}/@alice/{post.pk}", "category": "other_illegal",
            "explanation": "Selling forged documents.", "name": "Bea",
            "email": "bea@example.org", "good_faith": "on"})
    case = Case.objects.get()
    page = mod1.get(reverse("web:moderation_case", args=[case.pk]))
    assert b'name="measure"' in page.content and b"Passports for sale" in page.content

    with django_capture_on_commit_callbacks(execute=True):
        decided = mod1.post(reverse("web:moderation_decide", args=[case.pk]), REMOVE)
    assert decided.status_code == 302
    decision = Decision.objects.get()
    assert decision.measure == Measure.REMOVE
    assert visitor.get(reverse("web:post", args=["alice", post.pk])).status_code == 404
    assert Client().get(f"/@alice/{post.pk}").status_code == 404

    # The author is told, reads the statement of reasons and appeals.
    notifications = author.get(reverse("web:notifications"))
    statement_url = reverse("web:statement", args=[decision.pk])
    assert statement_url.encode() in notifications.content
    statement = author.get(statement_url)
    for words in (b"We removed the content.", b"Art. 5 Directive 2011/36/EU",
                  b"We acted on a notice we received.", b"Out-of-court dispute settlement",
                  b"Passports for sale"):
        assert words in statement.content
    assert b"Bea" not in statement.content and b"bea@example.org" not in statement.content
    # Someone else cannot read it.
    other = Client()
    other.force_login(bob.user)
    assert other.get(statement_url).status_code == 403
    appealed = author.post(statement_url, {"text": "These are props for a film."})
    assert appealed.status_code == 302
    appeal = Appeal.objects.get()

    # The moderator who decided cannot review; the other reverses.
    own = mod1.post(reverse("web:moderation_appeal", args=[appeal.pk]),
                    {"outcome": "reverse", "response": "ok"})
    assert own.status_code == 400 and Appeal.objects.get().status == Appeal.Status.PENDING
    assert reverse("web:moderation_appeal", args=[appeal.pk]).encode() in mod2.get(
        reverse("web:moderation_appeals")).content
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reviewed = mod2.post(reverse("web:moderation_appeal", args=[appeal.pk]),
                             {"outcome": "reverse", "response": "The film's producer confirmed."})
    assert reviewed.status_code == 302
    post.refresh_from_db()
    assert fields(post) == before
    assert Client().get(f"/@alice/{post.pk}").status_code == 200
    assert {m.to[0] for m in mail.outbox} == {alice.user.email, "bea@example.org"}
    assert Notification.objects.filter(account=alice, type="moderation_warning").count() == 2

    # The notifier's receipt shows the decision, its reversal and the appeal route.
    link = re.search(r"/notices/[0-9a-f-]{36}", next(
        m.body for m in mail.outbox if m.to == ["bea@example.org"])).group(0)
    receipt = visitor.get(link)
    assert b"We removed the content." in receipt.content and b"Reversed" in receipt.content


def test_a_notifier_without_an_account_appeals_a_decision_not_to_act(alice):
    post = factories.make_post(alice, "A harmless joke")
    visitor, mod = Client(), Client()
    mod.force_login(factories.make_user("mod1", admin=True))
    visitor.post(reverse("web:notice_new"), {
        "content_url": f"{BASE}/@alice/{post.pk}", "category": "illegal_hate",
        "explanation": "It insults a group.", "name": "Cy", "email": "cy@example.org",
        "good_faith": "on"})
    case = Case.objects.get()
    mod.post(reverse("web:moderation_decide", args=[case.pk]),
             {"measure": "none", "explanation": "Satire, not incitement."})
    receipt_url = reverse("web:notice_receipt", args=[case.receipt])
    page = visitor.get(receipt_url)
    assert b"We decided not to act" in page.content and b"Send the appeal" in page.content
    sent = visitor.post(reverse("web:notice_appeal", args=[case.receipt]),
                        {"text": "The post names a group and calls for violence."})
    assert sent.status_code == 302
    assert Appeal.objects.get().role == Appeal.Role.NOTIFIER
    again = visitor.post(reverse("web:notice_appeal", args=[case.receipt]), {"text": "again"})
    assert again.status_code == 400 and Appeal.objects.count() == 1


def test_an_incomplete_decision_is_refused_on_the_case_page(alice):
    post = factories.make_post(alice, "x")
    mod = Client()
    mod.force_login(factories.make_user("mod1", admin=True))
    from rostra.moderation import services

    case = services.file_notice(content_url=f"{BASE}/@alice/{post.pk}", category="spam",
                                explanation="spam", name="A", email="a@example.org",
                                good_faith=True)
    refused = mod.post(reverse("web:moderation_decide", args=[case.pk]),
                       {**REMOVE, "legal_ground": ""})
    assert refused.status_code == 400 and b"Name the law" in refused.content
    assert not Decision.objects.exists()
    user = Client()
    user.force_login(factories.make_user("someone"))
    assert user.post(reverse("web:moderation_decide", args=[case.pk]),
                     REMOVE).status_code == 403


def test_a_suspended_account_reads_its_statement_and_appeals_with_the_e_mailed_key(
        alice, bob, django_capture_on_commit_callbacks):
    from rostra.moderation import decisions, services

    mod = factories.make_user("mod1", admin=True)
    case = services.report(bob, alice, category="spam", comment="bot")
    with django_capture_on_commit_callbacks(execute=True):
        decision = decisions.decide(case, Measure.SUSPEND, by=mod, ground="terms",
                                    terms_ground="Rule 1", explanation="Automated spam.",
                                    facts="500 identical replies.")
    (message,) = [m for m in mail.outbox if m.to == [alice.user.email]]
    link = re.search(r"http://localhost:8000(/statements/\S+)", message.body).group(1)
    visitor = Client()
    assert visitor.get(reverse("web:statement", args=[decision.pk])).status_code == 302
    forged = reverse("web:statement", args=[decision.pk]) + "?key=forged"
    assert visitor.get(forged).status_code == 302  # to the log-in page
    page = visitor.get(link)
    assert page.status_code == 200 and b"We suspended the account." in page.content
    sent = visitor.post(link, {"text": "A friend used my phone; it will not happen again."})
    assert sent.status_code == 302 and sent["Location"] == link
    appeal = Appeal.objects.get()
    assert (appeal.role, appeal.decision) == (Appeal.Role.AFFECTED, decision)


def test_an_admin_designates_a_trusted_flagger_whose_notices_go_first(alice, bob):
    from rostra.moderation import services
    from rostra.moderation.models import AuditEntry, Source, TrustedFlagger

    admin = Client()
    admin.force_login(factories.make_user("boss", admin=True))
    url = reverse("web:moderation_flaggers")
    refused = admin.post(url, {"name": "Hotline", "accounts": "nobody_here"})
    assert refused.status_code == 400 and b"No account here: nobody_here" in refused.content
    assert admin.post(url, {"name": "Hotline", "email_domain": "hotline.example",
                            "accounts": "@bob"}).status_code == 302
    flagger = TrustedFlagger.objects.get()
    assert list(flagger.accounts.all()) == [bob] and flagger.email_domain == "hotline.example"
    case = services.report(bob, alice, category="spam")
    assert case.source == Source.TRUSTED_FLAGGER
    admin.post(url, {"flagger": flagger.pk, "active": "0"})
    assert services.report(bob, alice, category="spam").source == Source.REPORT
    assert AuditEntry.objects.filter(action="flagger.deactivated").exists()
    user = Client()
    user.force_login(alice.user)
    assert user.get(url).status_code == 403
