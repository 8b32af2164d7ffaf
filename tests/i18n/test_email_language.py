"""E-mails are written in their recipient's language, whoever's request or task sends
them: each carries the language it was composed in as ``Content-Language``.

No catalogue exists yet, so these tests assert the language that was active while
the e-mail was composed, not translated words."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import translation

from rostra.accounts import deletion
from rostra.accounts.models import User
from rostra.core import alerts
from rostra.moderation import appeals, decisions, services
from rostra.moderation.models import Category, Ground, Measure
from tests import factories

pytestmark = pytest.mark.django_db
TERMS = {"ground": Ground.TERMS, "terms_ground": "Rule 3: no spam",
         "explanation": "The post advertises bought followers.",
         "facts": "Posted 40 times in an hour to strangers."}


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ROSTRA_ADMIN_EMAILS = []
    cache.clear()
    mail.outbox.clear()
    yield
    cache.clear()


def speaks(user, code: str) -> None:
    User.objects.filter(pk=user.pk).update(locale=code)


def language_sent_to(address: str) -> str:
    found = [m for m in mail.outbox if address in m.to]
    assert len(found) == 1, [m.to for m in mail.outbox]
    return found[0].extra_headers["Content-Language"]


def removal(author, capture, *, moderator_language: str = "en", notifier_email="ana@example.org"):
    post = factories.make_post(author, "Buy followers now")
    case = services.file_notice(content_url=f"http://localhost:8000/@{author.username}/{post.pk}",
                                category=Category.SPAM, explanation="Look at this.", name="Ana",
                                email=notifier_email, good_faith=True)
    moderator = factories.make_user(admin=True)
    mail.outbox.clear()
    with translation.override(moderator_language), capture(execute=True):
        decision = decisions.decide(case, Measure.REMOVE, by=moderator, **TERMS)
    return decision


def test_a_german_user_gets_the_statement_of_reasons_in_german(
        alice, django_capture_on_commit_callbacks):
    speaks(alice.user, "de")
    removal(alice, django_capture_on_commit_callbacks)
    assert language_sent_to(alice.user.email) == "de"


def test_the_moderators_language_does_not_leak_into_the_users_e_mail(
        alice, django_capture_on_commit_callbacks):
    speaks(alice.user, "de")
    removal(alice, django_capture_on_commit_callbacks, moderator_language="fr")
    assert language_sent_to(alice.user.email) == "de"
    assert translation.get_language() != "de"  # nothing stays switched afterwards


def test_a_user_without_a_language_gets_the_servers_default(
        alice, django_capture_on_commit_callbacks):
    removal(alice, django_capture_on_commit_callbacks, moderator_language="fr")
    assert language_sent_to(alice.user.email) == "en"


def test_a_language_the_server_does_not_offer_falls_back_to_the_default(
        alice, django_capture_on_commit_callbacks):
    speaks(alice.user, "tlh")
    removal(alice, django_capture_on_commit_callbacks)
    assert language_sent_to(alice.user.email) == "en"


def test_a_notifier_who_is_a_user_gets_the_outcome_in_their_language(
        alice, bob, django_capture_on_commit_callbacks):
    speaks(bob.user, "pl")
    removal(alice, django_capture_on_commit_callbacks, notifier_email=bob.user.email)
    assert language_sent_to(bob.user.email) == "pl"


def test_an_anonymous_notifier_gets_the_outcome_in_the_servers_default(
        alice, django_capture_on_commit_callbacks):
    speaks(alice.user, "de")
    removal(alice, django_capture_on_commit_callbacks, moderator_language="fr")
    assert language_sent_to("ana@example.org") == "en"


def test_the_notice_receipt_follows_the_language_the_notice_was_sent_in(
        alice, django_capture_on_commit_callbacks):
    post = factories.make_post(alice)
    with translation.override("it"), django_capture_on_commit_callbacks(execute=True):
        services.file_notice(content_url=f"http://localhost:8000/@alice/{post.pk}",
                             category=Category.SPAM, explanation="Spam.", name="Ana",
                             email="ana@example.org", good_faith=True)
    assert language_sent_to("ana@example.org") == "it"


def test_the_appeal_outcome_reaches_a_german_user_in_german(
        alice, django_capture_on_commit_callbacks):
    speaks(alice.user, "de")
    decision = removal(alice, django_capture_on_commit_callbacks)
    appeal = appeals.file_appeal(decision, "This is my own post.", account=alice)
    reviewer = factories.make_user(admin=True)
    mail.outbox.clear()
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        appeals.review(appeal, by=reviewer, reverse=True, response="It was not spam.")
    assert language_sent_to(alice.user.email) == "de"
    assert language_sent_to("ana@example.org") == "en"


def test_the_deletion_notice_is_in_the_account_holders_language(
        alice, django_capture_on_commit_callbacks):
    speaks(alice.user, "sv")
    email = alice.user.email
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        deletion.delete_account(alice)
    assert language_sent_to(email) == "sv"


def test_staff_alerts_go_to_each_admin_in_their_own_language():
    for name, code in (("anna", "de"), ("bea", "fr"), ("cleo", "de")):
        speaks(factories.make_user(name, admin=True), code)

    def subject() -> str:
        return f"Urgent, composed in {translation.get_language()}"

    assert alerts.send_alert("test", subject, "Look.")
    sent = {tuple(sorted(m.to)): (m.subject.split("] ")[1], m.extra_headers["Content-Language"])
            for m in mail.outbox}
    assert sent == {("anna@example.org", "cleo@example.org"): ("Urgent, composed in de", "de"),
                    ("bea@example.org",): ("Urgent, composed in fr", "fr")}
