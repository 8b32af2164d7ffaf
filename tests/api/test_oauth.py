"""OAuth 2.0: applications, the grants, PKCE, revocation and the metadata document."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from rostra.accounts.models import User
from rostra.api.models import AccessToken, AuthorizationCode
from tests import factories

pytestmark = pytest.mark.django_db
CB = "https://client.example/cb"


def _token(client, **data):
    return client.post("/oauth/token", data)


def _password_grant(client, app, username, **overrides):
    """The password grant with ``app``'s credentials (``overrides`` replace fields)."""
    data = {"grant_type": "password", "username": username, "password": factories.PASSWORD,
            "client_id": app["client_id"], "client_secret": app["client_secret"], **overrides}
    return _token(client, **data)


def _app(client, **extra):
    data = {"client_name": "Toot", "redirect_uris": CB, **extra}
    return client.post("/api/v1/apps", data).json()


def test_registering_an_app_returns_its_credentials_with_read_as_default_scope():
    response = Client().post("/api/v1/apps", {"client_name": "Toot",
                                              "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"})
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Toot" and body["scopes"] == ["read"]
    assert body["client_id"] and body["client_secret"]
    assert body["redirect_uri"] == "urn:ietf:wg:oauth:2.0:oob"


def test_registering_an_app_without_a_name_is_a_422_with_details():
    response = Client().post("/api/v1/apps", {"redirect_uris": CB})
    assert response.status_code == 422
    assert "client_name" in response.json()["details"]


def test_registering_an_app_with_an_unknown_scope_is_refused():
    response = Client().post("/api/v1/apps", {"client_name": "x", "redirect_uris": CB,
                                              "scopes": "read everything"})
    assert response.status_code == 422
    assert "scopes" in response.json()["details"]


def test_apps_accepts_json_and_a_trailing_slash():
    response = Client().post("/api/v1/apps/", {"client_name": "J", "redirect_uris": [CB],
                                               "scopes": "read write"},
                             content_type="application/json")
    assert response.status_code == 200 and response.json()["scopes"] == ["read", "write"]


