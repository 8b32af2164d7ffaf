"""Trends resist gaming: they count distinct accounts, not raw uses; cap what one
server and one author can do; weigh young and coordinated accounts less; and,
with moderator review on, show only what a moderator approved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rostra.accounts.models import Account
from rostra.posts import services as posts
from rostra.timelines import trend_review, trends
from rostra.timelines.feeds import coordination
from rostra.timelines.feeds import services as feed_services
from rostra.timelines.feeds.trending import (
    AUTHOR_CAP,
    INSTANCE_CAP,
    YOUNG_ACCOUNT_DAYS,
    YOUNG_ACCOUNT_WEIGHT,
    weigh,
)
from rostra.timelines.models import TrendReview
from rostra.timelines.pagination import Page
from tests.factories import make_account, make_post, make_user

pytestmark = pytest.mark.django_db


def established(username=None, domain=""):
    """An account this server has known for a month (it counts fully)."""
    if domain:
        account = Account.objects.create(username=username, domain=domain)
    else:
        account = make_account(username)
    Account.objects.filter(pk=account.pk).update(created_at=timezone.now() - timedelta(days=30))
    account.refresh_from_db()
    return account


def tag_scores():
    return {t.subject.name: t for t in trends.trending_tags(limit=20)}


def post_as(account, text):
    source = "federation" if account.domain else "web"
    return make_post(account, text, source=source)


# --- distinct accounts, not raw counts ---------------------------------------------

def test_one_account_using_a_tag_100_times_trends_below_ten_accounts_using_it_once():
    spammer = established("spammer")
    for i in range(100):
        post_as(spammer, f"#flood number {i}")
    for i in range(10):
        post_as(established(f"person{i}"), "#together once")
    found = trends.trending_tags()
    assert [t.subject.name for t in found] == ["together", "flood"]
    assert (found[0].accounts, found[0].uses, found[0].score) == (10, 10, 10)
    assert (found[1].accounts, found[1].uses, found[1].score) == (1, 100, 1)


def test_a_post_trends_on_the_accounts_that_took_it_up_and_the_author_does_not_count():
    author, fan = established("author"), established("fan")
    self_promoted = post_as(author, "my own")
    posts.favourite(author, self_promoted)
    posts.reblog(author, self_promoted)
    liked = post_as(author, "liked by someone else")
    posts.favourite(fan, liked)
    posts.reblog(fan, liked)
    make_post(fan, "a reply", in_reply_to=liked)
    found = trends.trending_statuses(None)
    assert [p.pk for p in found] == [liked.pk]
    assert found[0].ranked.reasons["accounts"] == 1  # like, boost and reply: one account


def test_links_count_each_account_once():
    sharer = established("sharer")
    for _ in range(5):
        post_as(sharer, "see https://news.example/one")
    for i in range(2):
        post_as(established(f"reader{i}"), "see https://news.example/two")
    found = trends.trending_links()
    assert [(t.subject, t.accounts, t.uses) for t in found] == [
        ("https://news.example/two", 2, 2), ("https://news.example/one", 1, 5)]


# --- caps -----------------------------------------------------------------------------

def test_one_author_has_at_most_author_cap_posts_in_trending_posts():
    prolific, other = established("prolific"), established("other")
    fans = [established(f"fan{i}") for i in range(3)]
    made = [post_as(prolific, f"post {i}") for i in range(AUTHOR_CAP + 2)]
    for post in made:
        for fan in fans:
            posts.favourite(fan, post)
    theirs = post_as(other, "just one")
    posts.favourite(fans[0], theirs)
    found = [p.pk for p in trends.trending_statuses(None, limit=40)]
    assert sum(p in found for p in (m.pk for m in made)) == AUTHOR_CAP
    assert theirs.pk in found


def test_the_trending_feed_applies_the_author_cap_too(alice):
    prolific, fan = established("prolific"), established("fan")
    for i in range(AUTHOR_CAP + 2):
        posts.favourite(fan, post_as(prolific, f"post {i}"))
    result = feed_services.read(alice, "trending_local", Page(limit=40))
    assert len(result.posts) == AUTHOR_CAP


def test_one_server_counts_at_most_instance_cap_accounts_toward_a_tag():
    for i in range(INSTANCE_CAP * 4):
        post_as(established(f"swarm{i}", "swarm.example"), "#pushed")
    for i in range(INSTANCE_CAP + 1):
        post_as(established(f"far{i}", f"server{i}.example"), "#organic")
    found = tag_scores()
    assert found["pushed"].accounts == INSTANCE_CAP * 4
    assert found["pushed"].score == INSTANCE_CAP
    assert found["organic"].score == INSTANCE_CAP + 1
    assert [t.subject.name for t in trends.trending_tags()][:2] == ["organic", "pushed"]


def test_weigh_keeps_the_heaviest_accounts_of_a_server():
    voices = [(i, "one.example", 0, 1.0) for i in range(INSTANCE_CAP)]  # young
    voices += [(100 + i, "one.example", 30, 1.0) for i in range(INSTANCE_CAP)]  # established
    assert weigh(voices) == (INSTANCE_CAP, 2 * INSTANCE_CAP, 1)


def test_this_servers_own_accounts_are_not_capped():
    voices = [(i, "", 30, 1.0) for i in range(INSTANCE_CAP * 3)]
    assert weigh(voices) == (INSTANCE_CAP * 3, INSTANCE_CAP * 3, 1)


# --- young and coordinated accounts ----------------------------------------------------

def test_young_accounts_count_less_than_established_ones():
    for i in range(3):
        post_as(make_account(f"newcomer{i}"), "#fresh")  # created just now
    for i in range(2):
        post_as(established(f"regular{i}"), "#settled")
    found = tag_scores()
    assert found["fresh"].score == 3 * YOUNG_ACCOUNT_WEIGHT
    assert found["settled"].score == 2
    assert [t.subject.name for t in trends.trending_tags()] == ["settled", "fresh"]


def test_an_account_counts_fully_once_it_is_old_enough():
    account = make_account("grower")
    post_as(account, "#growing")
    assert tag_scores()["growing"].score == YOUNG_ACCOUNT_WEIGHT
    Account.objects.filter(pk=account.pk).update(
        created_at=timezone.now() - timedelta(days=YOUNG_ACCOUNT_DAYS))
    assert tag_scores()["growing"].score == 1


def test_coordination_weight_is_one_for_everyone_until_integrity_says_otherwise():
    ids = [established(f"acct{i}").pk for i in range(3)]
    assert coordination.coordination_weight(ids) == dict.fromkeys(ids, 1.0)


def test_a_lowered_coordination_weight_lowers_the_score():
    cluster = [established(f"sock{i}") for i in range(4)]
    for account in cluster:
        post_as(account, "#astroturf")
    assert tag_scores()["astroturf"].score == 4
    suspects = {a.pk for a in cluster[:2]}

    def integrity(ids):
        return {i: 0.0 for i in ids & suspects}

    coordination.register_weigher(integrity)
    try:
        assert coordination.coordination_weight([cluster[0].pk, cluster[3].pk]) == {
            cluster[0].pk: 0.0, cluster[3].pk: 1.0}
        assert tag_scores()["astroturf"].score == 2
    finally:
        coordination.unregister_weigher(integrity)


# --- moderator review --------------------------------------------------------------------

@pytest.fixture
def review_on(settings):
    settings.ROSTRA_TRENDS_REVIEW = True


def _tag_world():
    for i in range(2):
        post_as(established(f"user{i}"), "#candidate #other https://news.example/x")


def test_with_review_on_nothing_trends_before_approval(review_on, client):
    _tag_world()
    assert trends.trending_tags() == []
    assert trends.trending_links() == []
    assert client.get("/api/v1/trends/tags").json() == []
    assert [t.subject.name for t in trends.tag_candidates()] == ["candidate", "other"]


def test_an_approved_tag_trends_publicly_and_an_unapproved_one_does_not(review_on, client):
    _tag_world()
    trend_review.decide("tag", "Candidate", "approved", None)
    assert [t.subject.name for t in trends.trending_tags()] == ["candidate"]
    assert [t["name"] for t in client.get("/api/v1/trends/tags").json()] == ["candidate"]


def test_an_approved_post_and_link_trend_with_review_on(review_on):
    fan = established("fan")
    post = post_as(established("author"), "read https://news.example/x")
    posts.favourite(fan, post)
    assert trends.trending_statuses(None) == []
    trend_review.decide("status", post.pk, "approved", None)
    trend_review.decide("link", "https://news.example/x", "approved", None)
    assert [p.pk for p in trends.trending_statuses(None)] == [post.pk]
    assert [t.subject for t in trends.trending_links()] == ["https://news.example/x"]


def test_the_trending_feed_shows_only_approved_posts_with_review_on(review_on, alice):
    fan = established("fan")
    approved, waiting = post_as(fan, "approved"), post_as(fan, "waiting")
    for post in (approved, waiting):
        posts.favourite(established(f"liker{post.pk}"), post)
    trend_review.decide("status", approved.pk, "approved", None)
    result = feed_services.read(alice, "trending_federated", Page(limit=40))
    assert [p.pk for p in result.posts] == [approved.pk]


def test_a_rejected_tag_stays_out_even_with_review_off():
    _tag_world()
    trend_review.decide("tag", "other", "rejected", None)
    assert [t.subject.name for t in trends.trending_tags()] == ["candidate"]


def test_a_bad_decision_is_refused_and_records_nothing():
    for kind, key, status in (("colour", "x", "approved"), ("tag", "x", "maybe"),
                              ("status", "not-a-number", "approved"), ("tag", "", "approved")):
        with pytest.raises(ValueError):
            trend_review.decide(kind, key, status, None)
    assert not TrendReview.objects.exists()


def test_moderators_approve_from_the_review_page(review_on, client):
    _tag_world()
    moderator = make_user("mod", admin=True)
    client.force_login(moderator)
    page = client.get("/moderation/trends").content.decode()
    assert "#candidate" in page and "pending" in page
    response = client.post("/moderation/trends", {"kind": "tag", "key": "candidate",
                                                  "decision": "approved"})
    assert response.status_code == 302
    assert [t.subject.name for t in trends.trending_tags()] == ["candidate"]
    review = TrendReview.objects.get()
    assert review.decided_by == moderator.account


def test_every_trend_decision_goes_to_the_moderation_audit_log(
        review_on, django_capture_on_commit_callbacks):
    from rostra.moderation.models import AuditEntry

    moderator = make_user("mod", admin=True)
    with django_capture_on_commit_callbacks(execute=True):
        trend_review.decide("tag", "candidate", "approved", moderator.account)
        trend_review.decide("tag", "candidate", "rejected", moderator.account)
    entries = AuditEntry.objects.order_by("id")
    assert [(e.actor, e.action, e.details) for e in entries] == [
        (moderator, "trend.approved", {"kind": "tag", "key": "candidate"}),
        (moderator, "trend.rejected", {"kind": "tag", "key": "candidate"})]


def test_a_bad_decision_from_the_review_page_gets_an_error(client):
    client.force_login(make_user("mod", admin=True))
    response = client.post("/moderation/trends", {"kind": "colour", "key": "x",
                                                  "decision": "approved"}, follow=True)
    assert "Unknown kind of trend" in response.content.decode()
    assert not TrendReview.objects.exists()


def test_only_staff_open_the_review_page(client, alice):
    client.force_login(alice.user)
    assert client.get("/moderation/trends").status_code == 403
