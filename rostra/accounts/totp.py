"""Two-factor log-in with time-based one-time passwords (RFC 6238, via pyotp).

A user turns two-factor on by scanning a provisioning URI (as a QR code) into an
authenticator app and proving it works with one code; only then is the secret
stored on ``User.totp_secret``. An empty secret means two-factor is off.

Codes are 6 digits, 30-second steps, and one step of clock drift either way is
accepted (``valid_window=1``). A code that has been accepted once for a user is
refused for the rest of its validity, so an observed code cannot be replayed.
"""

from __future__ import annotations

import re

import pyotp
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from rostra.accounts.errors import AccountError
from rostra.accounts.models import User

ISSUER_FALLBACK = "Rostra"
VALID_WINDOW = 1
_CODE_RE = re.compile(r"^\d{6}$")
_REPLAY_SECONDS = 30 * (2 * VALID_WINDOW + 1) + 30


def generate_secret() -> str:
    """A new random base32 secret (160 bits), not yet bound to anyone."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str, issuer: str | None = None) -> str:
    """The ``otpauth://`` URI an authenticator app reads (usually from a QR code)."""
    issuer = issuer or settings.ROSTRA_DOMAIN or ISSUER_FALLBACK
    return pyotp.TOTP(secret).provisioning_uri(name=f"{username}@{issuer}", issuer_name=issuer)


def normalize_code(code: str) -> str:
    """Strip the spaces and dashes people type inside codes ("123 456")."""
    return re.sub(r"[\s-]", "", code or "")


def verify(secret: str, code: str) -> bool:
    """True when ``code`` is right for ``secret`` now (± one 30-second step)."""
    code = normalize_code(code)
    if not secret or not _CODE_RE.fullmatch(code):
        return False
    try:
        return pyotp.TOTP(secret).verify(code, valid_window=VALID_WINDOW)
    except ValueError:  # a secret pyotp will not use (too short, not base32)
        return False


def is_enabled(user: User) -> bool:
    return bool(user.totp_secret)


def verify_for_user(user: User, code: str) -> bool:
    """Check a log-in code against the user's stored secret, refusing replays."""
    code = normalize_code(code)
    if not verify(user.totp_secret, code):
        return False
    # cache.add only succeeds when the key is absent: the first use wins.
    return cache.add(f"totp-used:{user.pk}:{code}", True, _REPLAY_SECONDS)


def enable(user: User, secret: str, code: str) -> None:
    """Bind ``secret`` to ``user`` once ``code`` proves the app holds it.

    Raises ``AccountError`` (field ``code``) when the code is wrong.
    """
    if not verify(secret, code):
        raise AccountError(
            _("That code is not right. Check the time on your device and try the newest code."),
            "code",
        )
    user.totp_secret = secret
    user.save(update_fields=["totp_secret"])


def disable(user: User) -> None:
    """Turn two-factor off (the caller has checked a code or the password)."""
    user.totp_secret = ""
    user.save(update_fields=["totp_secret"])
