"""Timeline pages: landing, home, local, public, hashtag, bookmarks, likes."""

from django.urls import reverse

from rostra.accounts import services as accounts
from rostra.posts import services as posts


def test_landing_page_shows_site_links_and_latest_local_posts(client, alice, make_post):
    make_post(alice, "Good morning from the landing page")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Good morning from the landing page" in html
    assert reverse("web:signup") in html
    assert reverse("web:login") in html


def test_logged_in_visitor_of_index_goes_home(login, alice):
    response = login(alice).get("/")
    assert response.status_code == 302
    assert response.url == reverse("web:home")


def test_home_requires_login(client):
    response = client.get("/home")
    assert response.status_code == 302
    assert reverse("web:login") in response.url


def test_home_has_compose_form_and_followed_posts_only(login, alice, bob, carol, make_post):
    accounts.follow(alice, bob)
    make_post(bob, "Bob speaks to his followers")
    make_post(carol, "Carol is not followed")
    html = login(alice).get("/home").content.decode()
    assert 'action="/compose"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "Bob speaks to his followers" in html
    assert "Carol is not followed" not in html


def test_home_compose_defaults_to_users_default_visibility(login, alice):
    accounts.update_preferences(alice.user, default_visibility="private")
    html = login(alice).get("/home").content.decode()
    assert '<option value="private" selected>' in html


def test_local_and_public_list_public_posts(client, alice, make_post):
    make_post(alice, "A public hello")
    make_post(alice, "An unlisted hello", visibility="unlisted")
    for url in ("/local", "/public"):
        html = client.get(url).content.decode()
        assert "A public hello" in html
        assert "An unlisted hello" not in html


def test_older_posts_link_pages_by_max_id(client, alice, make_post):
    made = [make_post(alice, f"Numbered post {i:02d}") for i in range(25)]
    first = client.get("/local").content.decode()
    assert "Numbered post 24" in first
    assert "Numbered post 04" not in first
    # The 20th newest post is the last on the first page.
    assert f"?max_id={made[5].pk}" in first
    second = client.get(f"/local?max_id={made[5].pk}").content.decode()
    assert "Numbered post 04" in second
    assert "Numbered post 05" not in second
    assert "Older posts" not in second


def test_tag_page_lists_public_posts_with_the_tag(client, alice, make_post):
    make_post(alice, "Loving #Gardening today")
    make_post(alice, "Nothing tagged here")
    html = client.get("/tags/gardening").content.decode()
    assert "Loving" in html
    assert "Nothing tagged here" not in html
    assert "#gardening" in html


def test_boost_shows_who_boosted(login, alice, bob, carol, make_post):
    accounts.follow(alice, bob)
    original = make_post(carol, "Worth sharing")
    posts.reblog(bob, original)
    html = login(alice).get("/home").content.decode()
    assert "Worth sharing" in html
    assert "boosted" in html


def test_bookmarks_and_favourites_pages(login, alice, bob, make_post):
    kept = make_post(bob, "Keep this one")
    liked = make_post(bob, "Like this one")
    posts.bookmark(alice, kept)
    posts.favourite(alice, liked)
    client = login(alice)
    bookmarks = client.get("/bookmarks").content.decode()
    favourites = client.get("/favourites").content.decode()
    assert "Keep this one" in bookmarks and "Like this one" not in bookmarks
    assert "Like this one" in favourites and "Keep this one" not in favourites


def test_nav_shows_unread_notification_badge(login, alice, bob):
    accounts.follow(bob, alice)
    from rostra.notifications.services import notify

    notify(alice, bob, "follow")
    html = login(alice).get("/local").content.decode()
    assert 'class="badge"' in html
    assert 'action="/auth/logout"' in html
