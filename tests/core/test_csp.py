"""Browser-side guards (issue 11, security pass): every HTML answer carries a
Content Security Policy that runs only Rostra's own scripts, and the production
settings pass Django's deployment check."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.test import Client

from rostra.api import oauth

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
            for part in (p.strip() for p in header.split(";"))}


def test_html_pages_run_only_our_own_scripts_and_cannot_be_framed():
    response = Client().get("/about/feeds")
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in policy["style-src"] and "unsafe-eval" not in str(policy)
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert response["Permissions-Policy"].startswith("camera=()")


def test_each_answer_gets_its_own_nonce():
    first = _directives(Client().get("/about/feeds")["Content-Security-Policy"])["style-src"]
    second = _directives(Client().get("/about/feeds")["Content-Security-Policy"])["style-src"]
    assert first != second and "'nonce-" in first


def test_the_oauth_page_marks_its_style_with_the_nonce_and_may_redirect_to_the_app():
    app, _secret = oauth.create_application("Toot", "https://client.example/cb", "read")
    response = Client().get("/oauth/authorize", {
        "client_id": app.client_id, "redirect_uri": "https://client.example/cb",
        "response_type": "code", "scope": "read"})
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    nonce = re.search(r"'nonce-([^']+)'", policy["style-src"]).group(1)
    assert f'<style nonce="{nonce}">'.encode() in response.content
    assert "form-action" not in policy  # the consent's answer redirects to the app


def test_json_answers_carry_no_page_policy():
    response = Client().get("/api/v1/instance")
    assert response.status_code == 200 and "Content-Security-Policy" not in response


def test_production_settings_pass_the_deployment_check(tmp_path):
    env = {**os.environ, "ROSTRA_HTTPS": "1", "ROSTRA_DOMAIN": "social.example.eu",
           "ROSTRA_DATA_DIR": str(tmp_path), "ROSTRA_SECRET_KEY": "x" * 64 + "Yz9!" * 4}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the test process only
    done = subprocess.run([sys.executable, "-m", "rostra.cli", "manage", "check", "--deploy",
                           "--fail-level", "WARNING"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_behind_tls_plain_http_is_redirected_and_hsts_is_sent(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    plain = Client().get("/about/feeds")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = Client().get("/about/feeds", headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=3600")
