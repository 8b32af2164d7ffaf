"""Following a hashtag from its page and from the settings page; the tag's posts
then show on the home page."""

from __future__ import annotations

from django.urls import reverse

from rostra.timelines import followed_tags
from rostra.timelines.models import TagFollow


def test_the_tag_page_offers_follow_to_people_signed_in_only(client, login, alice, make_post):
    make_post(alice, "Planting #Gardening")
    assert "Follow hashtag" not in client.get("/tags/gardening").content.decode()
    html = login(alice).get("/tags/gardening").content.decode()
    assert 'action="/tags/gardening/follow"' in html and "Follow hashtag" in html


def test_following_from_the_tag_page_fills_home(login, alice, bob, make_post):
    make_post(bob, "Compost tips #gardening")
    client = login(alice)
    response = client.post("/tags/gardening/follow", {"action": "follow"})
    assert response.status_code == 302 and response.url == reverse("web:tag", args=["gardening"])
    page = client.get("/tags/gardening").content.decode()
    assert "Unfollow hashtag" in page and "You follow #gardening" in page
    assert "Compost tips" in client.get("/home").content.decode()
    client.post("/tags/gardening/follow", {"action": "unfollow"})
    assert not TagFollow.objects.filter(account=alice).exists()
    assert "Compost tips" not in client.get("/home").content.decode()


def test_following_needs_a_post_and_a_log_in(client, login, alice):
    assert client.post("/tags/gardening/follow").status_code == 302  # to the log-in
    assert login(alice).get("/tags/gardening/follow").status_code == 405
    assert not TagFollow.objects.exists()


def test_the_settings_page_lists_follows_and_unfollows(login, alice):
    followed_tags.follow_tag(alice, "Climate")
    client = login(alice)
    html = client.get("/settings/followed-tags").content.decode()
    assert "#Climate" in html and 'aria-label="Unfollow #Climate"' in html
    response = client.post("/settings/followed-tags", {"action": "unfollow", "name": "climate"})
    assert response.status_code == 302
    emptied = client.get("/settings/followed-tags").content.decode()
    assert "You do not follow any hashtag." in emptied


def test_the_settings_page_follows_a_typed_hashtag_or_says_why_not(login, alice):
    client = login(alice)
    assert client.post("/settings/followed-tags", {"name": "#Europe"}).status_code == 302
    assert [f.tag.display_name for f in followed_tags.followed(alice)] == ["Europe"]
    refused = client.post("/settings/followed-tags", {"name": "two words"})
    assert refused.status_code == 400
    assert "not a valid hashtag" in refused.content.decode()
    assert 'aria-invalid="true"' in refused.content.decode()
