"""The amplification audit on worlds whose answer is known: impressions counted
per (feed, version, cohort, rank bucket, reason, author) with no reader stored,
the control cohort reading newest first, amplification ratios, the top 1%'s share
against their followers, outliers, the retention limit, and replay of a logged
ranking (a tampered log does not replay)."""

from __future__ import annotations

import json
import math
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.forms.models import model_to_dict
from django.utils import timezone

from rostra.accounts import services as accounts
from rostra.accounts.models import Account, Follow
from rostra.posts import services as posts
from rostra.timelines.feeds import audit, audit_log, cohort, get_feed
from rostra.timelines.feeds import services as feed_services
from rostra.timelines.models import FeedImpression, FeedReplayLog
from rostra.timelines.pagination import Page
from tests.factories import make_account, make_post

pytestmark = pytest.mark.django_db
PAGE = Page(limit=40)
TODAY = timezone.now().date()


def reader(in_control: bool, name: str) -> Account:
    """A settled local account whose id puts it in (or out of) the control cohort."""
    pk = 10**15
    while cohort.in_control(pk) != in_control:
        pk += 1
    return Account.objects.create(pk=pk, username=name, created_at=timezone.now() - timedelta(
        days=cohort.SETTLED_DAYS))


@pytest.fixture
def always_sampled(monkeypatch):
    monkeypatch.setattr(audit_log, "sampled", lambda: True)


# --- the control cohort ------------------------------------------------------------------

def test_the_control_cohort_is_a_small_deterministic_share_of_accounts():
    members = [i for i in range(1, 20_001) if cohort.in_control(i)]
    assert abs(len(members) / 20_000 - cohort.CONTROL_PERCENT / 100) < 0.005
    assert members == [i for i in range(1, 20_001) if cohort.in_control(i)]


def test_a_newcomer_joins_the_control_cohort_only_once_settled():
    drawn_id = next(i for i in range(1, 1000) if cohort.in_control(i))
    now = timezone.now()
    assert not cohort.member(drawn_id, now - timedelta(days=cohort.SETTLED_DAYS - 1), now)
    assert cohort.member(drawn_id, now - timedelta(days=cohort.SETTLED_DAYS), now)


def test_a_control_reader_gets_home_in_place_of_a_ranked_feed(bob):
    control = reader(True, "controlled")
    accounts.follow(control, bob)
    quiet = make_post(bob, "nobody liked this")
    result = feed_services.read(control, "trending_local", PAGE)
    assert result.control and result.ranked_by.id == "chronological"
    assert [p.pk for p in result.posts] == [quiet.pk]


def test_a_control_reader_still_gets_feeds_that_do_not_amplify(bob):
    control = reader(True, "controlled")
    result = feed_services.read(control, "chronological", PAGE)
    assert not result.control


# --- a seeded world read end to end: exact ratio -----------------------------------------

@pytest.fixture
def boosted_world():
    """Authors a, b, c. ``a``'s two posts are liked (the trending rule's only signal);
    b's and c's are not. A control reader following all three sees 4 posts on home
    (a 2, b 1, c 1); a treatment reader of "Trending here" sees a's 2 only."""
    a, b, c = make_account("a"), make_account("b"), make_account("c")
    fan = make_account("fan")
    for text in ("a1", "a2"):
        posts.favourite(fan, make_post(a, text))
    make_post(b, "b1"), make_post(c, "c1")
    control, treated = reader(True, "control"), reader(False, "treated")
    for who in (a, b, c):
        accounts.follow(control, who)
    make_post(control, "my own post")  # on the control reader's home, never counted
    return {"a": a, "b": b, "c": c, "control": control, "treated": treated}


