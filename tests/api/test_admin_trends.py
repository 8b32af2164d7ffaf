"""Mastodon's admin trends API: staff list every trend candidate (those awaiting
review included) and approve or reject tags, posts and links, through the same
decision as the ``/moderation/trends`` page."""

from __future__ import annotations

import httpx
import pytest
from django.test import Client

from rostra.api import openapi
from rostra.posts import services as posts
from rostra.timelines import trend_review
from rostra.timelines.models import TrendReview
from tests.api.live import PASSWORD, running_server
from tests.factories import make_account, make_post, make_user

pytestmark = pytest.mark.django_db

ADMIN = "read admin:read admin:write"
LINK = "https://news.example/story"
AT = "/api/v1/admin/trends"


@pytest.fixture
def review_on(settings):
    settings.ROSTRA_TRENDS_REVIEW = True


@pytest.fixture
def mod_user(db):
    return make_user("mod", admin=True)


@pytest.fixture
def mod(api, mod_user):
    return api(mod_user.account, ADMIN)


@pytest.fixture
def world(db):
    """Two accounts share ``#candidate`` and a link; a post of theirs is liked."""
    first, second = make_account("first"), make_account("second")
    make_post(first, f"#candidate news {LINK}")
    liked = make_post(second, f"#candidate more {LINK}")
    posts.favourite(first, liked)
    return {"post": liked}


def _tag(mod, name="candidate") -> dict:
    return next(t for t in mod.get(f"{AT}/tags").json() if t["name"] == name)


def _public(anon, what: str) -> list:
    return anon.get(f"/api/v1/trends/{what}").json()


# --- permissions -----------------------------------------------------------------

def test_a_non_staff_token_with_admin_scopes_is_refused(api, world):
    someone = api(make_account("someone"), ADMIN)
    for what in ("tags", "statuses", "links"):
        assert someone.get(f"{AT}/{what}").status_code == 403
    assert someone.post(f"{AT}/statuses/{world['post'].pk}/approve").status_code == 403
    assert not TrendReview.objects.exists()


def test_listing_needs_admin_read_and_deciding_needs_admin_write(api, mod_user, world):
    plain = api(mod_user.account, "read write follow")
    assert plain.get(f"{AT}/tags").status_code == 403
    granular = api(mod_user.account, "admin:read:accounts admin:write:reports")
    assert granular.get(f"{AT}/tags").status_code == 403  # no granular scope covers trends
    reader = api(mod_user.account, "admin:read")
    tag_id = _tag(reader)["id"]
    assert reader.post(f"{AT}/tags/{tag_id}/approve").status_code == 403
    assert not TrendReview.objects.exists()


def test_an_anonymous_request_is_unauthorized(anon, world):
    assert anon.get(f"{AT}/tags").status_code == 401
    assert anon.post(f"{AT}/statuses/{world['post'].pk}/reject").status_code == 401


# --- lists -----------------------------------------------------------------------

def test_tags_awaiting_review_are_listed_as_admin_tags(review_on, mod, anon, world):
    tag = _tag(mod)
    assert set(tag) >= {"id", "name", "url", "history", "trendable", "usable",
                        "requires_review", "listable"}
    assert (tag["requires_review"], tag["trendable"], tag["usable"]) == (True, False, True)
    assert tag["id"].isdigit() and len(tag["history"]) == 7
    assert _public(anon, "tags") == []


def test_statuses_and_links_awaiting_review_are_listed_with_their_state(review_on, mod,
                                                                         world):
    [status] = mod.get(f"{AT}/statuses").json()
    assert status["id"] == str(world["post"].pk) and status["account"]["username"] == "second"
    assert (status["requires_review"], status["trendable"]) == (True, False)
    [link] = mod.get(f"{AT}/links").json()
    assert link["url"] == LINK and link["id"] == trend_review.link_id(LINK)
    assert (link["requires_review"], link["trendable"]) == (True, False)


def test_with_review_off_candidates_trend_without_awaiting_review(mod, world):
    tag = _tag(mod)
    assert (tag["requires_review"], tag["trendable"]) == (False, True)


def test_lists_page_by_limit_and_offset(mod, world):
    make_post(make_account("third"), "#second_tag")
    everything = [t["name"] for t in mod.get(f"{AT}/tags").json()]
    assert len(everything) == 2
    assert [t["name"] for t in mod.get(f"{AT}/tags", {"limit": 1, "offset": 1}).json()] == \
        everything[1:]
    assert mod.get(f"{AT}/tags", {"limit": "many"}).status_code == 422


# --- decisions -------------------------------------------------------------------

def test_approving_a_tag_makes_it_trend_publicly_under_review(review_on, mod, mod_user, anon,
                                                              world):
    answer = mod.post(f"{AT}/tags/{_tag(mod)['id']}/approve")
    assert answer.status_code == 200
    assert (answer.json()["trendable"], answer.json()["requires_review"]) == (True, False)
    assert [t["name"] for t in _public(anon, "tags")] == ["candidate"]
    review = TrendReview.objects.get(kind="tag", key="candidate")
    assert review.status == "approved" and review.decided_by_id == mod_user.account.pk


def test_rejecting_a_tag_hides_it_even_with_review_off(mod, anon, world):
    assert [t["name"] for t in _public(anon, "tags")] == ["candidate"]
    answer = mod.post(f"{AT}/tags/{_tag(mod)['id']}/reject")
    assert answer.json()["trendable"] is False
    assert _public(anon, "tags") == []
    assert _tag(mod)["trendable"] is False  # still listed for staff


