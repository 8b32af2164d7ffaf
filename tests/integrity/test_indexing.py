"""This server's posts as the detectors read them: public and unlisted only, boosts
and replies pointing at their targets, links and image hashes carried along, in id
order and in batches."""

from __future__ import annotations

import pytest
from django.utils import timezone

from rostra.accounts.models import Account
from rostra.integrity import detect as detect_package
from rostra.integrity.indexing import account_infos, read_messages
from rostra.integrity.tasks import run_detection
from rostra.posts import services as posts
from rostra.posts.media import upload_media
from tests import factories

pytestmark = pytest.mark.django_db


def messages(after_id: int = 0, **kwargs):
    return [m for chunk in read_messages(after_id, **kwargs) for m in chunk]


def test_followers_only_and_direct_posts_are_never_read(alice, bob, make_post):
    public = make_post(alice, "Polling stations open at eight")
    unlisted = make_post(alice, "Quietly: polling stations open at eight", visibility="unlisted")
    private = make_post(alice, "Only my followers: I vote for X", visibility="private")
    direct = make_post(alice, "@bob I vote for X, keep it between us", visibility="direct")
    read = {m.message_id for m in messages()}
    assert read == {str(public.pk), str(unlisted.pk)}
    assert str(private.pk) not in read and str(direct.pk) not in read


def test_non_public_posts_never_reach_the_detector_in_a_run(alice, bob, make_post, monkeypatch):
    seen = []
    real = detect_package.detect

    def spy(batch, accounts=(), config=None):
        seen.extend(batch)
        return real(batch, accounts, config)

    monkeypatch.setattr(detect_package, "detect", spy)
    make_post(alice, "A public word")
    hidden = {make_post(alice, "followers only", visibility="private").pk,
              make_post(bob, "@alice direct", visibility="direct").pk}
    result = run_detection()
    assert result.posts == 1 and len(seen) == 1
    assert not {m.message_id for m in seen} & {str(pk) for pk in hidden}
    assert all(m.text != "followers only" for m in seen)


def test_a_boost_names_the_boosted_post_and_a_reply_its_target(alice, bob, make_post):
    original = make_post(alice, "Read this: https://example.org/report?utm_source=x&id=4")
    boost = posts.reblog(bob, original)
    reply = make_post(bob, "Agreed, see https://example.net/more", in_reply_to=original)
    by_id = {m.message_id: m for m in messages()}
    assert by_id[str(boost.pk)].repost_id == str(original.pk)
    assert by_id[str(boost.pk)].text == "" and by_id[str(boost.pk)].urls == ()
    assert by_id[str(reply.pk)].reply_id == str(original.pk)
    assert by_id[str(reply.pk)].urls == ("https://example.net/more",)
    assert by_id[str(original.pk)].urls == ("https://example.org/report?utm_source=x&id=4",)
    assert by_id[str(original.pk)].user_id == str(alice.pk)
    assert by_id[str(original.pk)].username == "alice"


def test_a_federated_post_is_read_with_its_links_and_its_authors_full_handle(make_post):
    remote = Account.objects.create(username="echo", domain="far.example",
                                    uri="https://far.example/users/echo")
    post = posts.create_remote_post(
        remote, content_html='<p>Look <a href="https://news.example/a">news.example/a</a> '
        '<a href="https://far.example/tags/vote" class="mention hashtag" rel="tag">#vote</a></p>',
        uri="https://far.example/notes/1", visibility="public", published=timezone.now())
    (message,) = messages()
    assert message.message_id == str(post.pk) and message.username == "echo@far.example"
    assert message.urls == ("https://news.example/a",)


def test_image_hashes_come_from_the_media_gate(alice):
    media = upload_media(alice, factories.image_bytes(color=(10, 120, 200)))
    post = factories.make_post(alice, "Look at this", media=[media])
    media.refresh_from_db()
    assert len(media.pdq) == 64
    (message,) = messages()
    assert message.message_id == str(post.pk) and message.image_hashes == (media.pdq,)


def test_posts_are_read_after_a_cursor_in_id_order_and_in_batches(alice, make_post):
    made = [make_post(alice, f"post number {i}") for i in range(7)]
    chunks = list(read_messages(made[1].pk, batch=2))
    assert [len(c) for c in chunks] == [2, 2, 1]
    ids = [int(m.message_id) for c in chunks for m in c]
    assert ids == sorted(ids) == [p.pk for p in made[2:]]
    assert len(messages(0, limit=3)) == 3


def test_only_this_servers_accounts_feed_the_creation_burst_detector(alice):
    remote = Account.objects.create(username="echo", domain="far.example")
    infos = account_infos([str(alice.pk), str(remote.pk), "not-a-number"])
    assert [(i.user_id, i.username) for i in infos] == [(str(alice.pk), "alice")]
    assert infos[0].created_at == alice.created_at.timestamp()
