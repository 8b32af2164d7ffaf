"""Creating posts: limits, parsing, replies, dates, media."""

from datetime import UTC, datetime, timedelta

import pytest

from rostra.accounts.models import Account
from rostra.core.ids import id_time
from rostra.posts import services
from rostra.posts.errors import NotVisible, PostError
from rostra.posts.media import upload_media
from rostra.posts.models import Media, Mention, Post, Tag
from tests.factories import image_bytes


def test_post_is_stored_with_rendered_content(alice):
    post = services.create_post(alice, "Hello <b>world</b>")
    assert post.text == "Hello <b>world</b>"
    assert post.content == "<p>Hello &lt;b&gt;world&lt;/b&gt;</p>"


def test_post_counts_towards_the_authors_statuses(alice):
    services.create_post(alice, "one")
    alice.refresh_from_db()
    assert alice.statuses_count == 1
    assert alice.last_status_at is not None


def test_post_of_500_characters_is_accepted(alice):
    assert services.create_post(alice, "a" * 500).pk


def test_post_over_500_characters_is_refused_and_nothing_stored(alice):
    with pytest.raises(PostError) as exc:
        services.create_post(alice, "a" * 501)
    assert exc.value.field == "text"
    assert "501" in str(exc.value)
    assert not Post.objects.exists()
    alice.refresh_from_db()
    assert alice.statuses_count == 0


def test_character_limit_follows_the_setting(alice, settings):
    settings.ROSTRA_POST_MAX_CHARS = 10
    services.create_post(alice, "a" * 10)
    with pytest.raises(PostError):
        services.create_post(alice, "a" * 11)


def test_content_warning_counts_towards_the_limit(alice):
    with pytest.raises(PostError):
        services.create_post(alice, "a" * 490, spoiler_text="b" * 11)


def test_a_link_weighs_23_characters_however_long(alice):
    url = "https://example.org/" + "x" * 600
    assert services.count_characters(url) == 23
    assert services.create_post(alice, "a" * 476 + " " + url).pk


def test_a_short_link_also_weighs_23_characters():
    assert services.count_characters("https://e.org") == 23


def test_a_remote_mention_counts_without_its_domain():
    assert services.count_characters("@bob@remote.example") == len("@bob")


def test_nul_characters_are_dropped_from_the_text(alice):
    post = services.create_post(alice, "a\x00b", spoiler_text="c\x00w")
    assert (post.text, post.spoiler_text) == ("ab", "cw")


def test_empty_post_is_refused(alice):
    with pytest.raises(PostError):
        services.create_post(alice, "   \n ")
    assert not Post.objects.exists()


def test_unknown_visibility_is_refused(alice):
    with pytest.raises(PostError):
        services.create_post(alice, "hi", visibility="everyone")


def test_visibility_defaults_to_the_users_preference(alice):
    alice.user.default_visibility = "unlisted"
    alice.user.save()
    assert services.create_post(alice, "hi").visibility == "unlisted"


def test_content_warning_makes_the_post_sensitive(alice):
    assert services.create_post(alice, "spoiler", spoiler_text="film").sensitive


def test_suspended_author_cannot_post(alice):
    alice.suspended_at = datetime.now(UTC)
    with pytest.raises(PostError):
        services.create_post(alice, "hi")


def test_local_mention_is_linked_to_the_account(alice, bob):
    post = services.create_post(alice, "hi @bob")
    mention = Mention.objects.get(post=post)
    assert (mention.account, mention.acct) == (bob, "bob")
    assert bob.url in post.content


def test_mention_with_our_own_domain_is_local(alice, bob):
    post = services.create_post(alice, "hi @bob@localhost:8000")
    assert Mention.objects.get(post=post).account == bob


def test_unknown_remote_mention_is_kept_as_acct(alice):
    post = services.create_post(alice, "hi @dave@remote.example")
    mention = Mention.objects.get(post=post)
    assert mention.account is None
    assert mention.acct == "dave@remote.example"


def test_known_remote_mention_is_linked(alice):
    dave = Account.objects.create(username="dave", domain="remote.example",
                                  url="https://remote.example/@dave")
    post = services.create_post(alice, "hi @dave@remote.example")
    assert Mention.objects.get(post=post).account == dave
    assert 'href="https://remote.example/@dave"' in post.content


def test_hashtags_are_recorded_lower_cased_with_display_name(alice):
    post = services.create_post(alice, "#Rostra is #new")
    assert {t.name for t in Tag.objects.filter(post_tags__post=post)} == {"rostra", "new"}
    assert Tag.objects.get(name="rostra").display_name == "Rostra"


