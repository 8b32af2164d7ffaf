"""Profile pages and the relationship buttons on them."""

from rostra.accounts import services as accounts
from rostra.accounts.models import Block, Follow, FollowRequest, Mute
from rostra.posts import services as posts


def test_profile_shows_identity_counts_and_posts(client, alice, make_post):
    accounts.update_profile(alice, display_name="Alice Liddell", note="Curious about #rabbits",
                            fields=[{"name": "Site", "value": "https://alice.example"}], bot=True)
    make_post(alice, "Down the hole")
    html = client.get("/@alice").content.decode()
    assert "Alice Liddell" in html
    assert "@alice" in html
    assert "Curious about" in html
    assert 'href="https://alice.example"' in html
    assert "Down the hole" in html
    assert ">Bot<" in html
    assert "<strong>1</strong> Posts" in html


def test_unknown_profile_is_404(client, db):
    assert client.get("/@nobody").status_code == 404


def test_pinned_posts_come_first(client, alice, make_post):
    old = make_post(alice, "An old favourite")
    make_post(alice, "Something newer")
    posts.pin(alice, old)
    html = client.get("/@alice").content.decode().split('<main id="main"')[1]
    assert "Pinned" in html
    assert html.index("An old favourite") < html.index("Something newer")
    assert html.count("An old favourite") == 1


def test_replies_only_on_with_replies_tab(client, alice, bob, make_post):
    parent = make_post(bob, "Question")
    make_post(alice, "@bob my answer", in_reply_to=parent)
    assert "my answer" not in client.get("/@alice").content.decode()
    assert "my answer" in client.get("/@alice/with_replies").content.decode()


def test_media_tab_lists_only_posts_with_media(client, alice, make_post, png):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rostra.posts.media import upload_media

    media = upload_media(alice, SimpleUploadedFile("a.png", png), description="Sunset")
    make_post(alice, "With a picture", media=[media])
    make_post(alice, "Just words")
    html = client.get("/@alice/media").content.decode()
    assert "With a picture" in html and "Just words" not in html


def test_follow_then_unfollow_from_the_profile(login, alice, bob):
    client = login(alice)
    response = client.post("/@bob/follow", {"next": "/@bob"})
    assert response.status_code == 302 and response.url == "/@bob"
    assert Follow.objects.filter(account=alice, target_account=bob).exists()
    html = client.get("/@bob").content.decode()
    assert 'action="/@bob/unfollow"' in html
    client.post("/@bob/unfollow")
    assert not Follow.objects.exists()


def test_following_a_locked_account_shows_requested_and_can_cancel(login, alice, make_account):
    make_account("dora", locked=True)
    client = login(alice)
    client.post("/@dora/follow")
    assert FollowRequest.objects.filter(account=alice).exists()
    html = client.get("/@dora").content.decode()
    assert "Requested" in html and ">Locked<" in html
    client.post("/@dora/unfollow")
    assert not FollowRequest.objects.exists()


def test_follows_you_is_shown(login, alice, bob):
    accounts.follow(bob, alice)
    html = login(alice).get("/@bob").content.decode()
    assert "Follows you" in html
    assert "Follow back" in html


def test_block_and_unblock(login, alice, bob):
    accounts.follow(alice, bob)
    client = login(alice)
    client.post("/@bob/block")
    assert Block.objects.filter(account=alice, target_account=bob).exists()
    assert not Follow.objects.exists()
    html = client.get("/@bob").content.decode()
    assert 'action="/@bob/unblock"' in html
    client.post("/@bob/unblock")
    assert not Block.objects.exists()


def test_block_and_unblock_a_remote_accounts_domain(login, alice):
    from rostra.accounts import domain_blocks
    from rostra.accounts.models import Account

    Account.objects.create(username="zoe", domain="social.example",
                           uri="https://social.example/users/zoe")
    client = login(alice)
    html = client.get("/@zoe@social.example").content.decode()
    assert 'action="/@zoe@social.example/block_domain"' in html
    assert "Block domain social.example" in html
    client.post("/@zoe@social.example/block_domain")
    assert domain_blocks.is_domain_blocked(alice, "social.example")
    html = client.get("/@zoe@social.example").content.decode()
    assert 'action="/@zoe@social.example/unblock_domain"' in html
    client.post("/@zoe@social.example/unblock_domain")
    assert not domain_blocks.is_domain_blocked(alice, "social.example")


def test_a_local_profile_offers_no_domain_block(login, alice, bob):
    client = login(alice)
    assert "block_domain" not in client.get("/@bob").content.decode()
    client.post("/@bob/block_domain")
    assert not alice.domain_blocks.exists()


def test_mute_with_duration_and_notifications_choice(login, alice, bob):
    client = login(alice)
    client.post("/@bob/mute", {"duration": "3600"})
    mute = Mute.objects.get(account=alice, target_account=bob)
    assert mute.expires_at is not None
    assert mute.hide_notifications is False  # the box was not ticked
    html = client.get("/@bob").content.decode()
    assert 'action="/@bob/unmute"' in html
    client.post("/@bob/unmute")
    client.post("/@bob/mute", {"duration": "", "notifications": "on"})
    mute = Mute.objects.get(account=alice, target_account=bob)
    assert mute.expires_at is None and mute.hide_notifications


def test_mute_with_an_unknown_duration_is_refused(login, alice, bob):
    response = login(alice).post("/@bob/mute", {"duration": "12"}, follow=True)
    assert "Choose how long to mute for." in response.content.decode()
    assert not Mute.objects.exists()


def test_following_yourself_shows_the_error(login, alice):
    response = login(alice).post("/@alice/follow", follow=True)
    assert "You cannot follow yourself." in response.content.decode()


def test_followers_and_following_lists(client, alice, bob, carol):
    accounts.follow(bob, alice)
    accounts.follow(alice, carol)
    followers = client.get("/@alice/followers").content.decode()
    following = client.get("/@alice/following").content.decode()
    assert 'href="/@bob"' in followers and 'href="/@carol"' not in followers
    assert 'href="/@carol"' in following and 'href="/@bob"' not in following


def test_relationship_buttons_need_login_and_post(client, alice, bob):
    assert client.post("/@bob/follow").status_code == 302
    assert not Follow.objects.exists()
    client.force_login(alice.user)
    assert client.get("/@bob/follow").status_code == 405
