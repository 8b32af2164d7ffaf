"""OAuth 2.0 for the client API: applications, codes (with PKCE) and tokens.

Every secret is random (``secrets.token_urlsafe(32)``) and stored as its SHA-256
digest; comparisons of client secrets run in constant time. Codes are single
use and live ten minutes; tokens do not expire but can be revoked, and user
tokens carry a refresh token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rostra.accounts.models import User
from rostra.api import scopes as scope_rules
from rostra.api.models import AccessToken, Application, AuthorizationCode
from rostra.notifications import push

OOB = "urn:ietf:wg:oauth:2.0:oob"
CODE_LIFETIME = timedelta(minutes=10)


class OAuthError(Exception):
    """An RFC 6749 error: ``code`` (invalid_grant, invalid_client, ...) and a description."""

    def __init__(self, code: str, description: str, status: int = 400,
                 retry_after: int | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.status = status
        self.retry_after = retry_after  # with 429, past a log-in limit


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


@dataclass
class IssuedToken:
    token: AccessToken
    access_token: str
    refresh_token: str | None

    def as_json(self) -> dict:
        body = {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "scope": self.token.scopes,
            "created_at": int(self.token.created_at.timestamp()),
        }
        if self.refresh_token:
            body["refresh_token"] = self.refresh_token
        return body


# --- applications ---------------------------------------------------------------

def valid_redirect_uri(uri: str) -> bool:
    if uri == OOB:
        return True
    scheme, sep, rest = uri.partition(":")
    # Web (https, or http for local development) and native app schemes (my.app:/cb).
    return bool(sep and scheme and rest and "#" not in uri and scheme.isascii())


def create_application(name: str, redirect_uris: str, scopes: str | None, website: str = "",
                       owner: User | None = None) -> tuple[Application, str]:
    """Register a client; returns it and its plain client secret (shown once).
    Raises ``OAuthError`` (``invalid_request``/``invalid_scope``) for bad input."""
    name = (name or "").strip()
    if not name:
        raise OAuthError("invalid_request", _("client_name can't be blank"))
    uris = [u.strip() for u in (redirect_uris or "").split() if u.strip()]
    if not uris:
        raise OAuthError("invalid_request", _("redirect_uris can't be blank"))
    bad = [u for u in uris if not valid_redirect_uri(u)]
    if bad:
        raise OAuthError("invalid_request",
                         _("redirect_uris must be absolute URIs: %(uri)s") % {"uri": bad[0]})
    try:
        granted = scope_rules.parse(scopes)
    except scope_rules.ScopeError as exc:
        raise OAuthError("invalid_scope", str(exc)) from exc
    secret = new_secret()
    app = Application.objects.create(
        name=name[:200], website=(website or "")[:2048], redirect_uris="\n".join(uris),
        scopes=" ".join(granted), client_id=new_secret(), client_secret_hash=digest(secret),
        owner=owner,
    )
    return app, secret


def authenticate_client(client_id: str | None, client_secret: str | None,
                        *, secret_required: bool = True) -> Application:
    app = Application.objects.filter(client_id=client_id or "").first()
    if app is None:
        raise OAuthError("invalid_client", _("Client authentication failed."), 401)
    if client_secret is None and not secret_required:
        return app
    if not hmac.compare_digest(digest(client_secret or ""), app.client_secret_hash):
        raise OAuthError("invalid_client", _("Client authentication failed."), 401)
    return app


def requested_scopes(app: Application, raw: str | None) -> list[str]:
    """The scopes asked for (default: the app's own), which must lie within the app's."""
    try:
        wanted = scope_rules.parse(raw, default=app.scopes)
    except scope_rules.ScopeError as exc:
        raise OAuthError("invalid_scope", str(exc)) from exc
    if not scope_rules.within(wanted, app.scope_list):
        raise OAuthError("invalid_scope", _("The requested scope is not granted to this app."))
    return wanted


# --- tokens ---------------------------------------------------------------------

def issue_token(app: Application, user: User | None, scope_list: list[str],
                code: AuthorizationCode | None = None) -> IssuedToken:
    access = new_secret()
    refresh = new_secret() if user is not None else None
    token = AccessToken.objects.create(
        token_hash=digest(access), refresh_token_hash=digest(refresh) if refresh else None,
        application=app, user=user, scopes=" ".join(scope_list), authorization_code=code,
    )
    return IssuedToken(token, access, refresh)


def find_token(plain: str) -> AccessToken | None:
    """The live token ``plain`` names, or None."""
    if not plain:
        return None
    return (
        AccessToken.objects.select_related("application", "user__account")
        .filter(token_hash=digest(plain), revoked_at__isnull=True)
        .first()
    )


def revoke(app: Application, plain: str) -> None:
    """Revoke the access or refresh token ``plain`` if it belongs to ``app`` (RFC 7009:
    unknown tokens are not an error)."""
    h = digest(plain or "")
    live = AccessToken.objects.filter(application=app, revoked_at__isnull=True)
    _revoke(live.filter(token_hash=h))
    _revoke(live.filter(refresh_token_hash=h))


def _revoke(tokens) -> None:
    """Revoke ``tokens`` (a queryset) and end their Web Push subscriptions."""
    keys = list(tokens.values_list("token_hash", flat=True))
    tokens.update(revoked_at=timezone.now())
    if keys:
        push.unsubscribe_tokens(keys)


def create_code(app: Application, user: User, redirect_uri: str, scope_list: list[str],
                code_challenge: str = "", code_challenge_method: str = "") -> str:
    plain = new_secret()
    AuthorizationCode.objects.create(
        code_hash=digest(plain), application=app, user=user, redirect_uri=redirect_uri,
        scopes=" ".join(scope_list), code_challenge=code_challenge,
        code_challenge_method=code_challenge_method,
        expires_at=timezone.now() + CODE_LIFETIME,
    )
    return plain


def pkce_matches(verifier: str, challenge: str) -> bool:
    computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return hmac.compare_digest(computed.rstrip(b"=").decode(), challenge)


def exchange_code(client_id: str | None, client_secret: str | None, plain_code: str,
                  redirect_uri: str | None, verifier: str | None) -> IssuedToken:
    """The ``authorization_code`` grant. A public client (no secret) must use PKCE.
    A code used twice is refused and the tokens it gave are revoked."""
    app = authenticate_client(client_id, client_secret, secret_required=not verifier)
    code = AuthorizationCode.objects.filter(
        code_hash=digest(plain_code or ""), application=app
    ).select_related("user").first()
    if code is None:
        raise OAuthError("invalid_grant", _("The authorization code is invalid."))
    claimed = AuthorizationCode.objects.filter(pk=code.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not claimed:
        _revoke(AccessToken.objects.filter(authorization_code=code))
        raise OAuthError("invalid_grant", _("The authorization code was already used."))
    if code.expires_at <= timezone.now():
        raise OAuthError("invalid_grant", _("The authorization code has expired."))
    if redirect_uri is not None and redirect_uri != code.redirect_uri:
        raise OAuthError("invalid_grant", _("The redirect_uri does not match the authorization."))
    if code.code_challenge:
        if not verifier or not pkce_matches(verifier, code.code_challenge):
            raise OAuthError("invalid_grant", _("The code_verifier does not match the challenge."))
    elif client_secret is None:
        raise OAuthError("invalid_client", _("Client authentication failed."), 401)
    if login_refusal(code.user):
        raise OAuthError("invalid_grant", login_refusal(code.user))
    return issue_token(app, code.user, code.scopes.split(), code)


def refresh(client_id: str | None, client_secret: str | None, plain_refresh: str,
            raw_scope: str | None) -> IssuedToken:
    app = authenticate_client(client_id, client_secret)
    with transaction.atomic():
        old = AccessToken.objects.select_related("user").filter(
            application=app, refresh_token_hash=digest(plain_refresh or ""),
            revoked_at__isnull=True,
        ).first()
        if old is None or old.user is None:
            raise OAuthError("invalid_grant", _("The refresh token is invalid."))
        wanted = old.scope_list
        if raw_scope:
            wanted = scope_rules.parse(raw_scope)
            if not scope_rules.within(wanted, old.scope_list):
                raise OAuthError("invalid_scope", _("A refresh cannot widen the scope."))
        _revoke(AccessToken.objects.filter(pk=old.pk))
        return issue_token(app, old.user, wanted)


# --- users ----------------------------------------------------------------------

def find_user(login: str) -> User | None:
    """A user by e-mail address (if ``login`` has an @) or username."""
    login = (login or "").strip()
    if "@" in login:
        return User.objects.filter(email__iexact=login).first()
    return User.objects.filter(username__iexact=login).first()


def login_refusal(user: User) -> str | None:
    """Why ``user`` may not use the API now, or None."""
    if not user.is_active:
        return _("Your login is currently disabled.")
    if not user.approved:
        return _("Your login is currently pending approval.")
    if user.account_id is None or user.account.suspended_at is not None:
        return _("Your login is currently disabled.")
    return None
