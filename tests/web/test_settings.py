"""Settings pages: profile, preferences, password, two-factor, the social graph,
invites and the staff pages."""

import pyotp
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rostra.accounts import services, totp
from rostra.accounts.models import Account, FollowRequest, Invite, SiteSettings, User
from tests.factories import PASSWORD, image_bytes

NEW_PASSWORD = "another long pass phrase 7"


@pytest.fixture
def alice_client(client, make_user):
    user = make_user("alice")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def staff_client(client, make_user):
    user = make_user("boss", admin=True)
    client.force_login(user)
    client.user = user
    return client


def profile_data(**extra):
    data = {"display_name": "Alice A.", "note": "Hello #fediverse", "discoverable": "on",
            "field_0_name": "Website", "field_0_value": "https://alice.example"}
    data.update(extra)
    return data


# --- access -------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("name", ["settings_profile", "settings_account", "password_change",
                                  "two_factor", "follow_requests", "settings_followers", "blocks",
                                  "mutes", "invites", "approvals", "site_settings"])
def test_settings_pages_require_log_in(client, name):
    response = client.get(reverse(f"web:{name}"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login") + "?next=")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["settings_profile", "settings_account", "password_change",
                                  "two_factor", "follow_requests", "settings_followers", "blocks",
                                  "mutes", "invites"])
