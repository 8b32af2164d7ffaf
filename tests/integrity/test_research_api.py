"""The research API's data: public posts only (with public engagement counts),
filters, stable cursor pages, public profiles and incident aggregates."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from rostra.accounts.models import Account
from rostra.integrity import labels, research
from rostra.integrity.models import Incident, IncidentMember
from rostra.posts import services as posts
from rostra.posts.models import Post
from tests import factories

pytestmark = pytest.mark.django_db
POSTS = "/api/research/v1/posts"


@pytest.fixture
def key(admin):
    found = research.apply(name="R", organisation="Uni", email="r@uni.example",
                           purpose="Study")
    return research.approve(found, by=admin).key


@pytest.fixture
def api(client, key):
    def call(url, **params):
        return client.get(url, params, headers={"Authorization": f"Bearer {key}"})
    return call


def ids(answer) -> set[str]:
    return {p["id"] for p in answer.json()["data"]}


@pytest.fixture
def world(alice, bob, carol):
    """One post of every kind the research API must leave out, beside public ones."""
    shown = factories.make_post(alice, "Vote on Sunday #Elections")
    reply = factories.make_post(bob, "@alice see you there", in_reply_to=shown)
    posts.favourite(carol, shown)
    boost = posts.reblog(carol, shown)
    hidden = {
        "unlisted": factories.make_post(alice, "quiet", visibility="unlisted"),
        "private": factories.make_post(alice, "followers only #Elections",
                                       visibility="private"),
        "direct": factories.make_post(alice, "@bob secret #Elections", visibility="direct"),
        "removed": factories.make_post(alice, "removed #Elections"),
        "held": factories.make_post(alice, "held #Elections"),
        "age": factories.make_post(alice, "adults only #Elections"),
        "boost": boost,
    }
    Post.objects.filter(pk=hidden["removed"].pk).update(removed_at=timezone.now())
    Post.objects.filter(pk=hidden["held"].pk).update(held="scan")
    Post.objects.filter(pk=hidden["age"].pk).update(age_restricted=True)
    banned = factories.make_account("banned")
    hidden["suspended"] = factories.make_post(banned, "from a suspended account #Elections")
    Account.objects.filter(pk=banned.pk).update(suspended_at=timezone.now())
    limited = factories.make_account("limited")
    hidden["limited"] = factories.make_post(limited, "from a limited account #Elections")
    Account.objects.filter(pk=limited.pk).update(limited_at=timezone.now())
    return {"shown": shown, "reply": reply, "hidden": hidden}


def test_only_public_posts_are_served_never_private_direct_or_hidden_ones(api, world):
    served = ids(api(POSTS))
    assert served == {str(world["shown"].pk), str(world["reply"].pk)}
    for name, post in world["hidden"].items():
        assert api(f"{POSTS}/{post.pk}").status_code == 404, name


def test_a_post_carries_its_public_engagement_counts(api, world):
    post = api(f"{POSTS}/{world['shown'].pk}").json()
    assert (post["replies_count"], post["reblogs_count"], post["favourites_count"]) == (1, 1, 1)
    assert post["tags"] == ["elections"] and post["account"]["acct"] == "alice"
    assert post["text"] == "Vote on Sunday #Elections" and post["local"] is True


def test_filters_by_tag_account_words_and_time(api, world, bob):
    assert ids(api(POSTS, tag="#Elections")) == {str(world["shown"].pk)}
    assert ids(api(POSTS, account=str(bob.pk))) == {str(world["reply"].pk)}
    assert ids(api(POSTS, q="see you")) == {str(world["reply"].pk)}
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    assert ids(api(POSTS, since=tomorrow)) == set()
    assert len(ids(api(POSTS, until=tomorrow))) == 2
    assert ids(api(POSTS, local="false")) == set()


@pytest.mark.parametrize("params, field", [
    ({"limit": "0"}, "limit"), ({"limit": "500"}, "limit"), ({"since": "yesterday"}, "since"),
    ({"until": "2024-13-45"}, "until"), ({"account": "alice"}, "account"),
    ({"cursor": "abc"}, "cursor"), ({"local": "maybe"}, "local"),
])
def test_bad_parameters_get_a_422_naming_them(api, params, field):
    answer = api(POSTS, **params)
    assert answer.status_code == 422
    assert field in answer.json()["details"]


def test_cursor_pages_are_stable_while_new_posts_arrive(api, alice):
    made = [factories.make_post(alice, f"post {i}") for i in range(5)]
    first = api(POSTS, limit="2").json()
    assert [p["id"] for p in first["data"]] == [str(p.pk) for p in made[:-3:-1]]
    factories.make_post(alice, "arrives between two pages")
    seen = [p["id"] for p in first["data"]]
    cursor = first["next_cursor"]
    while cursor:
        page = api(POSTS, limit="2", cursor=cursor).json()
        seen += [p["id"] for p in page["data"]]
        cursor = page["next_cursor"]
    assert seen == [str(p.pk) for p in reversed(made)]
    assert first["next"].startswith("http") and "cursor=" in first["next"]


def test_a_public_profile_with_its_labels(api, alice, admin):
    labels.add_label(alice, "official", by=admin, source_note="City council")
    account = api(f"/api/research/v1/accounts/{alice.pk}").json()
    assert account["acct"] == "alice" and account["local"] is True
    assert account["labels"][0]["kind"] == "official"
    assert "email" not in json.dumps(account)


def test_a_suspended_account_is_not_served(api, world):
    banned = Account.objects.get(username="banned")
    assert api(f"/api/research/v1/accounts/{banned.pk}").status_code == 404


def test_incidents_are_aggregates_naming_no_account(api, alice, bob):
    now = timezone.now()
    found = Incident.objects.create(title="Ring around @alice", summary="@bob and @alice",
                                    behaviours=["co_boost"], techniques=["T0049"],
                                    strength=0.9, first_seen=now - timedelta(hours=2),
                                    last_seen=now, instances=["", "far.example"])
    for member in (alice, bob):
        IncidentMember.objects.create(incident=found, account=member, behaviours=["co_boost"])
    Incident.objects.create(title="Partner's", source="partner", first_seen=now, last_seen=now)
    answer = api("/api/research/v1/incidents")
    [incident] = answer.json()["data"]
    assert incident["accounts_count"] == 2 and incident["instances_count"] == 2
    assert incident["techniques"] == ["T0049"] and incident["status"] == "open"
    text = answer.content.decode()
    assert "alice" not in text and "bob" not in text and "far.example" not in text
    assert str(alice.pk) not in text
