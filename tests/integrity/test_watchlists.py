"""Watch lists raise matches on public posts that share a watched link or come from
a watched account, e-mail the staff once, and never touch what is not public."""

from __future__ import annotations

from datetime import timedelta

import pytest
import stix2
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from rostra.integrity import watchlists
from rostra.integrity.models import Indicator, WatchMatch, WatchSource
from rostra.integrity.stix_import import import_bundle
from tests import factories
from tests.integrity.stix_world import remote_account, remote_post


@pytest.fixture
def moderator(make_user):
    return make_user("mod", admin=True)


def watch(*patterns: str, by, **fields) -> WatchSource:
    partner = stix2.v21.Identity(name="Partner", identity_class="organization")
    objects = [partner] + [stix2.v21.Indicator(
        pattern=p, pattern_type="stix", valid_from="2026-01-01T00:00:00Z",
        created_by_ref=partner.id, **fields) for p in patterns]
    return import_bundle(stix2.v21.Bundle(objects=objects).serialize().encode(), by=by)


def test_a_post_sharing_a_watched_url_is_matched(moderator, alice):
    watch("[url:value = 'https://evil.example/story']", by=moderator)
    post = factories.make_post(alice, "look https://EVIL.example/story#comments")
    (match,) = WatchMatch.objects.all()
    assert match.post == post and match.account == alice
    assert match.indicator.value == "https://evil.example/story"


def test_a_subdomain_of_a_watched_domain_is_matched_a_lookalike_is_not(moderator, alice):
    watch("[domain-name:value = 'evil.example']", by=moderator)
    hit = factories.make_post(alice, "https://news.evil.example/a")
    factories.make_post(alice, "https://notevil.example/a https://evil.example.org/b")
    assert [m.post for m in WatchMatch.objects.all()] == [hit]


def test_a_watched_remote_author_is_matched_once(moderator):
    watch("[user-account:account_login = 'troll@far.example']", by=moderator)
    far = remote_account("troll")
    assert not WatchMatch.objects.exists()
    remote_post(far, "<p>one</p>", n=1)
    remote_post(far, "<p>two</p>", n=2)
    (match,) = WatchMatch.objects.all()
    assert match.account == far and match.post is None


def test_a_local_author_is_matched_by_actor_uri(moderator, alice):
    watch("[user-account:user_id = 'http://localhost:8000/users/alice']", by=moderator)
    factories.make_post(alice, "hello")
    assert WatchMatch.objects.get().account == alice


def test_links_in_a_remote_posts_html_are_matched_but_not_hashtags(moderator):
    watch("[domain-name:value = 'evil.example']", by=moderator)
    far = remote_account("far")
    remote_post(far, '<p><a href="https://evil.example/x" rel="tag" class="hashtag">#x</a></p>',
                n=1)
    hit = remote_post(far, '<p><a href="https://evil.example/long-path">evil.example/lo…</a></p>',
                      n=2)
    assert [m.post for m in WatchMatch.objects.all()] == [hit]


@pytest.mark.parametrize("visibility", ["private", "direct"])
def test_non_public_posts_are_never_matched(moderator, alice, visibility):
    watch("[domain-name:value = 'evil.example']",
          "[user-account:user_id = 'http://localhost:8000/users/alice']", by=moderator)
    post = factories.make_post(alice, "https://evil.example/a", visibility=visibility)
    assert watchlists.match_post(post) == []
    assert not WatchMatch.objects.filter(post=post).exists()


def test_an_unlisted_post_is_matched(moderator, alice):
    watch("[domain-name:value = 'evil.example']", by=moderator)
    factories.make_post(alice, "https://evil.example/a", visibility="unlisted")
    assert WatchMatch.objects.count() == 1


def test_an_edit_that_adds_a_watched_link_is_matched(moderator, alice):
    from rostra.posts import services as posts

    watch("[domain-name:value = 'evil.example']", by=moderator)
    post = factories.make_post(alice, "nothing yet")
    assert not WatchMatch.objects.exists()
    with factories.TestCase.captureOnCommitCallbacks(execute=True):
        posts.edit_post(alice, post, "now https://evil.example/a")
    assert WatchMatch.objects.get().post == post