def test_settings_pages_render_with_navigation(alice_client, name):
    response = alice_client.get(reverse(f"web:{name}"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-label="Settings"' in html
    assert 'aria-current="page"' in html
    assert reverse("web:approvals") not in html  # staff links hidden


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["approvals", "site_settings"])
def test_staff_pages_refuse_non_staff(alice_client, name):
    assert alice_client.get(reverse(f"web:{name}")).status_code == 403
    assert alice_client.post(reverse(f"web:{name}"), {}).status_code == 403


@pytest.mark.django_db
def test_admin_site_refuses_non_staff_and_lists_models_for_staff(client, make_user):
    client.force_login(make_user("alice"))
    assert client.get("/admin/").status_code == 302
    client.force_login(make_user("boss", admin=True))
    html = client.get("/admin/").content.decode()
    for model in ("accounts/account", "accounts/user", "accounts/invite", "posts/post",
                  "posts/media", "posts/poll", "notifications/notification"):
        assert f"/admin/{model}/" in html
    assert client.get("/admin/accounts/account/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


# --- profile ------------------------------------------------------------------------

@pytest.mark.django_db
def test_profile_form_is_labelled_and_prefilled(alice_client):
    services.update_profile(alice_client.user.account, display_name="Alice",
                            fields=[{"name": "Pronouns", "value": "she/her"}])
    html = alice_client.get(reverse("web:settings_profile")).content.decode()
    for field in ("display_name", "note", "avatar", "header", "locked", "bot", "discoverable",
                  "field_0_name", "field_3_value"):
        assert f'for="id_{field}"' in html
    assert 'value="Pronouns"' in html and 'value="she/her"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "csrfmiddlewaretoken" in html


@pytest.mark.django_db
def test_profile_update_with_avatar(alice_client):
    avatar = SimpleUploadedFile("me.png", image_bytes(), content_type="image/png")
    response = alice_client.post(reverse("web:settings_profile"),
                                 profile_data(avatar=avatar, locked="on"))
    assert response.status_code == 302
    account = Account.objects.get(username="alice")
    assert account.display_name == "Alice A."
    assert "fediverse" in account.note_html
    assert account.fields == [{"name": "Website", "value": "https://alice.example"}]
    assert account.locked and account.discoverable and not account.bot
    assert account.avatar.name.startswith("avatars/")


@pytest.mark.django_db
def test_non_image_avatar_is_refused_and_nothing_saved(alice_client):
    bogus = SimpleUploadedFile("me.png", b"this is not an image", content_type="image/png")
    response = alice_client.post(reverse("web:settings_profile"), profile_data(avatar=bogus))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_avatar_error"' in html
    assert "not an image" in html
    account = Account.objects.get(username="alice")
    assert account.display_name == "" and not account.avatar


@pytest.mark.django_db
def test_profile_too_long_display_name_is_refused(alice_client):
    response = alice_client.post(reverse("web:settings_profile"),
                                 profile_data(display_name="x" * 31))
    assert response.status_code == 400
    assert Account.objects.get(username="alice").display_name == ""


# --- account preferences and password --------------------------------------------------

@pytest.mark.django_db
def test_account_page_shows_email_and_saves_preferences(alice_client):
    html = alice_client.get(reverse("web:settings_account")).content.decode()
    assert "alice@example.org" in html
    response = alice_client.post(reverse("web:settings_account"),
                                 {"default_visibility": "unlisted", "default_sensitive": "on"})
    assert response.status_code == 302
    user = User.objects.get(username="alice")
    assert user.default_visibility == "unlisted" and user.default_sensitive


@pytest.mark.django_db
def test_account_preferences_refuse_unknown_visibility(alice_client):
    response = alice_client.post(reverse("web:settings_account"),
                                 {"default_visibility": "everyone"})
    assert response.status_code == 400
    assert User.objects.get(username="alice").default_visibility == "public"


@pytest.mark.django_db
def test_password_change_keeps_session(alice_client):
    response = alice_client.post(reverse("web:password_change"), {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert response.status_code == 302
    assert User.objects.get(username="alice").check_password(NEW_PASSWORD)
    assert alice_client.get(reverse("web:settings_account")).status_code == 200


@pytest.mark.django_db
def test_password_change_needs_old_password(alice_client):
    response = alice_client.post(reverse("web:password_change"), {
        "old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert response.status_code in (200, 400)
    assert "incorrect" in response.content.decode()
    assert User.objects.get(username="alice").check_password(PASSWORD)


# --- two-factor ------------------------------------------------------------------------

@pytest.mark.django_db
def test_two_factor_setup_shows_qr_and_enables_after_code(alice_client):
    html = alice_client.get(reverse("web:two_factor")).content.decode()
    assert "<svg" in html
    secret = alice_client.session["rostra_2fa_setup_secret"]
    assert secret in html
    assert not User.objects.get(username="alice").totp_secret  # not saved yet
    code = pyotp.TOTP(secret).now()
    wrong = "000000" if code != "000000" else "111111"
    response = alice_client.post(reverse("web:two_factor"), {"code": wrong})
    assert response.status_code == 400
    assert not User.objects.get(username="alice").totp_secret
    response = alice_client.post(reverse("web:two_factor"), {"code": code})
    assert response.status_code == 302
    assert User.objects.get(username="alice").totp_secret == secret


@pytest.mark.django_db
def test_two_factor_disable_needs_code_or_password(alice_client):
    user = alice_client.user
    secret = totp.generate_secret()
    totp.enable(user, secret, pyotp.TOTP(secret).now())
    response = alice_client.post(reverse("web:two_factor"), {"password": "wrong"})
    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).totp_secret == secret
    response = alice_client.post(reverse("web:two_factor"), {"password": PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).totp_secret == ""


# --- social graph ------------------------------------------------------------------------

@pytest.mark.django_db
def test_follow_request_accept_and_reject(client, make_user):
    alice = make_user("alice", locked=True)
    bob, carol = make_user("bob").account, make_user("carol").account
    services.follow(bob, alice.account)
    services.follow(carol, alice.account)
    client.force_login(alice)
    html = client.get(reverse("web:follow_requests")).content.decode()
    assert "@bob" in html and "@carol" in html and "Accept" in html and "Reject" in html
    bob_request = FollowRequest.objects.get(account=bob)
    carol_request = FollowRequest.objects.get(account=carol)

    client.post(reverse("web:follow_requests"), {"request": bob_request.pk, "action": "accept"})
    client.post(reverse("web:follow_requests"), {"request": carol_request.pk, "action": "reject"})
    assert services.relationship(bob, alice.account)["following"]
    assert not services.relationship(carol, alice.account)["following"]
    assert not FollowRequest.objects.exists()


@pytest.mark.django_db
def test_follow_request_of_someone_else_cannot_be_accepted(client, make_user):
    alice = make_user("alice", locked=True)
    bob = make_user("bob").account
    services.follow(bob, alice.account)
    client.force_login(make_user("mallory"))
    request = FollowRequest.objects.get()
    response = client.post(reverse("web:follow_requests"),
                           {"request": request.pk, "action": "accept"})
    assert response.status_code == 404
    assert FollowRequest.objects.filter(pk=request.pk).exists()


@pytest.mark.django_db
def test_blocks_and_mutes_lists_undo(alice_client, make_user):
    from datetime import timedelta

    me = alice_client.user.account
    bob, carol = make_user("bob").account, make_user("carol").account
    services.block(me, bob)
    services.mute(me, carol, duration=timedelta(days=1))
    assert "@bob" in alice_client.get(reverse("web:blocks")).content.decode()
    mutes_html = alice_client.get(reverse("web:mutes")).content.decode()
    assert "@carol" in mutes_html and "until" in mutes_html
    alice_client.post(reverse("web:blocks"), {"account": bob.pk})
    alice_client.post(reverse("web:mutes"), {"account": carol.pk})
    rel_bob, rel_carol = services.relationship(me, bob), services.relationship(me, carol)
    assert not rel_bob["blocking"] and not rel_carol["muting"]


@pytest.mark.django_db
def test_blocked_domains_page_blocks_lists_and_unblocks(alice_client):
    from rostra.accounts import domain_blocks

    me = alice_client.user.account
    page = alice_client.get(reverse("web:domain_blocks")).content.decode()
    assert '<label for="id_domain">' in page and "csrfmiddlewaretoken" in page
    assert "You have not blocked any domain." in page
    response = alice_client.post(reverse("web:domain_blocks"),
                                 {"action": "block", "domain": " *.Spam.Example "})
    assert response.status_code == 302
    assert [b.domain for b in domain_blocks.blocked_domains(me)] == ["spam.example"]
    page = alice_client.get(reverse("web:domain_blocks")).content.decode()
    assert 'aria-label="Unblock spam.example"' in page
    alice_client.post(reverse("web:domain_blocks"),
                      {"action": "unblock", "domain": "spam.example"})
    assert not domain_blocks.blocked_domains(me).exists()


@pytest.mark.django_db
def test_blocked_domains_page_says_why_a_domain_is_refused(alice_client):
    from rostra.accounts.models import AccountDomainBlock

    response = alice_client.post(reverse("web:domain_blocks"),
                                 {"action": "block", "domain": "not a domain"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "is not a domain name" in page and 'aria-invalid="true"' in page
    assert 'value="not a domain"' in page
    assert not AccountDomainBlock.objects.exists()


@pytest.mark.django_db
def test_settings_nav_links_blocked_domains(alice_client):
    page = alice_client.get(reverse("web:blocks")).content.decode()
    assert f'href="{reverse("web:domain_blocks")}"' in page


@pytest.mark.django_db
def test_remove_follower(alice_client, make_user):
    me = alice_client.user.account
    bob = make_user("bob").account
    services.follow(bob, me)
    alice_client.post(reverse("web:settings_followers"), {"account": bob.pk})
    assert not services.relationship(bob, me)["following"]


# --- invites, approvals, site settings ------------------------------------------------------

@pytest.mark.django_db
def test_user_can_create_invite_when_registrations_are_not_open(alice_client):
    services.update_site_settings(registration_mode="closed")
    response = alice_client.post(reverse("web:invites"),
                                 {"max_uses": "5", "expires_in": "86400"})
    assert response.status_code == 302
    invite = Invite.objects.get(created_by=alice_client.user)
    assert invite.max_uses == 5 and invite.expires_at is not None
    html = alice_client.get(reverse("web:invites")).content.decode()
    assert f"/invite/{invite.code}" in html and "0 of 5" in html


@pytest.mark.django_db
def test_user_cannot_create_invite_when_registrations_are_open(alice_client):
    services.update_site_settings(registration_mode="open")
    assert alice_client.post(reverse("web:invites"), {}).status_code == 403
    assert not Invite.objects.exists()


@pytest.mark.django_db
def test_staff_can_always_create_invites(staff_client):
    services.update_site_settings(registration_mode="open")
    assert staff_client.post(reverse("web:invites"), {}).status_code == 302
    assert Invite.objects.get().max_uses is None


@pytest.mark.django_db
def test_staff_approves_pending_user(staff_client):
    services.update_site_settings(registration_mode="approval")
    pending = services.register("newbie", "newbie@example.org", NEW_PASSWORD,
                                reason="I like birds")
    html = staff_client.get(reverse("web:approvals")).content.decode()
    assert "@newbie" in html and "I like birds" in html
    response = staff_client.post(reverse("web:approvals"), {"user": pending.pk})
    assert response.status_code == 302
    assert User.objects.get(pk=pending.pk).approved


@pytest.mark.django_db
def test_staff_changes_site_settings(staff_client):
    response = staff_client.post(reverse("web:site_settings"), {
        "registration_mode": "approval", "title": "Birds", "description": "About birds",
        "rules": "Be kind",
    })
    assert response.status_code == 302
    site = SiteSettings.current()
    assert (site.registration_mode, site.title, site.rules) == ("approval", "Birds", "Be kind")
