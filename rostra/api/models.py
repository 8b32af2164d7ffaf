"""OAuth 2.0 state of the client API: registered applications, authorization
codes and access tokens, plus the Idempotency-Key ledger of posting.

Secrets (client secrets, codes, access and refresh tokens) are stored as
SHA-256 digests only: a leaked database does not leak working credentials. The
plain value is shown once, when it is issued.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Application(models.Model):
    name = models.CharField(max_length=200)
    website = models.URLField(max_length=2048, blank=True, default="")
    redirect_uris = models.TextField()  # one URI a line
    scopes = models.CharField(max_length=1000, default="read")
    client_id = models.CharField(max_length=64, unique=True)
    client_secret_hash = models.CharField(max_length=64)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name

    @property
    def redirect_uri_list(self) -> list[str]:
        return [u for u in self.redirect_uris.split() if u]

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class AuthorizationCode(models.Model):
    code_hash = models.CharField(max_length=64, unique=True)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    redirect_uri = models.CharField(max_length=2048)
    scopes = models.CharField(max_length=1000)
    code_challenge = models.CharField(max_length=128, blank=True, default="")
    code_challenge_method = models.CharField(max_length=10, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for {self.application} ({self.user_id})"


class AccessToken(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)
    refresh_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="tokens"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # None for a client_credentials (app-only) token
    scopes = models.CharField(max_length=1000)
    authorization_code = models.ForeignKey(
        AuthorizationCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token for {self.application} ({self.user_id or 'app'})"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class IdempotentPost(models.Model):
    """``Idempotency-Key`` of a status posted through the API: the same key from
    the same user within an hour returns the same status."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    post_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotent_post_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.post_id}"
