"""Fuzz run over what clients send in a request (issue 11, security pass): JSON bodies,
RFC 8941 structured header fields, Rails-style API parameters, and the OAuth endpoints
with a registered application (schemathesis reaches them only with unknown clients).
Each parser returns a value or raises its own error; no door answers with a 5xx."""

from __future__ import annotations

import base64
import json

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from rostra.api import oauth
from rostra.api.errors import ApiError
from rostra.api.models import AccessToken
from rostra.api.parsing import Params, nest
from rostra.core import json_input
from rostra.federation import structured_fields as sf
from tests.factories import PASSWORD
from tests.security.fuzz import fuzz, json_values

JSON_TEXT = st.text(st.sampled_from('{}[]",:0123456789.eE+-tfnrulasNIy \\u0000\n'), max_size=60)


@fuzz(150)
@given(text=JSON_TEXT | json_values(("a", "b")).map(json.dumps), as_bytes=st.booleans())
def test_outside_json_is_a_storable_value_or_a_value_error(text, as_bytes):
    try:
        value = json_input.loads(text.encode() if as_bytes else text)
    except ValueError:
        return
    dumped = json.dumps(value, allow_nan=False)  # ValueError here would be a NaN let in
    assert "\\u0000" not in dumped


SF_TEXT = st.text(st.sampled_from('sig1=("@method" "content-digest");keyid="k";created=1;'
                                  ':abc=:?1 *-.0123456789,()\t"\\'), max_size=80)


@fuzz(150)
@given(text=SF_TEXT | st.text(max_size=60))
def test_structured_field_dictionaries_parse_or_raise_a_structured_field_error(text):
    try:
        parsed = sf.parse_dictionary(text)
    except sf.StructuredFieldError:
        return
    assert isinstance(parsed, dict)
    assert all(isinstance(v, sf.Item | sf.InnerList) for v in parsed.values())


RAILS_KEY = st.lists(st.sampled_from(["media_ids", "poll", "options", "fields_attributes",
                                      "0", "1", "name", "", "[", "]", "[]", "x"]),
                     min_size=1, max_size=5).map(
    lambda parts: parts[0] + "".join(f"[{p}]" if i % 2 else p for i, p in enumerate(parts[1:])))


@fuzz(150)
@given(pairs=st.lists(st.tuples(RAILS_KEY | st.text(max_size=12), st.text(max_size=8)),
                      max_size=8))
def test_any_rails_style_query_nests_into_dicts_and_lists(pairs):
    query = QueryDict(mutable=True)
    for key, value in pairs:
        query.appendlist(key, value)
    assert isinstance(nest(query), dict)


@fuzz(120)
@given(pairs=st.lists(st.tuples(RAILS_KEY, st.text(max_size=8)), max_size=6),
       body=json_values(("limit", "visibility", "media_ids", "poll")),
       kind=st.sampled_from(["json", "form", "raw"]))
def test_params_read_any_body_or_refuse_it_with_an_api_error(pairs, body, kind):
    factory = RequestFactory()
    if kind == "json":
        request = factory.post("/api/v1/x", json.dumps(body), content_type="application/json")
    elif kind == "form":
        request = factory.post("/api/v1/x", dict(pairs))
    else:
        request = factory.patch("/api/v1/x", json.dumps(body)[:40] + "\x00{",
                                content_type="application/json")
    try:
        params = Params(request)
        for name in ("limit", "visibility", "media_ids", "poll"):
            params.str(name)
            params.bool(name)
            params.int(name)
    except ApiError as exc:
        assert exc.status in (400, 422)


@pytest.fixture
def app(db):
    return oauth.create_application("Fuzzer", "https://app.example/cb urn:ietf:wg:oauth:2.0:oob",
                                    "read write")


@pytest.mark.django_db
def test_the_token_endpoint_answers_any_form_with_an_oauth_answer(client, app, alice):
    application, secret = app
    values = st.sampled_from([application.client_id, secret, "password", "client_credentials",
                              "authorization_code", "refresh_token", "read", "write follow",
                              "admin:read", alice.username, PASSWORD, "https://app.example/cb",
                              "urn:ietf:wg:oauth:2.0:oob", ""]) | st.text(max_size=16)
    fields = st.dictionaries(st.sampled_from(["grant_type", "client_id", "client_secret",
                                              "username", "password", "scope", "code",
                                              "redirect_uri", "refresh_token",
                                              "code_verifier"]), values, max_size=7)

    @fuzz(120)
    @given(form=fields, as_json=st.booleans(), basic=st.none() | st.text(max_size=30))
    def ask(form, as_json, basic):
        headers = {}
        if basic is not None:
            headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(
                basic.encode("utf-8", "surrogatepass")).decode()
        if as_json:
            response = client.post("/oauth/token", json.dumps(form),
                                   content_type="application/json", **headers)
        else:
            response = client.post("/oauth/token", form, **headers)
        assert response.status_code in (200, 400, 401, 403, 429), response.content
        answer = response.json()
        assert ("access_token" in answer) == (response.status_code == 200)
        if response.status_code == 200:
            assert AccessToken.objects.filter(application=application).exists()

    ask()


@pytest.mark.django_db
def test_the_authorize_page_answers_any_query_without_a_server_error(client, app, alice):
    application, _secret = app
    client.force_login(alice.user)
    values = st.sampled_from([application.client_id, "code", "token", "read", "write",
                              "read admin:write", "https://app.example/cb",
                              "https://evil.example/cb", "urn:ietf:wg:oauth:2.0:oob",
                              "S256", "plain", "x" * 43, ""]) | st.text(max_size=16)
    fields = st.dictionaries(st.sampled_from(["response_type", "client_id", "redirect_uri",
                                              "scope", "state", "code_challenge",
                                              "code_challenge_method", "force_login", "lang"]),
                             values, max_size=8)

    @fuzz(100)
    @given(query=fields, action=st.none() | st.sampled_from(["approve", "deny", "login", "?"]))
    def ask(query, action):
        if action is not None:
            response = client.post("/oauth/authorize", {**query, "action": action})
        else:
            response = client.get("/oauth/authorize", query)
        assert response.status_code in (200, 302, 400, 403), response.status_code
        if response.status_code == 302:
            location = response["Location"]
            assert location.startswith(("https://app.example/cb", "/")), location

    ask()