def test_expired_and_deactivated_sources_match_nothing(moderator, alice):
    watch("[domain-name:value = 'old.example']", by=moderator,
          valid_until=timezone.now() - timedelta(days=1))
    source = watch("[domain-name:value = 'off.example']", by=moderator)
    watchlists.set_source_active(source, False, by=moderator)
    factories.make_post(alice, "https://old.example/a https://off.example/b")
    assert not WatchMatch.objects.exists()


def test_matching_twice_records_one_match(moderator, alice):
    watch("[domain-name:value = 'evil.example']", by=moderator)
    post = factories.make_post(alice, "https://evil.example/a")
    assert watchlists.match_post(post) == []
    assert WatchMatch.objects.count() == 1


@pytest.fixture
def fresh_alerts():
    cache.clear()  # the admins' alerts are throttled through the cache
    yield
    cache.clear()


def test_staff_get_an_email_about_a_match(moderator, alice, make_user, fresh_alerts):
    make_user("plain")  # not staff: no mail
    watch("[domain-name:value = 'evil.example']", by=moderator)
    mail.outbox.clear()
    factories.make_post(alice, "https://evil.example/a https://evil.example/b")
    assert [m.to for m in mail.outbox] == [["mod@example.org"]]
    assert "evil.example" in mail.outbox[0].body
    assert "/moderation/integrity/sharing" in mail.outbox[0].body
    assert "not a finding" in mail.outbox[0].body


def test_a_flood_of_matches_is_one_email_an_hour(moderator, alice, fresh_alerts):
    watch("[domain-name:value = 'evil.example']", by=moderator)
    mail.outbox.clear()
    for n in range(5):
        factories.make_post(alice, f"https://evil.example/{n}")
    assert WatchMatch.objects.count() == 5
    assert len(mail.outbox) == 1


def test_import_scans_recent_public_posts_and_present_accounts(moderator, alice, bob,
                                                               fresh_alerts):
    old = factories.make_post(bob, "https://evil.example/old")
    secret = factories.make_post(bob, "https://evil.example/secret", visibility="private")
    mail.outbox.clear()
    source = watch("[domain-name:value = 'evil.example']",
                   "[user-account:account_login = 'alice@localhost:8000']", by=moderator)
    assert source.report.matches == 2
    assert set(WatchMatch.objects.values_list("post", "account")) == {(old.pk, bob.pk),
                                                                      (None, alice.pk)}
    assert not WatchMatch.objects.filter(post=secret).exists()
    assert len(mail.outbox) == 1


def test_match_existing_is_bounded(moderator, alice):
    for n in range(3):
        factories.make_post(alice, f"https://evil.example/{n}")
    source = watch("[url:value = 'http://unrelated.example/']", by=moderator)
    Indicator.objects.create(source=source, kind="domain", value="evil.example")
    assert len(watchlists.match_existing(source, limit=2)) == 2


def test_a_failing_matcher_never_stops_a_post(moderator, alice, monkeypatch):
    watch("[domain-name:value = 'evil.example']", by=moderator)

    def broken(post, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(watchlists, "match_post", broken)
    post = factories.make_post(alice, "https://evil.example/a")
    assert post.pk is not None


@pytest.mark.parametrize(("raw", "normal"), [
    ("HTTPS://Evil.Example:443/A?b#c", "https://evil.example/A?b"),
    ("http://evil.example", "http://evil.example/"),
    ("http://user:pw@evil.example:8080/x", "http://evil.example:8080/x"),
    ("ftp://evil.example/", None), ("javascript:alert(1)", None), ("http://", None),
    ("http://evil .example/", None), ("http://[::1/", None),
])
def test_url_normal_form(raw, normal):
    assert watchlists.normalise_url(raw) == normal


@pytest.mark.parametrize(("raw", "normal"), [
    ("Evil.Example.", "evil.example"), ("*.evil.example", "evil.example"),
    ("bücher.example", "xn--bcher-kva.example"), ("localhost", None), ("a b.example", None),
    ("evil.example/path", None), ("", None),
])
def test_domain_normal_form(raw, normal):
    assert watchlists.normalise_domain(raw) == normal


@pytest.mark.parametrize(("raw", "normal"), [
    ("@Troll@Far.Example", "troll@far.example"), ("troll@localhost:8000", "troll@localhost:8000"),
    ("https://Far.Example/users/Troll", "https://far.example/users/Troll"),
    ("1234567890", None), ("a@b@", None), ("@x", None),
])
def test_account_normal_form(raw, normal):
    assert watchlists.normalise_account(raw) == normal
