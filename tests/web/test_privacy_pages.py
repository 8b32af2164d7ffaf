"""Followers-only and direct posts never leak onto pages of people who may not
see them: profiles, threads, tags, local/public timelines and search."""

import pytest

from rostra.accounts import services as accounts

PRIVATE = "Followers-only secret #hush"
DIRECT = "Direct secret for @carol #hush"


@pytest.fixture
def secrets(alice, carol, make_post):
    """Alice writes a public post, a followers-only one and a direct one to Carol."""
    public = make_post(alice, "Public words #hush")
    private = make_post(alice, PRIVATE, visibility="private")
    direct = make_post(alice, DIRECT, visibility="direct")
    reply = make_post(alice, "@carol a followers-only reply", visibility="private",
                      in_reply_to=public)
    return {"public": public, "private": private, "direct": direct, "reply": reply}


def _pages(secrets):
    return [
        "/@alice",
        "/@alice/with_replies",
        "/@alice/media",
        f"/@alice/{secrets['public'].pk}",
        "/tags/hush",
        "/local",
        "/public",
        "/search?q=secret",
        "/search?q=hush",
    ]


def _assert_hidden(client, secrets):
    for url in _pages(secrets):
        html = client.get(url).content.decode()
        assert "Followers-only secret" not in html, url
        assert "Direct secret" not in html, url
        assert "a followers-only reply" not in html, url


def test_anonymous_visitor_sees_no_private_or_direct_post(client, secrets):
    _assert_hidden(client, secrets)
    assert "Public words" in client.get("/@alice").content.decode()


def test_stranger_sees_no_private_or_direct_post(client, secrets, bob):
    client.force_login(bob.user)
    _assert_hidden(client, secrets)


def test_direct_post_page_is_404_for_a_stranger_and_visitor(client, secrets, bob):
    url = f"/@alice/{secrets['direct'].pk}"
    assert client.get(url).status_code == 404
    client.force_login(bob.user)
    assert client.get(url).status_code == 404
    assert client.get(f"/@alice/{secrets['direct'].pk}/history").status_code == 404


def test_private_post_page_is_404_for_a_non_follower(client, secrets, bob):
    client.force_login(bob.user)
    assert client.get(f"/@alice/{secrets['private'].pk}").status_code == 404


def test_follower_sees_private_but_not_direct(client, secrets, bob):
    accounts.follow(bob, accounts.find_account("alice"))
    client.force_login(bob.user)
    profile = client.get("/@alice").content.decode()
    assert "Followers-only secret" in profile
    assert "Direct secret" not in profile
    assert client.get(f"/@alice/{secrets['direct'].pk}").status_code == 404
    # Even for a follower, a followers-only post stays off tag and public pages.
    for url in ("/tags/hush", "/local", "/public"):
        assert "Followers-only secret" not in client.get(url).content.decode(), url


def test_mentioned_person_sees_the_direct_post(client, secrets, carol):
    client.force_login(carol.user)
    assert client.get(f"/@alice/{secrets['direct'].pk}").status_code == 200
    assert "Direct secret" in client.get("/search?q=secret").content.decode()


def test_blocked_viewer_cannot_open_the_post(client, secrets, bob):
    accounts.block(accounts.find_account("alice"), bob)
    client.force_login(bob.user)
    assert client.get(f"/@alice/{secrets['public'].pk}").status_code == 404
    assert "Public words" not in client.get("/@alice").content.decode()
