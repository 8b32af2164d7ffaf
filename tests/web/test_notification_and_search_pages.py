"""The notifications page (in words, marked read on sight, cleared) and search."""

from django.test import TestCase

from rostra.accounts import services as accounts
from rostra.notifications.models import Notification
from rostra.notifications.services import unread_count
from rostra.posts import services as posts


def test_notifications_are_shown_in_words_and_marked_read(login, alice, bob, make_post):
    post = make_post(alice, "Something to like")
    with TestCase.captureOnCommitCallbacks(execute=True):
        accounts.follow(bob, alice)
        posts.favourite(bob, post)
    make_post(bob, "@alice hello there")
    assert unread_count(alice) == 3
    html = login(alice).get("/notifications").content.decode()
    assert "followed you" in html
    assert "liked your post" in html
    assert "mentioned you" in html
    assert "Something to like" in html
    assert unread_count(alice) == 0
    assert 'class="badge"' not in html


def test_follow_request_notification_links_to_the_requests_page(login, alice, make_account):
    dora = make_account("dora", locked=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        accounts.follow(alice, dora)
    html = login(dora).get("/notifications").content.decode()
    assert "asked to follow you" in html
    assert 'href="/settings/follow-requests"' in html or "Accept or reject" in html


def test_clear_notifications(login, alice, bob):
    with TestCase.captureOnCommitCallbacks(execute=True):
        accounts.follow(bob, alice)
    client = login(alice)
    assert client.post("/notifications/clear").status_code == 302
    assert not Notification.objects.filter(account=alice).exists()


def test_search_finds_accounts_tags_and_posts(client, alice, bob, make_post):
    accounts.update_profile(bob, display_name="Robert Gardener")
    make_post(alice, "Tomatoes grow well in #gardening")
    html = client.get("/search?q=garden").content.decode()
    assert 'href="/@bob"' in html  # display name contains the words
    assert 'href="/tags/gardening"' in html
    assert "People" in html and "Hashtags" in html and "Posts" in html
    posts_html = client.get("/search?q=tomatoes").content.decode()
    assert "Tomatoes grow well" in posts_html


def test_empty_search_shows_only_the_form(client, db):
    html = client.get("/search").content.decode()
    assert 'name="q"' in html
    assert "No one found" not in html