def test_approving_a_status_makes_it_trend_publicly_under_review(review_on, mod, anon, world):
    post_id = str(world["post"].pk)
    assert _public(anon, "statuses") == []
    answer = mod.post(f"{AT}/statuses/{post_id}/approve")
    assert answer.status_code == 200 and answer.json()["id"] == post_id
    assert answer.json()["trendable"] is True
    assert [s["id"] for s in _public(anon, "statuses")] == [post_id]


def test_rejecting_a_status_hides_it_even_with_review_off(mod, anon, world):
    post_id = str(world["post"].pk)
    assert [s["id"] for s in _public(anon, "statuses")] == [post_id]
    assert mod.post(f"{AT}/statuses/{post_id}/reject").json()["trendable"] is False
    assert _public(anon, "statuses") == []


def test_approving_a_link_by_its_id_makes_it_trend_publicly_under_review(review_on, mod, anon,
                                                                         world):
    [link] = mod.get(f"{AT}/links").json()
    answer = mod.post(f"{AT}/links/{link['id']}/approve")
    assert answer.status_code == 200 and answer.json()["url"] == LINK
    assert [card["url"] for card in _public(anon, "links")] == [LINK]


def test_rejecting_a_link_hides_it_even_with_review_off(mod, anon, world):
    assert [card["url"] for card in _public(anon, "links")] == [LINK]
    assert mod.post(f"{AT}/links/{trend_review.link_id(LINK)}/reject").status_code == 200
    assert _public(anon, "links") == []


def test_a_rejected_link_no_longer_shared_can_still_be_approved(review_on, mod, world):
    trend_review.decide("link", "https://old.example/gone", "rejected", None)
    answer = mod.post(f"{AT}/links/{trend_review.link_id('https://old.example/gone')}/approve")
    assert answer.status_code == 200 and answer.json()["url"] == "https://old.example/gone"
    assert TrendReview.objects.get(key="https://old.example/gone").status == "approved"


def test_unknown_ids_are_404_and_decide_nothing(mod, world, alice):
    private = make_post(alice, "only mine", visibility="direct")
    for url in (f"{AT}/tags/999999/approve", f"{AT}/tags/not-a-number/reject",
                f"{AT}/statuses/999999/approve", f"{AT}/statuses/{private.pk}/approve",
                f"{AT}/links/12345/reject", f"{AT}/links/{trend_review.link_id('x')}/approve"):
        assert mod.post(url).status_code == 404, url
    assert not TrendReview.objects.exists()


def test_the_api_and_the_review_page_decide_the_same_record(review_on, mod, mod_user, world):
    browser = Client()
    browser.force_login(mod_user)
    browser.post("/moderation/trends", {"kind": "tag", "key": "Candidate",
                                        "decision": "rejected"})
    assert _tag(mod)["trendable"] is False
    mod.post(f"{AT}/tags/{_tag(mod)['id']}/approve")
    assert list(TrendReview.objects.values_list("key", "status")) == [("candidate", "approved")]
    assert "approved" in browser.get("/moderation/trends").content.decode()


def test_the_openapi_document_lists_the_admin_trends_routes():
    paths = openapi.build()["paths"]
    assert paths["/api/v1/admin/trends/tags"]["get"]["x-scopes"] == ["admin:read"]
    approve = paths["/api/v1/admin/trends/links/{link_id}/approve"]["post"]
    assert approve["x-scopes"] == ["admin:write"]
    assert approve["responses"]["200"]["content"]["application/json"]["schema"] == \
        {"$ref": "#/components/schemas/PreviewCard"}


# --- Mastodon.py against a running server -----------------------------------------

def test_mastodon_py_reviews_a_trending_tag(tmp_path):
    mastodon = pytest.importorskip("mastodon")
    env = {"ROSTRA_RATE_LIMITS_ENABLED": "false", "ROSTRA_TRENDS_REVIEW": "1"}
    with running_server(tmp_path, users=("ann", "ben"), admins=("mod",),
                        extra_env=env) as base:
        client_id, secret = mastodon.Mastodon.create_app(
            "Rostra trends tests", api_base_url=base, scopes=["read", "write", "admin:read",
                                                              "admin:write"])

        def login(name, scopes):
            api = mastodon.Mastodon(client_id=client_id, client_secret=secret,
                                    api_base_url=base)
            api.log_in(name, PASSWORD, scopes=scopes, allow_http=True)
            return api

        for name in ("ann", "ben"):
            login(name, ["read", "write"]).status_post("Look at #reviewme")
        mod = login("mod", ["read", "admin:read", "admin:write"])
        [tag] = [t for t in mod.admin_trending_tags() if t.name == "reviewme"]
        assert tag.requires_review is True and tag.trendable is False
        assert httpx.get(base + "/api/v1/trends/tags").json() == []
        approved = mod.admin_approve_trending_tag(tag.id)
        assert approved.trendable is True and approved.requires_review is False
        assert [t["name"] for t in httpx.get(base + "/api/v1/trends/tags").json()] == [
            "reviewme"]
        with pytest.raises(mastodon.MastodonAPIError):
            login("ann", ["read", "admin:read"]).admin_trending_tags()
