"""The client API answers in the reader's language: the browser's (Accept-Language)
when anonymous, the token owner's own setting once a token is read, and that
setting lasts for its request only.

No catalogue exists yet, so these tests check the language an answer is labelled
with (``Content-Language``), not translated words.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from rostra.api import oauth
from tests.factories import make_user

MISSING = "/api/v1/statuses/abc"  # a 404 in Mastodon's error shape, for anyone


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def german_token(db) -> str:
    """A token of a user who chose German in their settings."""
    user = make_user("anke")
    user.locale = "de"
    user.save(update_fields=["locale"])
    app, _secret = oauth.create_application("Test client", "urn:ietf:wg:oauth:2.0:oob",
                                            "read write")
    return oauth.issue_token(app, user, ["read", "write"]).access_token


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.django_db
def test_anonymous_api_error_speaks_the_browsers_language():
    answer = Client().get(MISSING, headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert answer.status_code == 404 and "error" in answer.json()
    assert answer["Content-Language"] == "de"


def test_api_error_speaks_the_token_owners_language(german_token):
    answer = Client().get(MISSING, headers=_bearer(german_token))
    assert answer.status_code == 404 and "error" in answer.json()
    assert answer["Content-Language"] == "de"


def test_token_owners_setting_wins_over_the_browsers_language(german_token):
    answer = Client().get(MISSING, headers={**_bearer(german_token), "Accept-Language": "fr"})
    assert answer.status_code == 404
    assert answer["Content-Language"] == "de"


def test_refused_post_of_a_signed_in_app_is_explained_in_the_owners_language(german_token):
    answer = Client().post("/api/v1/statuses", {"status": ""}, content_type="application/json",
                           headers=_bearer(german_token))
    assert answer.status_code == 422 and answer.json()["details"]["status"]
    assert answer["Content-Language"] == "de"


def test_owners_language_does_not_reach_the_next_anonymous_request(german_token):
    client = Client()
    assert client.get(MISSING, headers=_bearer(german_token))["Content-Language"] == "de"
    answer = client.get(MISSING)
    assert answer.status_code == 404
    assert answer["Content-Language"] == "en"


def test_owners_language_ends_with_its_request(german_token):
    """Whatever runs next in the same thread (a task, a test) does not speak German."""
    Client().get(MISSING, headers=_bearer(german_token))
    assert translation.get_language() == "en"


def test_bad_token_is_refused_in_the_browsers_language(db):
    answer = Client().get("/api/v1/accounts/verify_credentials",
                          headers={**_bearer("not-a-token"), "Accept-Language": "fr"})
    assert answer.status_code == 401 and answer.json()["error"]
    assert answer["Content-Language"] == "fr"
