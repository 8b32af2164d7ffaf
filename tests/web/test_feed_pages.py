"""Feed pages: the public page of each feed, the selector beside home (links, no
script needed), "Why am I seeing this?" under ranked posts, and the settings page
where a reader pins feeds."""

from __future__ import annotations

import re
from html import unescape

import pytest

from rostra.accounts import services as accounts
from rostra.posts import services as posts
from rostra.timelines import lists
from rostra.timelines.feeds import all_feeds
from rostra.timelines.feeds import services as feed_services

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return unescape(response.content.decode())


def test_feed_index_is_public_and_lists_every_feed(client):
    page = text(client.get("/about/feeds"))
    for feed in all_feeds():
        assert f'href="/about/feeds/{feed.id}"' in page
        assert feed.name in page
    assert "no profiling" in page and "uses profiling" not in page


def test_feed_page_shows_parameters_version_changelog_and_profiling(client):
    response = client.get("/about/feeds/catch_up")
    assert response.status_code == 200
    page = text(response)
    assert "<code>window_hours</code></td><td>24</td>" in page
    assert "Only posts from the last this many hours." in page
    assert "<dt>Version</dt><dd>1</dd>" in page
    assert "Version 1 (2026-11-22): First version." in page
    assert "No: it uses nothing about you" in page
    assert "Replies (<code>replies</code>)" in page


def test_feed_page_offers_a_signed_in_reader_to_try_and_pin_it(login, alice):
    client = login(alice)
    page = text(client.get("/about/feeds/quiet_voices"))
    assert 'href="/home?feed=quiet_voices">Try it</a>' in page
    client.post("/settings/feeds", {"action": "pin", "key": "quiet_voices"})
    assert [c.key for c in feed_services.pinned(alice)] == ["quiet_voices"]


def test_unknown_feed_page_is_a_404(client):
    assert client.get("/about/feeds/secret_sauce").status_code == 404


def test_home_has_a_selector_with_home_current_and_a_way_to_choose(login, alice):
    page = text(login(alice).get("/home"))
    selector = re.search(r'<nav class="profile-tabs feed-selector".*?</nav>', page, re.S).group()
    assert '<a href="/home" aria-current="page">Home</a>' in selector
    assert 'href="/settings/feeds"' in selector


def test_pinned_feeds_sit_in_the_selector_and_home_stays_chronological(login, alice, bob,
                                                                        make_post):
    accounts.follow(alice, bob)
    older = make_post(bob, "first, much discussed")
    newer = make_post(bob, "second, ignored")
    make_post(alice, "a reply", in_reply_to=older)
    feed_services.pin(alice, "catch_up")
    page = text(login(alice).get("/home"))
    assert '<a href="/home?feed=catch_up">Catch up</a>' in page
    assert page.index(f'id="post-{newer.pk}"') < page.index(f'id="post-{older.pk}"')
    assert "Why am I seeing this?" not in page


def test_a_ranked_feed_explains_each_post(login, alice, bob, carol, make_post):
    accounts.follow(alice, bob)
    discussed = make_post(bob, "what do you think?")
    make_post(carol, "I think so", in_reply_to=discussed)
    make_post(alice, "me too", in_reply_to=discussed)
    response = login(alice).get("/home", {"feed": "catch_up"})
    assert response.status_code == 200
    page = text(response)
    why = re.search(rf'<details class="why" id="why-{discussed.pk}">.*?</details>', page,
                    re.S).group()
    assert "<summary>Why am I seeing this?</summary>" in why
    assert "<dt>Replies</dt><dd>2</dd>" in why
    assert "<dt>Score (2 × replies + boosts + likes)</dt><dd>4</dd>" in why
    assert 'href="/about/feeds/catch_up"' in why
    assert 'aria-current="page">Catch up</a>' not in page  # not pinned: not in the selector


def test_a_ranked_feed_pages_with_a_link_that_keeps_the_feed(login, alice, bob, make_post,
                                                             make_account):
    made = [make_post(bob, f"post {i}") for i in range(3)]
    for i, post in enumerate(made):
        for _ in range(i + 1):
            posts.favourite(make_account(), post)
    page = text(login(alice).get("/home", {"feed": "trending_local", "limit": 2}))
    assert f'href="/home?feed=trending_local&max_id={made[1].pk}"' in page
    rest = text(login(alice).get("/home", {"feed": "trending_local", "limit": 2,
                                           "max_id": made[1].pk}))
    assert f'id="post-{made[0].pk}"' in rest and f'id="post-{made[2].pk}"' not in rest


def test_an_unknown_feed_goes_back_home_with_a_message(login, alice):
    response = login(alice).get("/home", {"feed": "nosuchfeed"}, follow=True)
    assert response.redirect_chain[-1][0] == "/home"
    assert "There is no feed called &#x27;nosuchfeed&#x27;" in response.content.decode()


def test_settings_pin_and_unpin_feeds(login, alice):
    client = login(alice)
    page = text(client.get("/settings/feeds"))
    assert "Pin Catch up" in page and "Pin Trending here" in page
    client.post("/settings/feeds", {"action": "pin", "key": "quiet_voices"})
    client.post("/settings/feeds", {"action": "pin", "tag": "#Rostra"})
    assert [c.key for c in feed_services.pinned(alice)] == ["quiet_voices", "topic:tag:rostra"]
    page = text(client.get("/settings/feeds"))
    assert 'aria-label="Unpin #rostra"' in page
    client.post("/settings/feeds", {"action": "unpin", "key": "topic:tag:rostra"})
    assert [c.key for c in feed_services.pinned(alice)] == ["quiet_voices"]


def test_settings_pin_one_of_your_lists(login, alice, bob):
    accounts.follow(alice, bob)
    friends = lists.create_list(alice, "Friends")
    client = login(alice)
    assert f'<option value="{friends.pk}">Friends</option>' in text(client.get("/settings/feeds"))
    client.post("/settings/feeds", {"action": "pin", "list": str(friends.pk)})
    assert [c.title for c in feed_services.pinned(alice)] == ["Friends"]


def test_settings_refuse_a_bad_topic_or_another_readers_list_and_pin_nothing(login, alice,
                                                                              bob):
    theirs = lists.create_list(bob, "Bob's")
    client = login(alice)
    bad = client.post("/settings/feeds", {"action": "pin", "tag": "no spaces please"},
                      follow=True)
    assert "A topic hashtag is letters, digits and underscores" in text(bad)
    stolen = client.post("/settings/feeds", {"action": "pin", "list": str(theirs.pk)},
                         follow=True)
    assert "That list does not exist (or is not yours)" in text(stolen)
    assert feed_services.pinned(alice) == []


def test_settings_feeds_needs_login(client):
    response = client.get("/settings/feeds")
    assert response.status_code == 302 and "/auth/login" in response["Location"]