def test_impressions_are_counted_by_cohort_bucket_reason_and_author(boosted_world):
    w = boosted_world
    feed_services.read(w["control"], "trending_local", PAGE)
    feed_services.read(w["treated"], "trending_local", PAGE)
    rows = {(r.cohort, r.author_id, r.rank_bucket): (r.count, r.reason, r.feed_version)
            for r in FeedImpression.objects.filter(feed="trending_local")}
    version = get_feed("trending_local").version
    # home, newest first: c1, b1, a2 (ranks 1-3), a1 (rank 4); the reader's own post aside
    assert rows == {
        ("control", w["c"].pk, "1-3"): (1, "order", version),
        ("control", w["b"].pk, "1-3"): (1, "order", version),
        ("control", w["a"].pk, "1-3"): (1, "order", version),
        ("control", w["a"].pk, "4-10"): (1, "order", version),
        ("treatment", w["a"].pk, "1-3"): (2, "score", version),
    }


def test_the_amplification_ratio_is_the_treatment_share_over_the_control_share(boosted_world):
    w = boosted_world
    for _ in range(3):
        feed_services.read(w["control"], "trending_local", PAGE)
        feed_services.read(w["treated"], "trending_local", PAGE)
    found = audit.figures("trending_local", TODAY, TODAY)
    by_author = {a.author_id: a for a in found.authors}
    assert (found.treatment, found.control) == (6, 12)
    assert by_author[w["a"].pk].ratio == 2.0  # (6/6) / (6/12)
    assert by_author[w["b"].pk].ratio == 0.0
    assert by_author[w["c"].pk].treatment_share == 0.0
    assert w["control"].pk not in by_author


def test_no_reader_id_is_stored(boosted_world, always_sampled):
    w = boosted_world
    feed_services.read(w["control"], "trending_local", PAGE)
    feed_services.read(w["treated"], "trending_local", PAGE)
    for model in (FeedImpression, FeedReplayLog):
        assert not [f for f in model._meta.get_fields() if f.is_relation]
    stored = json.dumps([model_to_dict(r) for r in FeedImpression.objects.all()]
                        + [model_to_dict(r) for r in FeedReplayLog.objects.all()], default=str)
    assert FeedReplayLog.objects.exists()
    for who in ("control", "treated"):
        assert str(w[who].pk) not in stored


# --- a seeded world of aggregates: top 1% and outliers ------------------------------------

@pytest.fixture
def hundred_authors():
    """100 authors; the control shows each 100 times (p = 1/100); the treatment shows
    99 of them 100 times and the last one 400 times. Followers here: one each, and
    the last one two."""
    authors = [Account.objects.create(username=f"author{i}", domain="far.example")
               for i in range(100)]
    reader_one, reader_two = make_account("one"), make_account("two")
    Follow.objects.bulk_create([Follow(account=reader_one, target_account=a) for a in authors]
                               + [Follow(account=reader_two, target_account=authors[-1])])
    rows = []
    for i, author in enumerate(authors):
        for cohort_name, n in (("control", 100), ("treatment", 400 if i == 99 else 100)):
            rows.append(FeedImpression(day=TODAY, feed="catch_up", feed_version=1,
                                       cohort=cohort_name, rank_bucket="1-3", reason="replies",
                                       author_id=author.pk, count=n))
    FeedImpression.objects.bulk_create(rows)
    return authors


def test_an_author_beyond_three_standard_deviations_is_flagged_and_others_are_not(
        hundred_authors):
    found = audit.figures("catch_up", TODAY, TODAY)
    boosted = hundred_authors[-1].pk
    assert [a.author_id for a in found.outliers] == [boosted]
    expected_z = (400 - 10_300 * 0.01) / math.sqrt(10_300 * 0.01 * 0.99)
    top = {a.author_id: a for a in found.authors}[boosted]
    assert top.z == pytest.approx(expected_z)
    assert top.ratio == pytest.approx((400 / 10_300) / 0.01)
    ordinary = {a.author_id: a for a in found.authors}[hundred_authors[0].pk]
    assert ordinary.z == pytest.approx((100 - 103) / math.sqrt(103 * 0.99))
    assert not ordinary.outlier


