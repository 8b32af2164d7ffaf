"""Sign-up, log-in, two-factor log-in, log-out and password reset through the web UI."""

import re

import pyotp
import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from rostra.accounts import services, totp
from rostra.accounts.models import Invite, User
from tests.factories import PASSWORD

STRONG = "a rather long pass phrase 42"


def set_mode(mode: str, rules: str = "") -> None:
    services.update_site_settings(registration_mode=mode, rules=rules)


def signup_data(username="newbie", **extra):
    data = {
        "username": username,
        "email": f"{username}@example.org",
        "password1": STRONG,
        "password2": STRONG,
        "agreement": "on",
    }
    data.update(extra)
    return data


def logged_in_user(client):
    return client.session.get("_auth_user_id")


# --- sign-up ----------------------------------------------------------------------

@pytest.mark.django_db
def test_signup_page_shows_labelled_fields_rules_and_csrf(client):
    set_mode("open", rules="Be kind\nNo spam")
    response = client.get(reverse("web:signup"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in html
    for field in ("username", "email", "password1", "password2", "agreement"):
        assert f'for="id_{field}"' in html
    assert "<li>Be kind</li>" in html and "<li>No spam</li>" in html
    assert 'name="reason"' not in html


@pytest.mark.django_db
def test_open_signup_creates_account_and_logs_in(client):
    set_mode("open")
    response = client.post(reverse("web:signup"), signup_data())
    assert response.status_code == 302
    assert response.url == "/home"
    user = User.objects.get(username="newbie")
    assert user.approved and user.account.username == "newbie"
    assert logged_in_user(client) == str(user.pk)


@pytest.mark.django_db
def test_signup_requires_accepting_the_rules(client):
    set_mode("open", rules="Be kind")
    data = signup_data()
    del data["agreement"]
    response = client.post(reverse("web:signup"), data)
    assert response.status_code == 400
    assert "accept the server rules" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.django_db
def test_signup_refuses_mismatched_passwords(client):
    set_mode("open")
    response = client.post(reverse("web:signup"), signup_data(password2="something else 42"))
    assert "The two passwords are not the same." in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_shows_weak_password_message_next_to_field(client):
    set_mode("open")
    response = client.post(reverse("web:signup"), signup_data(password1="password",
                                                               password2="password"))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_password1_error"' in html
    assert "too common" in html
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_refuses_reserved_username(client):
    set_mode("open")
    response = client.post(reverse("web:signup"), signup_data("admin"))
    html = response.content.decode()
    assert 'id="id_username_error"' in html
    assert "This username is reserved." in html
    assert not User.objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_signup_refuses_taken_username_case_insensitively(client, make_user):
    set_mode("open")
    make_user("alice")
    response = client.post(reverse("web:signup"), signup_data("ALICE", email="other@example.org"))
    assert "This username is taken." in response.content.decode()
    assert User.objects.filter(username__iexact="alice").count() == 1


@pytest.mark.django_db
def test_approval_signup_asks_reason_and_waits(client):
    set_mode("approval")
    page = client.get(reverse("web:signup")).content.decode()
    assert 'for="id_reason"' in page
    response = client.post(reverse("web:signup"), signup_data(reason="I like birds"))
    assert response.status_code == 302
    assert response.url == reverse("web:awaiting_approval")
    user = User.objects.get(username="newbie")
    assert not user.approved and user.registration_reason == "I like birds"
    assert logged_in_user(client) is None
    assert "awaiting approval" in client.get(response.url).content.decode()


@pytest.mark.django_db
def test_approval_signup_requires_reason(client):
    set_mode("approval")
    response = client.post(reverse("web:signup"), signup_data())
    assert response.status_code == 400
    assert not User.objects.exists()


@pytest.mark.django_db
def test_unapproved_user_cannot_log_in_until_approved(client):
    set_mode("approval")
    client.post(reverse("web:signup"), signup_data(reason="hello"))
    response = client.post(reverse("web:login"), {"login": "newbie", "password": STRONG})
    assert "waiting for a moderator" in response.content.decode()
    assert logged_in_user(client) is None
    services.approve(User.objects.get(username="newbie"))
    response = client.post(reverse("web:login"), {"login": "newbie", "password": STRONG})
    assert response.status_code == 302
    assert logged_in_user(client) is not None


@pytest.mark.django_db
def test_closed_signup_says_closed_and_refuses_without_invite(client):
    set_mode("closed")
    page = client.get(reverse("web:signup")).content.decode()
    assert "Registrations are closed" in page
    assert 'name="username"' not in page
    client.post(reverse("web:signup"), signup_data())
    assert not User.objects.exists()


@pytest.mark.django_db
def test_closed_signup_accepts_invite_and_counts_its_use(client, make_user):
    set_mode("closed")
    inviter = make_user("inviter")
    invite = services.create_invite(inviter, max_uses=1)
    url = reverse("web:invite", kwargs={"code": invite.code})
    assert 'name="username"' in client.get(url).content.decode()
    response = client.post(url, signup_data())
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.approved and user.invite_id == invite.pk
    invite.refresh_from_db()
    assert invite.uses == 1
    assert logged_in_user(client) == str(user.pk)


@pytest.mark.django_db
def test_exhausted_invite_is_refused(client, make_user):
    set_mode("closed")
    invite = services.create_invite(make_user("inviter"), max_uses=1)
    Invite.objects.filter(pk=invite.pk).update(uses=1)
    url = reverse("web:invite", kwargs={"code": invite.code})
    page = client.get(url)
    assert page.status_code == 404
    assert "cannot be used" in page.content.decode()
    client.post(url, signup_data())
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.django_db
def test_invite_skips_approval(client, make_user):
    set_mode("approval")
    invite = services.create_invite(make_user("inviter"))
    client.post(reverse("web:invite", kwargs={"code": invite.code}), signup_data())
    assert User.objects.get(username="newbie").approved


# --- log-in -----------------------------------------------------------------------

@pytest.mark.django_db
def test_login_page_is_labelled_and_has_csrf(client):
    html = client.get(reverse("web:login")).content.decode()
    assert 'for="id_login"' in html and 'for="id_password"' in html
    assert "csrfmiddlewaretoken" in html


@pytest.mark.django_db
def test_login_with_username(client, make_user):
    user = make_user("alice")
    response = client.post(reverse("web:login"), {"login": "Alice", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/home"
    assert logged_in_user(client) == str(user.pk)


@pytest.mark.django_db
def test_login_with_email(client, make_user):
    user = make_user("alice")
    response = client.post(reverse("web:login"),
                           {"login": "ALICE@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_user(client) == str(user.pk)


@pytest.mark.django_db
def test_login_wrong_password_is_refused(client, make_user):
    make_user("alice")
    response = client.post(reverse("web:login"), {"login": "alice", "password": "nope"})
    assert response.status_code == 400
    assert "do not match" in response.content.decode()
    assert logged_in_user(client) is None


@pytest.mark.django_db
def test_login_refused_for_suspended_account(client, make_user):
    from django.utils import timezone

    from rostra.accounts.models import Account

    user = make_user("alice")
    Account.objects.filter(pk=user.account_id).update(suspended_at=timezone.now())
    response = client.post(reverse("web:login"), {"login": "alice", "password": PASSWORD})
    assert "suspended" in response.content.decode()
    assert logged_in_user(client) is None


@pytest.mark.django_db
def test_login_follows_safe_next_only(client, make_user):
    make_user("alice")
    response = client.post(reverse("web:login") + "?next=/settings/profile",
                           {"login": "alice", "password": PASSWORD})
    assert response.url == "/settings/profile"
    client.logout()
    response = client.post(reverse("web:login"),
                           {"login": "alice", "password": PASSWORD,
                            "next": "https://evil.example/"})
    assert response.url == "/home"


@pytest.mark.django_db
def test_login_form_enforces_csrf(make_user):
    from django.test import Client

    make_user("alice")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("web:login"), {"login": "alice", "password": PASSWORD})
    assert response.status_code == 403


@pytest.mark.django_db
def test_logout_is_post_only(client, make_user):
    client.force_login(make_user("alice"))
    assert client.get(reverse("web:logout")).status_code == 405
    assert logged_in_user(client) is not None
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert logged_in_user(client) is None


# --- two-factor log-in --------------------------------------------------------------

def with_two_factor(user) -> str:
    secret = totp.generate_secret()
    totp.enable(user, secret, pyotp.TOTP(secret).now())
    cache.clear()
    return secret


@pytest.mark.django_db
def test_two_factor_login_needs_the_code(client, make_user):
    user = make_user("alice")
    secret = with_two_factor(user)
    response = client.post(reverse("web:login"), {"login": "alice", "password": PASSWORD})
    assert response.url == reverse("web:login_two_factor")
    assert logged_in_user(client) is None

    code = pyotp.TOTP(secret).now()
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(reverse("web:login_two_factor"), {"code": wrong})
    assert response.status_code == 400
    assert "not right" in response.content.decode()
    assert logged_in_user(client) is None

    stored = User.objects.get(pk=user.pk).totp_secret
    response = client.post(reverse("web:login_two_factor"),
                           {"code": pyotp.TOTP(stored).now()})
    assert response.status_code == 302 and response.url == "/home"
    assert logged_in_user(client) == str(user.pk)


@pytest.mark.django_db
def test_two_factor_step_without_password_step_goes_back_to_login(client, make_user):
    with_two_factor(make_user("alice"))
    response = client.get(reverse("web:login_two_factor"))
    assert response.status_code == 302 and response.url == reverse("web:login")


@pytest.mark.django_db
def test_two_factor_attempts_are_limited(client, make_user):
    secret = with_two_factor(make_user("alice"))
    client.post(reverse("web:login"), {"login": "alice", "password": PASSWORD})
    code = pyotp.TOTP(secret).now()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = client.post(reverse("web:login_two_factor"), {"code": wrong})
    assert response.status_code == 302 and response.url == reverse("web:login")
    # Even the right code is no use now: the password step must be repeated.
    response = client.post(reverse("web:login_two_factor"), {"code": code})
    assert response.url == reverse("web:login")
    assert logged_in_user(client) is None


# --- password reset -----------------------------------------------------------------

@pytest.mark.django_db
def test_password_reset_mails_a_working_link(client, make_user):
    make_user("alice")
    response = client.post(reverse("web:password_reset"), {"email": "alice@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("web:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    link = re.search(r"https?://[^/\s]+(/auth/reset/\S+)", message.body).group(1)

    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert 'for="id_new_password1"' in response.content.decode()
    response = client.post(response.redirect_chain[-1][0],
                           {"new_password1": STRONG, "new_password2": STRONG})
    assert response.status_code == 302
    assert response.url == reverse("web:password_reset_complete")
    assert User.objects.get(username="alice").check_password(STRONG)


@pytest.mark.django_db
def test_password_reset_for_unknown_address_sends_nothing_and_reveals_nothing(client):
    response = client.post(reverse("web:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []
