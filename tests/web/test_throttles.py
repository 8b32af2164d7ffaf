"""Limits on the actions abuse aims at (issue 11): sign-up, log-in, posting and the
public notice form, per address and per account, through the web and the API. Past
a limit the answer is 429 with Retry-After, and the form comes back as it was sent."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rostra.accounts.models import User
from rostra.api import oauth
from rostra.core.throttles import Limit, ThrottleConfigError, parse
from rostra.moderation import services as moderation
from rostra.moderation.models import Case
from rostra.posts.models import Post
from tests import factories

pytestmark = pytest.mark.django_db
STRONG = "a rather long pass phrase 42"


def _signup(client, username):
    return client.post(reverse("web:signup"), {
        "username": username, "email": f"{username}@example.org", "password1": STRONG,
        "password2": STRONG, "agreement": "on"})


def test_the_sixth_sign_up_from_one_address_waits_and_keeps_what_was_typed(settings):
    settings.ROSTRA_THROTTLES = {"sign_up": Limit(5, 1800)}
    for n in range(5):
        assert _signup(Client(), f"person{n}").status_code == 302
    refused = _signup(Client(), "person5")
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 1800
    assert b"Too many attempts" in refused.content
    assert b'value="person5"' in refused.content  # nothing typed is lost
    assert not User.objects.filter(username="person5").exists()


def test_sign_ups_count_per_address(settings):
    settings.ROSTRA_THROTTLES = {"sign_up": Limit(1, 1800)}
    assert _signup(Client(REMOTE_ADDR="192.0.2.1"), "first").status_code == 302
    assert _signup(Client(REMOTE_ADDR="192.0.2.2"), "second").status_code == 302
    assert _signup(Client(REMOTE_ADDR="192.0.2.1"), "third").status_code == 429


def test_log_in_attempts_are_limited_per_address_even_with_the_right_password(settings):
    settings.ROSTRA_THROTTLES = {"log_in": Limit(3, 300)}
    factories.make_user("alice")
    client = Client()
    for _ in range(3):
        wrong = client.post(reverse("web:login"), {"login": "alice", "password": "nope"})
        assert wrong.status_code == 400
    right = client.post(reverse("web:login"), {"login": "alice",
                                               "password": factories.PASSWORD})
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    assert b'value="alice"' in right.content


def test_guessing_one_accounts_password_from_many_addresses_is_limited(settings):
    settings.ROSTRA_THROTTLES = {"log_in_account": Limit(2, 3600)}
    factories.make_user("alice")
    answers = [Client(REMOTE_ADDR=f"198.51.100.{n}").post(
        reverse("web:login"), {"login": "Alice", "password": "guess"}).status_code
        for n in range(3)]
    assert answers == [400, 400, 429]
    other = Client(REMOTE_ADDR="198.51.100.9").post(
        reverse("web:login"), {"login": "bob", "password": "guess"})
    assert other.status_code == 400  # another name is not held up


def test_the_api_password_grant_shares_the_log_in_limit(settings):
    settings.ROSTRA_THROTTLES = {"log_in": Limit(1, 300)}
    factories.make_user("alice")
    app, secret = oauth.create_application("Toot", "urn:ietf:wg:oauth:2.0:oob", "read")
    data = {"grant_type": "password", "username": "alice", "password": factories.PASSWORD,
            "client_id": app.client_id, "client_secret": secret, "scope": "read"}
    assert Client().post("/oauth/token", data).status_code == 200
    refused = Client().post("/oauth/token", data)
    assert refused.status_code == 429 and refused["Retry-After"]
    assert refused.json()["error"] == "invalid_request"


def test_api_sign_ups_are_limited_per_address(settings):
    settings.ROSTRA_THROTTLES = {"sign_up": Limit(1, 1800)}
    app, _secret = oauth.create_application("Signup", "urn:ietf:wg:oauth:2.0:oob", "read write")
    token = oauth.issue_token(app, None, ["read", "write"]).access_token

    def register(name):
        return Client().post("/api/v1/accounts", {
            "username": name, "email": f"{name}@example.org", "password": factories.PASSWORD,
            "agreement": "true"}, headers={"Authorization": f"Bearer {token}"})

    assert register("newbie").status_code == 200
    refused = register("another")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "Too many attempts" in refused.json()["error"]


def test_web_and_api_posts_count_in_one_quota(settings):
    settings.ROSTRA_THROTTLES = {"statuses": Limit(2, 3 * 3600)}
    alice = factories.make_account("alice")
    web = Client()
    web.force_login(alice.user)
    assert web.post(reverse("web:compose"), {"text": "one", "visibility": "public"}
                    ).status_code == 302
    app, _secret = oauth.create_application("Toot", "urn:ietf:wg:oauth:2.0:oob", "write")
    token = oauth.issue_token(app, alice.user, ["write"]).access_token
    api = Client().post("/api/v1/statuses", {"status": "two"},
                        headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    refused = web.post(reverse("web:compose"), {"text": "three, kept", "visibility": "public"})
    assert refused.status_code == 429 and refused["Retry-After"]
    assert b"three, kept" in refused.content
    assert list(Post.objects.values_list("text", flat=True).order_by("id")) == ["one", "two"]


def _notice(client, n):
    return client.post(reverse("web:notice_new"), {
        "content_url": f"https://x.example/{n}", "category": "scam",
        "explanation": f"Fraud number {n}.", "name": "Bea", "email": "bea@example.org",
        "good_faith": "on"})


def test_the_notice_form_is_limited_per_address_and_keeps_the_explanation(settings):
    settings.ROSTRA_THROTTLES = {"notice": Limit(2, 3600)}
    client = Client()
    assert [_notice(client, n).status_code for n in range(2)] == [302, 302]
    refused = _notice(client, 2)
    assert refused.status_code == 429 and b"Fraud number 2." in refused.content
    assert Case.objects.count() == 2


def test_a_trusted_flaggers_account_is_not_limited_but_its_e_mail_domain_alone_is(settings):
    settings.ROSTRA_THROTTLES = {"notice": Limit(1, 3600)}
    admin = factories.make_user("boss", admin=True)
    flagger = factories.make_account("hotline")
    moderation.designate_flagger(admin, name="Hotline", email_domain="example.org",
                                 accounts=[flagger])
    signed_in = Client(REMOTE_ADDR="203.0.113.5")
    signed_in.force_login(flagger.user)
    assert [_notice(signed_in, n).status_code for n in range(3)] == [302, 302, 302]
    claimed = Client(REMOTE_ADDR="203.0.113.6")  # types an address at the flagger's domain
    assert [_notice(claimed, n).status_code for n in range(2)] == [302, 429]


def test_limits_off_means_off(settings):
    settings.ROSTRA_RATE_LIMITS_ENABLED = False
    settings.ROSTRA_THROTTLES = {"sign_up": Limit(1, 1800)}
    assert [_signup(Client(), f"p{n}").status_code for n in range(3)] == [302, 302, 302]


def test_the_setting_reads_overrides_and_refuses_typos():
    assert parse("sign_up=10/3600, notice=50/60") == {"sign_up": Limit(10, 3600),
                                                      "notice": Limit(50, 60)}
    assert parse("") == {}
    for bad in ("signup=1/2", "sign_up=ten/60", "sign_up=0/60", "sign_up=5"):
        with pytest.raises(ThrottleConfigError):
            parse(bad)
