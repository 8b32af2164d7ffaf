"""``/api/v1/domain_blocks``: listing (paged, with Link headers), blocking and
unblocking, scopes, Mastodon's 422 for a bad domain, and ``domain_blocking``."""

from __future__ import annotations

import pytest

from rostra.accounts import domain_blocks
from rostra.accounts.models import AccountDomainBlock
from tests.federation.test_delivery import remote

pytestmark = pytest.mark.django_db
URL = "/api/v1/domain_blocks"


def test_block_list_and_unblock(api, alice):
    client = api(alice)
    answer = client.post(URL, {"domain": "Spam.Example"})
    assert (answer.status_code, answer.json()) == (200, {})
    assert client.post(URL, {"domain": "other.example"}, json_body=False).status_code == 200
    assert client.get(URL).json() == ["other.example", "spam.example"]
    answer = client.delete(f"{URL}?domain=spam.example")
    assert (answer.status_code, answer.json()) == (200, {})
    assert client.get(URL).json() == ["other.example"]


def test_unblocking_what_is_not_blocked_is_fine(api, alice):
    assert api(alice).delete(f"{URL}?domain=never.example").json() == {}


def test_the_list_is_paged_with_link_headers(api, alice):
    for n in range(3):
        domain_blocks.block_domain(alice, f"s{n}.example")
    client = api(alice)
    first = client.get(URL, {"limit": 2})
    assert first.json() == ["s2.example", "s1.example"]
    next_url = first["Link"].split(">")[0].lstrip("<")
    assert 'rel="next"' in first["Link"] and "limit=2" in next_url
    assert client.get(next_url.split("localhost:8000", 1)[-1]).json() == ["s0.example"]


def test_the_list_is_ones_own(api, alice, bob):
    domain_blocks.block_domain(bob, "spam.example")
    assert api(alice).get(URL).json() == []


@pytest.mark.parametrize("bad", ["", "not a domain", "https://spam.example/", "localhost:8000"])
def test_a_bad_domain_is_a_422_in_mastodons_shape(api, alice, bad):
    answer = api(alice).post(URL, {"domain": bad})
    assert answer.status_code == 422
    assert answer.json()["error"].startswith("Validation failed")
    assert "domain" in answer.json()["details"]
    assert not AccountDomainBlock.objects.exists()


def test_a_missing_domain_is_a_422_for_delete_too(api, alice):
    assert api(alice).delete(URL).status_code == 422


def test_scopes(api, alice):
    assert api(alice, "read:blocks").get(URL).status_code == 200
    assert api(alice, "read:statuses").get(URL).status_code == 403
    assert api(alice, "read").post(URL, {"domain": "spam.example"}).status_code == 403
    assert api(alice, "write:blocks").post(URL, {"domain": "spam.example"}).status_code == 200
    assert api(alice, "follow").delete(f"{URL}?domain=spam.example").status_code == 200


def test_anonymous_is_refused(anon):
    assert anon.get(URL).status_code == 401


def test_relationship_reports_domain_blocking(api, alice):
    spammer = remote("spammer", "sub.spam.example")
    client = api(alice)
    url = f"/api/v1/accounts/relationships?id[]={spammer.pk}"
    assert client.get(url).json()[0]["domain_blocking"] is False
    client.post(URL, {"domain": "spam.example"})
    assert client.get(url).json()[0]["domain_blocking"] is True
