"""The API test rig: a registered app, tokens with chosen scopes, and a client
that sends them as ``Authorization: Bearer``."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

from rostra.api import oauth


class ApiClient:
    def __init__(self, token: str | None = None):
        self.client = Client()
        self.token = token

    def _headers(self, extra):
        headers = dict(extra or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def get(self, url, data=None, headers=None):
        return self.client.get(url, data or {}, headers=self._headers(headers))

    def post(self, url, data=None, headers=None, json_body=True):
        if json_body:
            return self.client.post(url, json.dumps(data or {}),
                                    content_type="application/json",
                                    headers=self._headers(headers))
        return self.client.post(url, data or {}, headers=self._headers(headers))

    def put(self, url, data=None, headers=None):
        return self.client.put(url, json.dumps(data or {}), content_type="application/json",
                               headers=self._headers(headers))

    def patch(self, url, data=None, headers=None):
        return self.client.patch(url, json.dumps(data or {}), content_type="application/json",
                                 headers=self._headers(headers))

    def delete(self, url, headers=None):
        return self.client.delete(url, headers=self._headers(headers))


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache; each test starts with none used (all
    anonymous test requests come from one IP)."""
    cache.clear()


@pytest.fixture
def oauth_app(db):
    app, secret = oauth.create_application(
        "Test client", "urn:ietf:wg:oauth:2.0:oob https://client.example/cb",
        "read write follow push",
    )
    app.plain_secret = secret
    return app


@pytest.fixture
def token_for(oauth_app):
    """``token_for(account_or_None, "read write")`` → a plain access token."""

    def make(account=None, scopes="read write follow"):
        user = account.user if account is not None else None
        return oauth.issue_token(oauth_app, user, scopes.split()).access_token

    return make


@pytest.fixture
def api(token_for):
    """``api(account, scopes)`` → an ApiClient with a token for ``account``."""

    def make(account=None, scopes="read write follow"):
        return ApiClient(token_for(account, scopes) if account is not None
                         or scopes != "anonymous" else None)

    return make


@pytest.fixture
def anon():
    return ApiClient()
