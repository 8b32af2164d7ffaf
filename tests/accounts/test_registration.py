"""Registration: modes, invites, usernames, passwords."""

from datetime import timedelta

import pytest

from rostra.accounts import services
from rostra.accounts.errors import AccountError
from rostra.accounts.models import Account, Invite, SiteSettings, User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def set_mode(mode: str) -> None:
    site = SiteSettings.current()
    site.registration_mode = mode
    site.save()


def register(username="dora", email=None, password=PASSWORD, **kwargs):
    return services.register(username, email or f"{username}@example.org", password, **kwargs)


@pytest.fixture
def inviter(make_user):
    return make_user("inviter")


def test_open_mode_registers_an_approved_user_with_an_account():
    set_mode("open")
    user = register()
    assert user.approved
    assert user.account.username == "dora"
    assert user.account.local


def test_approval_mode_registers_a_user_awaiting_approval():
    set_mode("approval")
    user = register(reason="I like birds")
    assert not user.approved
    assert user.registration_reason == "I like birds"


def test_approving_a_user_lets_them_in():
    set_mode("approval")
    user = register()
    services.approve(user)
    user.refresh_from_db()
    assert user.approved


def test_closed_mode_refuses_without_an_invite():
    set_mode("closed")
    with pytest.raises(AccountError) as exc:
        register()
    assert exc.value.field == "invite"
    assert not User.objects.filter(username="dora").exists()
    assert not Account.objects.filter(username="dora").exists()


def test_closed_mode_accepts_a_valid_invite(inviter):
    set_mode("closed")
    invite = services.create_invite(inviter)
    user = register(invite_code=invite.code)
    assert user.approved
    assert user.invite == invite


def test_invite_skips_approval(inviter):
    set_mode("approval")
    invite = services.create_invite(inviter)
    assert register(invite_code=invite.code).approved


def test_using_an_invite_counts_its_use(inviter):
    invite = services.create_invite(inviter, max_uses=2)
    register(invite_code=invite.code)
    invite.refresh_from_db()
    assert invite.uses == 1


def test_exhausted_invite_is_refused(inviter):
    set_mode("closed")
    invite = services.create_invite(inviter, max_uses=1)
    register("first", invite_code=invite.code)
    with pytest.raises(AccountError) as exc:
        register("second", invite_code=invite.code)
    assert exc.value.field == "invite"
    assert not User.objects.filter(username="second").exists()


def test_expired_invite_is_refused(inviter):
    set_mode("closed")
    invite = services.create_invite(inviter, expires_in=timedelta(days=1))
    Invite.objects.filter(pk=invite.pk).update(expires_at=invite.expires_at - timedelta(days=2))
    with pytest.raises(AccountError):
        register(invite_code=invite.code)


def test_unknown_invite_code_is_refused():
    with pytest.raises(AccountError):
        register(invite_code="no-such-code")


def test_bypass_policy_registers_in_closed_mode():
    set_mode("closed")
    assert register(bypass_policy=True).approved


@pytest.mark.parametrize("name", ["admin", "Admin", "root", "webfinger", "rostra"])
def test_reserved_usernames_are_refused(name):
    with pytest.raises(AccountError) as exc:
        register(name)
    assert "reserved" in str(exc.value)


def test_usernames_are_unique_regardless_of_case():
    register("dora")
    with pytest.raises(AccountError) as exc:
        register("DORA", email="other@example.org")
    assert exc.value.field == "username"


def test_remote_account_with_the_same_name_does_not_block_registration():
    Account.objects.create(username="dora", domain="remote.example")
    assert register("dora").account.domain == ""


@pytest.mark.parametrize(
    "name",
    ["", "with space", "dash-ed", "dotted.name", "ümlaut", "a" * 31, "emoji🙂", "trailing\n",
     "@dora", "dora@example.org"],
)
def test_invalid_usernames_are_refused(name):
    with pytest.raises(AccountError) as exc:
        register(name, email="x@example.org")
    assert exc.value.field == "username"
    assert not Account.objects.exists()


def test_email_addresses_are_unique_regardless_of_case():
    register("dora", email="dora@example.org")
    with pytest.raises(AccountError) as exc:
        register("other", email="DORA@Example.org")
    assert exc.value.field == "email"


def test_invalid_email_is_refused():
    with pytest.raises(AccountError) as exc:
        register("dora", email="not-an-address")
    assert exc.value.field == "email"


@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "dora@example.org"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(AccountError) as exc:
        register("dora", password=password)
    assert exc.value.field == "password"
    assert not User.objects.filter(username="dora").exists()


def test_password_is_stored_hashed():
    user = register()
    assert user.password != PASSWORD
    assert user.check_password(PASSWORD)


def test_account_gets_its_public_urls():
    account = register().account
    assert account.url == "http://localhost:8000/@dora"
    assert account.uri == "http://localhost:8000/users/dora"
