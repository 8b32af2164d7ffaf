"""Follow suggestions (friends of friends, then most-followed active local
accounts) and the profile directory; neither ever shows a non-discoverable,
suspended or unapproved account."""

from __future__ import annotations

import pytest
from django.utils import timezone

from rostra.accounts import services as accounts
from rostra.accounts.models import Account
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(alice, bob, carol, make_account):
    dave, erin, fran = (make_account(n) for n in ("dave", "erin", "fran"))
    accounts.follow(alice, bob)
    accounts.follow(alice, carol)
    accounts.follow(bob, dave)
    accounts.follow(carol, dave)
    accounts.follow(bob, erin)
    for fan in (bob, carol, dave):
        accounts.follow(fan, fran)  # fran: followed by alice's friends too
    factories.make_post(fran, "active")
    return {"dave": dave, "erin": erin, "fran": fran}


def _ids(items, key=None):
    return [(i[key] if key else i)["id"] for i in items]


def test_friends_of_friends_first_then_most_followed(api, alice, world, make_account):
    popular = make_account("popular")
    for fan in (world["dave"], world["erin"]):
        accounts.follow(fan, popular)
    factories.make_post(popular, "I post")
    answer = api(alice).get("/api/v2/suggestions").json()
    fof = [s for s in answer if s["sources"] == ["friends_of_friends"]]
    assert _ids(fof, "account") == [str(world["fran"].pk), str(world["dave"].pk),
                                    str(world["erin"].pk)]
    assert fof[0]["source"] == "past_interactions"
    glob = [s for s in answer if s["sources"] == ["most_followed"]]
    assert _ids(glob, "account")[0] == str(popular.pk) and glob[0]["source"] == "global"
    ids = _ids(answer, "account")
    assert str(alice.pk) not in ids and str(world["dave"].pk) in ids
    v1 = api(alice).get("/api/v1/suggestions", {"limit": 2}).json()
    assert _ids(v1) == [str(world["fran"].pk), str(world["dave"].pk)]


def test_excluded_accounts_are_never_suggested(api, alice, world):
    accounts.block(alice, world["erin"])
    accounts.mute(alice, world["dave"])
    accounts.update_profile(world["fran"], discoverable=False)
    assert api(alice).get("/api/v2/suggestions").json() == []


def test_suspended_are_never_suggested_or_listed(api, anon, alice, world):
    Account.objects.filter(pk=world["fran"].pk).update(suspended_at=timezone.now())
    ids = _ids(api(alice).get("/api/v2/suggestions").json(), "account")
    assert str(world["fran"].pk) not in ids
    assert str(world["fran"].pk) not in _ids(anon.get("/api/v1/directory").json())


def test_dismissed_suggestion_stays_away(api, alice, world):
    client = api(alice)
    assert client.delete(f"/api/v1/suggestions/{world['fran'].pk}").json() == {}
    ids = _ids(client.get("/api/v2/suggestions").json(), "account")
    assert str(world["fran"].pk) not in ids and str(world["dave"].pk) in ids
    assert client.delete("/api/v1/suggestions/999999").status_code == 404


def test_suggestions_need_a_user(anon, api, alice):
    assert anon.get("/api/v2/suggestions").status_code == 401
    assert api(alice, "write").get("/api/v2/suggestions").status_code == 403


def test_directory_orders_and_hides(anon, api, alice, bob, world, make_account):
    accounts.update_profile(world["erin"], discoverable=False)
    pending = make_account("pending")
    pending.user.approved = False
    pending.user.save()
    remote = accounts.upsert_remote_account("https://far.example/users/zed", "zed",
                                            "far.example")
    active = _ids(anon.get("/api/v1/directory").json())
    assert active[0] == str(world["fran"].pk)
    assert str(world["erin"].pk) not in active and str(pending.pk) not in active
    assert str(remote.pk) in active
    new = _ids(anon.get("/api/v1/directory", {"order": "new", "local": "true"}).json())
    assert str(remote.pk) not in new and new[0] == str(world["fran"].pk)
    assert len(anon.get("/api/v1/directory", {"limit": 2, "offset": 1}).json()) == 2
    accounts.block(alice, world["fran"])
    assert str(world["fran"].pk) not in _ids(api(alice).get("/api/v1/directory").json())
