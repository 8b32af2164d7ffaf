"""The ``application`` of a status: the OAuth app it was posted with, shown to
everyone (as Mastodon does by default)."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_status_posted_through_the_api_names_its_app(api, anon, alice, bob, oauth_app):
    oauth_app.website = "https://client.example"
    oauth_app.save()
    posted = api(alice).post("/api/v1/statuses", {"status": "from my app"}).json()
    expected = {"name": "Test client", "website": "https://client.example"}
    assert posted["application"] == expected
    assert api(bob).get(f"/api/v1/statuses/{posted['id']}").json()["application"] == expected
    assert anon.get(f"/api/v1/statuses/{posted['id']}").json()["application"] == expected


def test_app_without_website_and_web_posts(api, alice):
    posted = api(alice).post("/api/v1/statuses", {"status": "hi"}).json()
    assert posted["application"] == {"name": "Test client", "website": None}
    web = factories.make_post(alice, "from the web UI")
    assert api(alice).get(f"/api/v1/statuses/{web.pk}").json()["application"] is None


def test_a_boost_has_no_application_of_its_own(api, alice, bob):
    posted = api(alice).post("/api/v1/statuses", {"status": "boost me"}).json()
    boost = api(bob).post(f"/api/v1/statuses/{posted['id']}/reblog").json()
    assert boost["application"] is None
    assert boost["reblog"]["application"]["name"] == "Test client"
