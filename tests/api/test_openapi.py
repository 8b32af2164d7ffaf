"""/api/openapi.json: built from the route table, every route in it."""

from __future__ import annotations

import pytest

from rostra.api import openapi
from rostra.api.urls import routes

pytestmark = pytest.mark.django_db


def test_every_routed_operation_is_documented():
    """Every ``@endpoint`` route (a plain view, such as the streaming one, has no
    metadata to document and is left out)."""
    doc = openapi.build()
    for route, view in routes:
        if not openapi._views_of(route, view):
            continue
        path = "/" + openapi._CONVERTER.sub(r"{\1}", route)
        assert path in doc["paths"], path
    assert set(doc["paths"]["/api/v1/lists/{list_id}"]) == {"get", "put", "patch", "delete"}


def test_operations_carry_parameters_scopes_and_responses():
    doc = openapi.build()
    home = doc["paths"]["/api/v1/timelines/home"]["get"]
    assert {p["name"] for p in home["parameters"]} >= {"max_id", "limit"}
    assert home["x-scopes"] == ["read:statuses"]
    assert home["responses"]["200"]["content"]["application/json"]["schema"]["items"] == \
        {"$ref": "#/components/schemas/Status"}
    create = doc["paths"]["/api/v1/statuses"]["post"]
    assert "status" in create["requestBody"]["content"]["application/json"]["schema"][
        "properties"]


def test_document_is_served(anon):
    answer = anon.get("/api/openapi.json")
    assert answer.status_code == 200 and answer.json()["openapi"].startswith("3.")
