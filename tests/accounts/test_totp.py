"""Two-factor codes: generation, provisioning URI, verification and enabling."""

import time

import pyotp
import pytest
from django.core.cache import cache

from rostra.accounts import totp
from rostra.accounts.errors import AccountError


def test_generated_secret_is_base32_and_random():
    a, b = totp.generate_secret(), totp.generate_secret()
    assert a != b
    assert len(a) == 32
    pyotp.TOTP(a).now()  # decodes


def test_provisioning_uri_names_user_and_issuer():
    secret = totp.generate_secret()
    uri = totp.provisioning_uri(secret, "alice", issuer="example.org")
    assert uri.startswith("otpauth://totp/")
    assert "alice%40example.org" in uri
    assert "issuer=example.org" in uri
    assert f"secret={secret}" in uri


def test_current_code_verifies():
    secret = totp.generate_secret()
    assert totp.verify(secret, pyotp.TOTP(secret).now())


def test_code_with_spaces_verifies():
    secret = totp.generate_secret()
    code = pyotp.TOTP(secret).now()
    assert totp.verify(secret, f"{code[:3]} {code[3:]}")


def test_code_one_step_old_is_accepted_two_steps_old_is_not():
    secret = totp.generate_secret()
    now = time.time()
    assert totp.verify(secret, pyotp.TOTP(secret).at(now - 30))
    old = pyotp.TOTP(secret).at(now - 90)
    if old not in {pyotp.TOTP(secret).at(now + d) for d in (-30, 0, 30)}:
        assert not totp.verify(secret, old)


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", None])
def test_malformed_codes_are_refused(code):
    assert not totp.verify(totp.generate_secret(), code)


def test_no_secret_or_a_broken_secret_never_verifies():
    assert not totp.verify("", "123456")
    assert not totp.verify("SHORT", "123456")


def test_enable_requires_right_code(make_user):
    user = make_user("alice")
    secret = totp.generate_secret()
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    with pytest.raises(AccountError) as exc:
        totp.enable(user, secret, wrong)
    assert exc.value.field == "code"
    user.refresh_from_db()
    assert not totp.is_enabled(user)
    totp.enable(user, secret, pyotp.TOTP(secret).now())
    user.refresh_from_db()
    assert user.totp_secret == secret


def test_disable_clears_secret(make_user):
    user = make_user("alice")
    secret = totp.generate_secret()
    totp.enable(user, secret, pyotp.TOTP(secret).now())
    totp.disable(user)
    user.refresh_from_db()
    assert not totp.is_enabled(user)


def test_login_code_cannot_be_replayed(make_user):
    user = make_user("alice")
    secret = totp.generate_secret()
    totp.enable(user, secret, pyotp.TOTP(secret).now())
    cache.clear()
    code = pyotp.TOTP(secret).now()
    assert totp.verify_for_user(user, code)
    assert not totp.verify_for_user(user, code)