def test_the_top_one_percent_share_is_set_against_their_follower_share(hundred_authors):
    found = audit.figures("catch_up", TODAY, TODAY)
    assert found.top_authors == [hundred_authors[-1].pk]
    assert found.top_share == pytest.approx(400 / 10_300)
    assert found.top_expected_share == pytest.approx(2 / 101)


def test_the_period_bounds_the_figures(hundred_authors):
    yesterday = TODAY - timedelta(days=1)
    assert audit.figures("catch_up", yesterday, yesterday).authors == []
    assert audit.feeds_in(TODAY, TODAY) == ["catch_up"]


# --- retention -----------------------------------------------------------------------------

def test_purge_deletes_only_what_is_older_than_the_retention_limit():
    now = timezone.now()
    for day in (now - timedelta(days=91), now - timedelta(days=89)):
        FeedImpression.objects.create(day=day.date(), feed="catch_up", feed_version=1,
                                      cohort="treatment", rank_bucket="1-3", reason="replies",
                                      author_id=1, count=1)
        FeedReplayLog.objects.create(created_at=day, feed="catch_up", feed_version=1,
                                     inputs={}, inputs_hash="", ranking_hash="")
    assert audit_log.purge(90, now) == (1, 1)
    assert FeedImpression.objects.get().day == (now - timedelta(days=89)).date()
    assert FeedReplayLog.objects.count() == 1


def test_the_purge_task_reads_the_retention_setting(settings):
    from rostra.timelines.tasks import purge_audit

    settings.ROSTRA_FEED_AUDIT_RETENTION_DAYS = 10
    FeedImpression.objects.create(day=TODAY - timedelta(days=11), feed="catch_up",
                                  feed_version=1, cohort="treatment", rank_bucket="1-3",
                                  reason="replies", author_id=1, count=1)
    assert purge_audit() == (1, 0)


# --- replay -------------------------------------------------------------------------------

@pytest.fixture
def logged(boosted_world, always_sampled):
    result = feed_services.read(boosted_world["treated"], "trending_local", PAGE)
    return FeedReplayLog.objects.get(), result


def test_a_logged_ranking_replays_to_the_same_hash(logged):
    log, result = logged
    assert log.ranking_hash == result.ranking_hash
    replayed = audit_log.replay(log.pk)
    assert replayed.matches and replayed.replayed_hash == result.ranking_hash


def test_a_tampered_log_does_not_replay(logged):
    log, _ = logged
    inputs = log.inputs
    inputs["rows"][0]["voices"] = inputs["rows"][0]["voices"] * 0  # drop who liked it
    FeedReplayLog.objects.filter(pk=log.pk).update(inputs=inputs)
    replayed = audit_log.replay(log.pk)
    assert not replayed.matches and not replayed.inputs_intact
    assert replayed.replayed_hash != replayed.logged_hash


def test_the_replay_command_says_ok_or_mismatch(logged, capsys):
    log, _ = logged
    call_command("feeds", "replay", str(log.pk))
    assert "OK: the replayed ranking has the logged hash." in capsys.readouterr().out
    inputs = log.inputs
    inputs["now"] += 3600
    FeedReplayLog.objects.filter(pk=log.pk).update(inputs=inputs)
    with pytest.raises(CommandError, match="MISMATCH"):
        call_command("feeds", "replay", str(log.pk))


def test_replaying_an_unknown_or_malformed_log_is_a_clear_error(logged):
    log, _ = logged
    with pytest.raises(CommandError, match="is not a log id"):
        call_command("feeds", "replay", "abc")
    with pytest.raises(audit_log.ReplayError, match="no replay log"):
        audit_log.replay(log.pk + 1000)
    FeedReplayLog.objects.filter(pk=log.pk).update(inputs={"rows": [{"nonsense": 1}]})
    with pytest.raises(audit_log.ReplayError, match="malformed"):
        audit_log.replay(log.pk)
    FeedReplayLog.objects.filter(pk=log.pk).update(feed_version=log.feed_version + 7)
    with pytest.raises(audit_log.ReplayError, match="this server runs version"):
        audit_log.replay(log.pk)