def test_same_hashtag_in_two_posts_is_one_tag(alice):
    services.create_post(alice, "#rostra")
    services.create_post(alice, "#ROSTRA")
    assert Tag.objects.filter(name__iexact="rostra").count() == 1


def test_reply_points_to_parent_and_thread_root(alice, bob):
    root = services.create_post(alice, "root")
    first = services.create_post(bob, "first", in_reply_to=root)
    second = services.create_post(alice, "second", in_reply_to=first)
    assert (first.thread_root, first.in_reply_to_account) == (root, alice)
    assert (second.thread_root, second.in_reply_to) == (root, first)


def test_reply_counts_on_the_parent(alice, bob):
    root = services.create_post(alice, "root")
    services.create_post(bob, "reply", in_reply_to=root)
    root.refresh_from_db()
    assert root.replies_count == 1


def test_reply_to_an_invisible_post_is_refused(alice, bob):
    secret = services.create_post(alice, "secret", visibility="private")
    with pytest.raises(NotVisible):
        services.create_post(bob, "reply", in_reply_to=secret)


def test_reply_across_a_block_is_refused(alice, bob):
    from rostra.accounts.services import block

    root = services.create_post(alice, "root")
    block(alice, bob)
    with pytest.raises(PostError):
        services.create_post(bob, "reply", in_reply_to=root)


def test_explicit_published_date_gives_an_id_of_that_date(alice):
    when = datetime(2014, 3, 1, 12, 0, tzinfo=UTC)
    post = services.create_post(alice, "old", published=when)
    assert post.published == when
    assert abs((id_time(post.pk) - when).total_seconds()) < 0.001


def test_imported_post_sorts_among_older_posts(alice):
    older = services.create_post(alice, "2013", published=datetime(2013, 1, 1, tzinfo=UTC))
    newest = services.create_post(alice, "today")
    imported = services.create_post(alice, "2014", published=datetime(2014, 1, 1, tzinfo=UTC))
    ordered = list(Post.objects.order_by("id").values_list("pk", flat=True))
    assert ordered == [older.pk, imported.pk, newest.pk]


def test_post_with_media_only_is_accepted(alice):
    media = upload_media(alice, image_bytes())
    post = services.create_post(alice, "", media=[media])
    assert list(post.media.all()) == [media]


def test_media_keep_their_order(alice):
    items = [upload_media(alice, image_bytes(color=(i * 40, 0, 0))) for i in range(4)]
    post = services.create_post(alice, "four", media=items[::-1])
    assert list(post.media.all()) == items[::-1]


def test_five_media_are_refused(alice):
    items = [upload_media(alice, image_bytes()) for _ in range(5)]
    with pytest.raises(PostError) as exc:
        services.create_post(alice, "five", media=items)
    assert exc.value.field == "media"
    assert not Post.objects.exists()


def test_someone_elses_media_is_refused_and_nothing_stored(alice, bob):
    theirs = upload_media(bob, image_bytes())
    with pytest.raises(PostError) as exc:
        services.create_post(alice, "stolen", media=[theirs])
    assert exc.value.field == "media"
    assert not Post.objects.exists()
    assert Media.objects.get(pk=theirs.pk).post_id is None


def test_media_already_attached_elsewhere_is_refused(alice):
    media = upload_media(alice, image_bytes())
    services.create_post(alice, "first", media=[media])
    media.refresh_from_db()
    with pytest.raises(PostError):
        services.create_post(alice, "second", media=[media])


def test_poll_is_created_with_its_options(alice):
    post = services.create_post(
        alice, "Tea?", poll=services.PollSpec(["Yes", "No"], timedelta(days=1))
    )
    assert post.poll.options == ["Yes", "No"]


@pytest.mark.parametrize(
    "options", [["only"], ["a", "b", "c", "d", "e"], ["same", "Same"], ["a", ""], ["x" * 51, "b"]]
)
def test_invalid_poll_options_are_refused(alice, options):
    with pytest.raises(PostError):
        services.create_post(alice, "?", poll=services.PollSpec(options, timedelta(days=1)))
    assert not Post.objects.exists()


def test_poll_and_media_together_are_refused(alice):
    media = upload_media(alice, image_bytes())
    with pytest.raises(PostError):
        services.create_post(alice, "?", media=[media],
                             poll=services.PollSpec(["a", "b"], timedelta(days=1)))

