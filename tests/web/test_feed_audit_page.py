"""The public amplification audit page, its CSV open data, the replay page, and
the control cohort's notice on the feed page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from rostra.accounts.models import Account, User
from rostra.timelines.feeds import audit_log, cohort
from rostra.timelines.feeds import services as feed_services
from rostra.timelines.models import FeedImpression, FeedReplayLog
from rostra.timelines.pagination import Page

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()


@pytest.fixture
def seeded():
    """20 authors shown 10 times each in the control; in the treatment the same, except
    ``loud`` shown 100 times: an outlier of "Catch up"."""
    authors = [Account.objects.create(username=f"writer{i}", domain="far.example")
               for i in range(19)]
    loud = Account.objects.create(username="loud", domain="far.example")
    rows = []
    for author in [*authors, loud]:
        for name, n in (("control", 10), ("treatment", 100 if author == loud else 10)):
            rows.append(FeedImpression(day=TODAY, feed="catch_up", feed_version=1, cohort=name,
                                       rank_bucket="1-3", reason="replies",
                                       author_id=author.pk, count=n))
    FeedImpression.objects.bulk_create(rows)
    return loud


def test_the_audit_page_shows_each_feed_with_ratios_and_outliers(client, seeded):
    page = client.get("/about/feeds/audit").content.decode()
    assert "Amplification audit" in page and "Catch up" in page
    assert "290 impressions in the treatment, 200 in the control." in page
    outliers = page[page.index("audit-outliers"):page.index("Authors with the most")]
    assert "loud@far.example" in outliers and "writer0" not in outliers
    assert "ratio 6.90" in outliers  # (100/290) / (10/200)
    assert "table=counts" in page and "table=figures" in page
    assert f"{cohort.CONTROL_PERCENT}%" in page


def test_the_audit_page_is_linked_from_the_feeds_index(client):
    assert 'href="/about/feeds/audit"' in client.get("/about/feeds").content.decode()


def test_a_period_without_data_says_so(client, seeded):
    last_year = TODAY - timedelta(days=365)
    page = client.get("/about/feeds/audit", {"start": last_year.isoformat(),
                                             "end": (last_year + timedelta(days=3)).isoformat()})
    assert "No feed pages were served in this period." in page.content.decode()


@pytest.mark.parametrize("params, message", [
    ({"start": "yesterday"}, "YYYY-MM-DD"),
    ({"start": "2025-06-10", "end": "2025-06-01"}, "starts after it ends"),
])
def test_a_bad_period_gets_a_clear_error(client, params, message):
    response = client.get("/about/feeds/audit", params)
    assert response.status_code == 400 and message in response.content.decode()
    response = client.get("/about/feeds/audit.csv", params)
    assert response.status_code == 400 and message in response.content.decode()


def test_the_counts_csv_is_the_daily_aggregates(client, seeded):
    response = client.get("/about/feeds/audit.csv", {"table": "counts"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 40
    loud = [r for r in rows if r["author_id"] == str(seeded.pk)]
    assert {(r["cohort"], r["count"]) for r in loud} == {("control", "10"),
                                                        ("treatment", "100")}
    assert set(rows[0]) == {"day", "feed", "feed_version", "cohort", "rank_bucket", "reason",
                            "author_id", "count"}


def test_the_figures_csv_has_ratio_z_and_outlier(client, seeded):
    response = client.get("/about/feeds/audit.csv", {"table": "figures"})
    rows = {r["author_id"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows[str(seeded.pk)]["outlier"] == "1"
    assert float(rows[str(seeded.pk)]["ratio"]) == pytest.approx((100 / 290) / (10 / 200))
    assert sum(r["outlier"] == "1" for r in rows.values()) == 1
    assert rows[str(seeded.pk)]["top_1_percent"] == "1"


def test_an_unknown_csv_table_is_refused(client):
    response = client.get("/about/feeds/audit.csv", {"table": "viewers"})
    assert response.status_code == 400


def _user(in_control: bool) -> User:
    """A user whose account id puts it in (or out of) the control cohort."""
    pk = 10**15
    while cohort.in_control(pk) != in_control:
        pk += 1
    account = Account.objects.create(pk=pk, username="reader", created_at=timezone.now()
                                     - timedelta(days=cohort.SETTLED_DAYS))
    return User.objects.create_user("reader", "reader@example.org", "pw-12345678",
                                    account=account)


def test_a_control_reader_is_told_on_the_feed_page(client):
    client.force_login(_user(in_control=True))
    page = client.get("/home", {"feed": "trending_local"}).content.decode()
    assert "control cohort" in page and 'href="/about/feeds/audit"' in page


def test_a_treatment_reader_is_not_told(client):
    client.force_login(_user(in_control=False))
    page = client.get("/home", {"feed": "trending_local"}).content.decode()
    assert "Trending here" in page and "control cohort" not in page


def test_the_replay_page_checks_a_logged_ranking(client, alice, bob, monkeypatch):
    monkeypatch.setattr(audit_log, "sampled", lambda: True)
    treated = Account.objects.create(pk=next(i for i in range(10**15, 10**15 + 500)
                                             if not cohort.in_control(i)), username="treated")
    feed_services.read(treated, "trending_federated", Page(limit=20))
    log = FeedReplayLog.objects.get()
    page = client.get(f"/about/feeds/audit/replay/{log.pk}").content.decode()
    assert "Match: re-running the feed" in page and log.ranking_hash in page
    assert f"/about/feeds/audit/replay/{log.pk}" in client.get("/about/feeds/audit"
                                                             ).content.decode()
    FeedReplayLog.objects.filter(pk=log.pk).update(ranking_hash="0" * 64)
    assert "Mismatch" in client.get(f"/about/feeds/audit/replay/{log.pk}").content.decode()
    assert client.get(f"/about/feeds/audit/replay/{log.pk + 99}").status_code == 404
