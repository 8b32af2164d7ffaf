"""The web pages of leaving: "Delete my account" schedules the deletion and signs
out every session; signing in during the grace period shows only the date and the
button that cancels it, and cancelling signs the owner in with everything back."""

from __future__ import annotations

import pyotp
import pytest
from django.core.cache import cache
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from rostra.accounts import deletion, sanctions, totp
from rostra.accounts.models import Account, User
from tests import factories

pytestmark = pytest.mark.django_db
SIGN_IN = {"login": "leaver", "password": factories.PASSWORD}


@pytest.fixture
def leaver(db):
    return factories.make_user("leaver").account


def ask(client: Client):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("web:delete_account"),
                           {"password": factories.PASSWORD, "confirm": "on"})


def signed_in(client: Client) -> bool:
    return client.get(reverse("web:settings_account")).status_code == 200


def test_the_delete_page_says_how_long_the_owner_has_to_change_their_mind(client, leaver):
    client.force_login(leaver.user)
    page = client.get(reverse("web:delete_account"))
    assert "deleted for good 30 days later" in " ".join(page.content.decode().split())
    assert reverse("web:export").encode() in page.content


def test_asking_schedules_the_deletion_and_signs_out_every_session(leaver):
    here, elsewhere = Client(), Client()
    assert here.post(reverse("web:login"), SIGN_IN).status_code == 302
    assert elsewhere.post(reverse("web:login"), SIGN_IN).status_code == 302
    done = ask(here)
    assert done.status_code == 302
    leaver.refresh_from_db()
    assert deletion.awaiting_deletion(leaver) and leaver.deleted_at is None
    assert not signed_in(here) and not signed_in(elsewhere)
    message = here.get("/", follow=True).content.decode()
    assert f"will be deleted on {deletion.when(leaver.delete_after)}" in message


def test_a_wrong_password_schedules_nothing(client, leaver):
    client.force_login(leaver.user)
    wrong = client.post(reverse("web:delete_account"), {"password": "nope", "confirm": "on"})
    assert wrong.status_code == 400
    assert Account.objects.get(pk=leaver.pk).delete_after is None


def test_signing_in_during_the_grace_period_shows_the_date_and_nothing_else(leaver):
    ask(_signed_in_client(leaver))
    leaver.refresh_from_db()
    client = Client()
    answer = client.post(reverse("web:login"), SIGN_IN)
    assert answer.status_code == 302 and answer.url == reverse("web:deletion_pending")
    page = client.get(answer.url)
    assert page.status_code == 200
    assert deletion.when(leaver.delete_after) in page.content.decode()
    assert b"Cancel deletion" in page.content
    assert not signed_in(client)  # only this page: nobody is logged in


def _signed_in_client(account: Account) -> Client:
    client = Client()
    client.force_login(account.user)
    return client


def test_cancel_deletion_signs_the_owner_in_with_the_account_back(leaver):
    factories.make_post(leaver, "Back soon")
    ask(_signed_in_client(leaver))
    client = Client()
    client.post(reverse("web:login"), SIGN_IN)
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = client.post(reverse("web:deletion_pending"))
    assert done.status_code == 302
    leaver.refresh_from_db()
    assert leaver.delete_after is None and leaver.suspended_at is None
    assert signed_in(client)
    assert Client().get("/@leaver").status_code == 200


def test_the_pending_page_needs_the_password_first(client, leaver):
    ask(_signed_in_client(leaver))
    assert client.get(reverse("web:deletion_pending")).url == reverse("web:login")
    assert client.post(reverse("web:deletion_pending")).status_code == 302
    assert deletion.awaiting_deletion(Account.objects.get(pk=leaver.pk))


def test_with_two_factor_on_the_code_comes_before_the_pending_page(leaver):
    user = leaver.user
    secret = totp.generate_secret()
    totp.enable(user, secret, pyotp.TOTP(secret).now())
    cache.clear()
    ask(_signed_in_client(leaver))
    client = Client()
    assert client.post(reverse("web:login"), SIGN_IN).url == reverse("web:login_two_factor")
    assert client.get(reverse("web:deletion_pending")).url == reverse("web:login")
    stored = User.objects.get(pk=user.pk).totp_secret
    answer = client.post(reverse("web:login_two_factor"), {"code": pyotp.TOTP(stored).now()})
    assert answer.url == reverse("web:deletion_pending")


def test_a_moderators_suspension_during_the_grace_period_refuses_the_sign_in(leaver):
    ask(_signed_in_client(leaver))
    sanctions.sanction(Account.objects.get(pk=leaver.pk), suspended_at=timezone.now())
    refused = Client().post(reverse("web:login"), SIGN_IN)
    assert refused.status_code == 400 and b"suspended" in refused.content


def test_without_a_grace_period_the_page_deletes_at_once_and_for_good(leaver, settings):
    settings.ROSTRA_ACCOUNT_DELETION_GRACE_DAYS = 0
    client = _signed_in_client(leaver)
    assert b"It is deleted at once." in client.get(reverse("web:delete_account")).content
    ask(client)
    gone = Account.objects.get(pk=leaver.pk)
    assert gone.deleted_at is not None
    assert not gone.user.has_usable_password() and not gone.user.is_active
    assert Client().post(reverse("web:login"), SIGN_IN).status_code == 400
