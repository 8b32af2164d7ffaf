"""The amplification audit: for a period, how each feed exposed each author
compared with the control cohort, who reads newest-first (``cohort``).

For one feed and period (days, inclusive), from the daily counts (``audit_log``):

* an author's amplification ratio = their share of the feed's treatment
  impressions ÷ their share of its control impressions (``None`` when the control
  never showed them: the ratio is unbounded, and they are listed apart);
* z = (t − T·p) / √(T·p·(1 − p)): how far an author's treatment impressions t lie
  from what the control share p predicts for the feed's T treatment impressions,
  in binomial standard deviations; |z| > ``OUTLIER_Z`` is an outlier;
* the top 1% of authors by treatment impressions (at least one): their share of
  impressions against their share of the followers these authors have here, the
  follower-based expectation (on this server an author's audience is its
  followers here).

Everything is computed from aggregates; nothing names a reader.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Sum

from rostra.accounts.models import Follow
from rostra.core.sql import InIds
from rostra.timelines.feeds.audit_log import CONTROL, TREATMENT
from rostra.timelines.models import FeedImpression

OUTLIER_Z = 3
TOP_SHARE_PERCENT = 1


@dataclass(frozen=True)
class AuthorFigures:
    author_id: int
    treatment: int
    control: int
    treatment_share: float
    control_share: float
    ratio: float | None
    z: float | None
    followers: int

    @property
    def outlier(self) -> bool:
        return self.z is not None and abs(self.z) > OUTLIER_Z


@dataclass
class FeedFigures:
    """One feed's audit figures for a period."""

    feed: str
    start: date
    end: date
    treatment: int = 0
    control: int = 0
    authors: list[AuthorFigures] = field(default_factory=list)
    top_authors: list[int] = field(default_factory=list)
    top_share: float = 0.0
    top_expected_share: float = 0.0

    @property
    def outliers(self) -> list[AuthorFigures]:
        return [a for a in self.authors if a.outlier]

    @property
    def unseen_in_control(self) -> list[AuthorFigures]:
        return [a for a in self.authors if a.ratio is None]


def _counts(feed: str, start: date, end: date) -> dict[str, dict[int, int]]:
    rows = (FeedImpression.objects.filter(feed=feed, day__gte=start, day__lte=end)
            .values_list("cohort", "author_id").annotate(n=Sum("count")))
    found: dict[str, dict[int, int]] = {TREATMENT: {}, CONTROL: {}}
    for cohort, author_id, n in rows:
        found.setdefault(cohort, {})[author_id] = n
    return found


def followers_here(author_ids: set[int]) -> dict[int, int]:
    """How many accounts follow each author (follows this server knows)."""
    if not author_ids:
        return {}
    return dict(Follow.objects.filter(InIds("target_account_id", author_ids))
                .values("target_account_id").annotate(n=Count("id"))
                .values_list("target_account_id", "n"))


def z_score(observed: int, total: int, p: float) -> float | None:
    """Binomial z of ``observed`` of ``total`` against probability ``p``."""
    if total <= 0 or p <= 0 or p >= 1:
        return None
    return (observed - total * p) / math.sqrt(total * p * (1 - p))


def figures(feed: str, start: date, end: date) -> FeedFigures:
    """The audit of ``feed`` over the days ``start``..``end``."""
    counts = _counts(feed, start, end)
    treated, control = counts[TREATMENT], counts[CONTROL]
    result = FeedFigures(feed, start, end, sum(treated.values()), sum(control.values()))
    authors = set(treated) | set(control)
    followers = followers_here(authors)
    for author_id in authors:
        t, c = treated.get(author_id, 0), control.get(author_id, 0)
        t_share = t / result.treatment if result.treatment else 0.0
        c_share = c / result.control if result.control else 0.0
        result.authors.append(AuthorFigures(
            author_id, t, c, t_share, c_share,
            t_share / c_share if c_share else None,
            z_score(t, result.treatment, c_share), followers.get(author_id, 0)))
    result.authors.sort(key=lambda a: (-a.treatment, -a.control, a.author_id))
    seen = [a for a in result.authors if a.treatment]
    if seen:
        top = seen[:max(1, math.ceil(len(seen) * TOP_SHARE_PERCENT / 100))]
        result.top_authors = [a.author_id for a in top]
        result.top_share = sum(a.treatment for a in top) / result.treatment
        all_followers = sum(a.followers for a in seen)
        result.top_expected_share = (sum(a.followers for a in top) / all_followers
                                     if all_followers else 0.0)
    return result


def feeds_in(start: date, end: date) -> list[str]:
    """The feeds with impressions in the period."""
    return sorted(FeedImpression.objects.filter(day__gte=start, day__lte=end)
                  .values_list("feed", flat=True).distinct())


def aggregates_csv(start: date, end: date) -> str:
    """The daily counts of the period, as recorded (open data)."""
    out = io.StringIO()
    writer = csv.writer(out)
    columns = ["day", "feed", "feed_version", "cohort", "rank_bucket", "reason", "author_id",
               "count"]
    writer.writerow(columns)
    rows = FeedImpression.objects.filter(day__gte=start, day__lte=end).order_by(
        "day", "feed", "feed_version", "cohort", "rank_bucket", "reason", "author_id")
    for row in rows.values_list(*columns):
        writer.writerow(row)
    return out.getvalue()


def figures_csv(start: date, end: date) -> str:
    """Per feed and author: impressions, shares, amplification ratio, z, outlier."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["feed", "start", "end", "author_id", "treatment", "control",
                     "treatment_share", "control_share", "ratio", "z", "outlier",
                     "followers_here", "top_1_percent"])
    for feed in feeds_in(start, end):
        found = figures(feed, start, end)
        for a in found.authors:
            writer.writerow([feed, start, end, a.author_id, a.treatment, a.control,
                             _num(a.treatment_share), _num(a.control_share), _num(a.ratio),
                             _num(a.z), int(a.outlier), a.followers,
                             int(a.author_id in found.top_authors)])
    return out.getvalue()


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"