def test_password_grant_accepts_username_or_email(make_user):
    make_user("dora")
    client = Client()
    app = _app(client, scopes="read write")
    for login in ("dora", "dora@example.org"):
        response = _password_grant(client, app, login, scope="read")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["token_type"] == "Bearer" and body["scope"] == "read"
        me = client.get("/api/v1/accounts/verify_credentials",
                        headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.json()["username"] == "dora"


def test_password_grant_refuses_a_wrong_password(make_user):
    make_user("dora")
    client = Client()
    app = _app(client)
    response = _password_grant(client, app, "dora", password="nope")
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_password_grant_refuses_an_unapproved_user(make_user):
    user = make_user("newbie")
    User.objects.filter(pk=user.pk).update(approved=False)
    client = Client()
    app = _app(client)
    response = _password_grant(client, app, "newbie")
    assert response.status_code == 400 and "approval" in response.json()["error_description"]


def test_a_wrong_client_secret_is_invalid_client(make_user):
    make_user("dora")
    client = Client()
    app = _app(client)
    response = _password_grant(client, app, "dora", client_secret="guess")
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_scope_beyond_the_apps_is_refused(make_user):
    make_user("dora")
    client = Client()
    app = _app(client, scopes="read")
    response = _password_grant(client, app, "dora", scope="read write")
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"


def test_client_credentials_token_verifies_the_app_but_is_no_user():
    client = Client()
    app = _app(client)
    token = _token(client, grant_type="client_credentials", client_id=app["client_id"],
                   client_secret=app["client_secret"]).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    verified = client.get("/api/v1/apps/verify_credentials", headers=auth)
    assert verified.status_code == 200 and verified.json()["name"] == "Toot"
    assert "client_secret" not in verified.json()
    me = client.get("/api/v1/accounts/verify_credentials", headers=auth)
    assert me.status_code == 422


def test_refresh_token_replaces_the_old_token(make_user):
    make_user("dora")
    client = Client()
    app = _app(client)
    first = _password_grant(client, app, "dora").json()
    second = _token(client, grant_type="refresh_token", refresh_token=first["refresh_token"],
                    client_id=app["client_id"], client_secret=app["client_secret"])
    assert second.status_code == 200
    old = client.get("/api/v1/accounts/verify_credentials",
                     headers={"Authorization": f"Bearer {first['access_token']}"})
    assert old.status_code == 401
    new = client.get("/api/v1/accounts/verify_credentials",
                     headers={"Authorization": f"Bearer {second.json()['access_token']}"})
    assert new.status_code == 200


def test_revoked_token_is_401(make_user):
    make_user("dora")
    client = Client()
    app = _app(client)
    token = _password_grant(client, app, "dora").json()["access_token"]
    revoked = client.post("/oauth/revoke", {"token": token, "client_id": app["client_id"],
                                            "client_secret": app["client_secret"]})
    assert revoked.status_code == 200
    response = client.get("/api/v1/accounts/verify_credentials",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json() == {"error": "The access token is invalid"}


def test_tokens_are_stored_only_as_digests(make_user):
    make_user("dora")
    client = Client()
    app = _app(client)
    token = _password_grant(client, app, "dora").json()["access_token"]
    stored = AccessToken.objects.get()
    assert token not in stored.token_hash
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()


# --- authorization code -----------------------------------------------------------------

def _hidden(html: str) -> dict:
    return {unescape(k): unescape(v) for k, v in
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)}


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _authorize(client, app, *, redirect_uri=CB, login="dora", action="approve", **extra):
    query = {"response_type": "code", "client_id": app["client_id"],
             "redirect_uri": redirect_uri, "scope": "read", "state": "s1", **extra}
    page = client.get("/oauth/authorize?" + urlencode(query))
    assert page.status_code == 200 and 'name="login"' in page.content.decode()
    fields = _hidden(page.content.decode())
    fields.update(login=login, password=factories.PASSWORD)
    consent = client.post("/oauth/authorize", fields)
    assert consent.status_code == 200, consent.content
    fields = _hidden(consent.content.decode())
    fields["action"] = action
    return client.post("/oauth/authorize", fields)


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


def _code(response) -> str:
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def test_authorization_code_flow_with_pkce(make_user, browser):
    make_user("dora")
    app = _app(Client())
    verifier = "v" * 50
    code = _code(_authorize(browser, app, code_challenge=_challenge(verifier),
                            code_challenge_method="S256"))
    wrong = _token(Client(), grant_type="authorization_code", code=code, redirect_uri=CB,
                   client_id=app["client_id"], code_verifier="w" * 50)
    assert wrong.status_code == 400
    # The failed attempt used the code up: a code is good for one try.
    code = _code(_authorize(Client(enforce_csrf_checks=True), app,
                            code_challenge=_challenge(verifier), code_challenge_method="S256"))
    good = _token(Client(), grant_type="authorization_code", code=code, redirect_uri=CB,
                  client_id=app["client_id"], code_verifier=verifier)
    assert good.status_code == 200, good.content
    again = _token(Client(), grant_type="authorization_code", code=code, redirect_uri=CB,
                   client_id=app["client_id"], code_verifier=verifier)
    assert again.status_code == 400
    # Reusing a code revokes what it gave.
    response = Client().get("/api/v1/accounts/verify_credentials",
                            headers={"Authorization": f"Bearer {good.json()['access_token']}"})
    assert response.status_code == 401


def test_authorization_code_without_pkce_needs_the_client_secret(make_user, browser):
    make_user("dora")
    app = _app(Client())
    code = _code(_authorize(browser, app))
    no_secret = _token(Client(), grant_type="authorization_code", code=code, redirect_uri=CB,
                       client_id=app["client_id"])
    assert no_secret.status_code == 401
    code = _code(_authorize(Client(enforce_csrf_checks=True), app))
    ok = _token(Client(), grant_type="authorization_code", code=code, redirect_uri=CB,
                client_id=app["client_id"], client_secret=app["client_secret"])
    assert ok.status_code == 200


def test_expired_code_is_refused(make_user, browser):
    make_user("dora")
    app = _app(Client())
    code = _code(_authorize(browser, app))
    AuthorizationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _token(Client(), grant_type="authorization_code", code=code, redirect_uri=CB,
                      client_id=app["client_id"], client_secret=app["client_secret"])
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_deny_sends_access_denied(make_user, browser):
    make_user("dora")
    app = _app(Client())
    response = _authorize(browser, app, action="deny")
    assert response.status_code == 302
    assert "error=access_denied" in response["Location"] and "state=s1" in response["Location"]


def test_oob_shows_the_code_on_a_page(make_user, browser):
    make_user("dora")
    app = _app(Client(), redirect_uris="urn:ietf:wg:oauth:2.0:oob")
    response = _authorize(browser, app, redirect_uri="urn:ietf:wg:oauth:2.0:oob")
    assert response.status_code == 200
    code = re.search(r'id="authorization-code">([^<]+)<', response.content.decode()).group(1)
    token = _token(Client(), grant_type="authorization_code", code=code,
                   redirect_uri="urn:ietf:wg:oauth:2.0:oob", client_id=app["client_id"],
                   client_secret=app["client_secret"])
    assert token.status_code == 200


def test_unregistered_redirect_uri_is_an_error_page_not_a_redirect(browser):
    app = _app(Client())
    response = browser.get("/oauth/authorize?" + urlencode({
        "response_type": "code", "client_id": app["client_id"],
        "redirect_uri": "https://evil.example/steal"}))
    assert response.status_code == 400


def test_unapproved_user_cannot_log_in_on_the_authorize_page(make_user, browser):
    user = make_user("newbie")
    User.objects.filter(pk=user.pk).update(approved=False)
    app = _app(Client())
    page = browser.get("/oauth/authorize?" + urlencode({
        "response_type": "code", "client_id": app["client_id"], "redirect_uri": CB}))
    fields = _hidden(page.content.decode())
    fields.update(login="newbie", password=factories.PASSWORD)
    response = browser.post("/oauth/authorize", fields)
    assert response.status_code == 400 and "approval" in response.content.decode()


def test_a_logged_in_web_session_goes_straight_to_consent(make_user):
    user = make_user("dora")
    app = _app(Client())
    client = Client()
    client.force_login(user)
    page = client.get("/oauth/authorize?" + urlencode({
        "response_type": "code", "client_id": app["client_id"], "redirect_uri": CB}))
    assert page.status_code == 200 and 'value="approve"' in page.content.decode()


def test_consent_needs_the_csrf_token(make_user):
    user = make_user("dora")
    app = _app(Client())
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/oauth/authorize", {
        "response_type": "code", "client_id": app["client_id"], "redirect_uri": CB,
        "action": "approve"})
    assert response.status_code == 403


def test_metadata_document_names_the_endpoints():
    body = Client().get("/.well-known/oauth-authorization-server").json()
    assert body["token_endpoint"].endswith("/oauth/token")
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert "read:statuses" in body["scopes_supported"]


def test_cors_preflight_and_headers():
    client = Client()
    preflight = client.options("/api/v1/timelines/public",
                               headers={"Origin": "https://app.example",
                                        "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    token_preflight = client.options("/oauth/token")
    assert token_preflight["Access-Control-Allow-Origin"] == "*"
    response = client.get("/api/v1/instance")
    assert response["Access-Control-Allow-Origin"] == "*"
