"""Featuring accounts (pin/unpin, /endorsements) and familiar followers."""

from __future__ import annotations

import pytest

from rostra.accounts import services as accounts

pytestmark = pytest.mark.django_db


def test_pin_needs_a_follow_then_shows_in_endorsements(api, alice, bob):
    client = api(alice)
    assert client.post(f"/api/v1/accounts/{bob.pk}/pin").status_code == 422
    accounts.follow(alice, bob)
    relationship = client.post(f"/api/v1/accounts/{bob.pk}/pin").json()
    assert relationship["endorsed"] is True
    assert [a["id"] for a in client.get("/api/v1/endorsements").json()] == [str(bob.pk)]
    assert client.post(f"/api/v1/accounts/{bob.pk}/unpin").json()["endorsed"] is False
    assert client.get("/api/v1/endorsements").json() == []


def test_familiar_followers(api, alice, bob, carol, make_account):
    dave = make_account("dave")
    accounts.follow(alice, bob)
    accounts.follow(bob, carol)
    accounts.follow(dave, carol)  # alice does not follow dave
    answer = api(alice).get("/api/v1/accounts/familiar_followers",
                            {"id[]": [str(carol.pk), "999"]}).json()
    assert answer == [{"id": str(carol.pk), "accounts": [answer[0]["accounts"][0]]}]
    assert answer[0]["accounts"][0]["id"] == str(bob.pk)
