"""The figures of a transparency report (Art. 15 and 24 DSA) for any period.

``figures(start, end)`` counts what happened from ``start`` 00:00 UTC until the
end of ``end`` (both days included): cases opened, decisions taken, appeals
received or decided, suspensions imposed or reversed, and the average monthly
active accounts. ``transparency_report`` lays them out as tables, a page and CSV.

Definitions (each event counts in the period it happened in, so later events do
not rewrite a past period's figures, the monthly active accounts apart):

- *Actions* are the decisions taken in the period, a decision not to act
  included, whenever their case was opened.
- *Time to action* is a decision's ``created_at`` minus its case's ``created_at``,
  in hours, over the decisions taken in the period.
- *Median and 95th percentile* use the nearest-rank rule: the p-th percentile of
  n sorted values is the value of rank ceil(p × n / 100). The median is the 50th
  percentile, so for an even count it is the lower middle value (1, 2, 3 and 10 h
  give 2 h): always a time that actually occurred.
- *Appeals* received are those filed in the period; decided, upheld and reversed,
  those reviewed in the period (time to decide: review minus filing).
- *Suspensions* imposed are suspend and terminate decisions taken in the period
  (temporary when they have an end); reversed, those an appeal undid in the period.
- *Monthly active accounts*: for each calendar month the period touches (only its
  days inside the period), the local accounts with a log-in (bots and since
  suspended ones included) that posted (a post, reply or boost; imported posts
  keep their original date, so they do not count) or signed in during it.
  ``User.last_login`` keeps only the latest sign-in, so for past months the count
  rests on posts alone and undercounts people who read without posting; a later
  sign-in also moves an account out of the month it last signed in. The average
  is the mean over those months.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from rostra.accounts.models import Account, User
from rostra.core import replica
from rostra.moderation.models import Appeal, Case, Decision, Ground, Measure
from rostra.posts.models import Post
from rostra.posts.models import Source as PostSource

ALL = "all"
SUSPENSIONS = {
    "temporary": (_("Temporary suspension"),
                  Q(measure=Measure.SUSPEND, ends_at__isnull=False)),
    "permanent": (_("Suspension until further notice"),
                  Q(measure=Measure.SUSPEND, ends_at__isnull=True)),
    "termination": (_("Termination of the account"), Q(measure=Measure.TERMINATE)),
}


class CaseKey(NamedTuple):
    category: str
    source: str


class ActionKey(NamedTuple):
    category: str
    source: str  # the case's: how the content came to the moderators
    measure: str
    ground: str  # "" for a decision not to act
    automated_detection: bool
    automated_decision: str


@dataclass(frozen=True)
class Timing:
    """Durations in hours: how many, their median and 95th percentile (nearest rank)."""

    count: int = 0
    median: float | None = None
    p95: float | None = None


@dataclass(frozen=True)
class AppealFigures:
    received: int = 0
    decided: int = 0
    upheld: int = 0
    reversed: int = 0
    time_to_decide: Timing = Timing()


@dataclass(frozen=True)
class SuspensionFigures:
    imposed: int = 0
    illegal: int = 0
    terms: int = 0
    reversed: int = 0


@dataclass
class Report:
    """The figures of one period; ``count_cases``/``count_actions`` slice them."""

    start: date
    end: date
    cases: Counter[CaseKey]
    actions: Counter[ActionKey]
    grounds: Counter[tuple[str, str]]  # (ground, the law or rule as written): decisions
    time_to_action: dict[str, Timing]  # by category, and ALL
    appeals: dict[str, AppealFigures]  # by role, and ALL
    suspensions: dict[str, SuspensionFigures]  # by kind of SUSPENSIONS
    monthly_active: list[tuple[str, int]]  # ("2025-03", accounts)

    @property
    def average_monthly_active(self) -> float | None:
        months = self.monthly_active
        return sum(n for _, n in months) / len(months) if months else None

    def count_cases(self, **match) -> int:
        """Cases opened whose fields equal (or, given a collection, are in) ``match``."""
        return _count(self.cases, match)

    def count_actions(self, **match) -> int:
        """Decisions taken whose fields equal (or are in) ``match``."""
        return _count(self.actions, match)


def _count(counter: Counter, match: dict) -> int:
    def fits(key) -> bool:
        for name, wanted in match.items():
            value = getattr(key, name)
            if isinstance(wanted, tuple | list | set | frozenset):
                if value not in wanted:
                    return False
            elif value != wanted:
                return False
        return True

    return sum(n for key, n in counter.items() if fits(key))


def nearest_rank(values: Iterable[float], percent: int) -> float | None:
    """The ``percent``-th percentile of ``values`` by nearest rank (None if empty)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, -(-percent * len(ordered) // 100))  # ceil without float error
    return ordered[rank - 1]


def timing(hours: Sequence[float]) -> Timing:
    """How many ``hours``, their median and 95th percentile (nearest rank)."""
    return Timing(len(hours), nearest_rank(hours, 50), nearest_rank(hours, 95))


def figures(start: date, end: date) -> Report:
    """The figures from ``start`` to ``end`` (days, both included, UTC).
    Raises ``ValueError`` when ``end`` is before ``start``."""
    if end < start:
        raise ValueError("The period must not end before it starts.")
    since, until = _bounds(start, end)
    decisions = Decision.objects.filter(created_at__gte=since, created_at__lt=until)
    cases = Case.objects.filter(created_at__gte=since, created_at__lt=until)
    with replica.reading():  # pure, heavy counting: the read replica's work, if any
        return Report(
            start=start, end=end, cases=_tally(cases, CaseKey),
            actions=_tally(decisions, ActionKey, source="case__source"),
            grounds=_grounds(decisions), time_to_action=_time_to_action(decisions),
            appeals=_appeals(since, until), suspensions=_suspensions(decisions, since, until),
            monthly_active=_monthly_active(start, end))


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """``start`` 00:00 UTC and the midnight after ``end``: a half-open interval."""
    return (datetime.combine(start, time(), UTC),
            datetime.combine(end + timedelta(days=1), time(), UTC))


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def _tally(queryset: QuerySet, key: type[NamedTuple], **renamed: str) -> Counter:
    columns = [renamed.get(name, name) for name in key._fields]
    rows = queryset.values(*columns).annotate(n=Count("pk")).order_by()
    return Counter({key(*(row[c] for c in columns)): row["n"] for row in rows})


def _grounds(decisions: QuerySet) -> Counter[tuple[str, str]]:
    tally: Counter[tuple[str, str]] = Counter()
    for ground, field in ((Ground.ILLEGAL.value, "legal_ground"),
                          (Ground.TERMS.value, "terms_ground")):
        for row in (decisions.filter(ground=ground).values(field)
                    .annotate(n=Count("pk")).order_by()):
            tally[(ground, row[field])] += row["n"]
    return tally


def _time_to_action(decisions: QuerySet) -> dict[str, Timing]:
    hours: dict[str, list[float]] = defaultdict(list)
    rows = decisions.values_list("category", "created_at", "case__created_at").order_by()
    for category, decided, opened in rows.iterator():
        hours[category].append(_hours(decided - opened))
        hours[ALL].append(_hours(decided - opened))
    return {ALL: Timing()} | {name: timing(values) for name, values in hours.items()}


def _appeals(since: datetime, until: datetime) -> dict[str, AppealFigures]:
    received = Counter(dict(Appeal.objects.filter(created_at__gte=since, created_at__lt=until)
                            .values_list("role").annotate(n=Count("pk")).order_by()))
    outcomes: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for role, status, filed, reviewed in (
            Appeal.objects.filter(decided_at__gte=since, decided_at__lt=until)
            .values_list("role", "status", "created_at", "decided_at").order_by()):
        outcomes[role].append((status, _hours(reviewed - filed)))

    def of(roles: Sequence[str]) -> AppealFigures:
        done = [outcome for role in roles for outcome in outcomes[role]]
        return AppealFigures(
            received=sum(received[role] for role in roles), decided=len(done),
            upheld=sum(status == Appeal.Status.UPHELD for status, _ in done),
            reversed=sum(status == Appeal.Status.REVERSED for status, _ in done),
            time_to_decide=timing([spent for _, spent in done]))

    return {role: of([role]) for role in Appeal.Role.values} | {ALL: of(Appeal.Role.values)}


def _suspensions(decisions: QuerySet, since: datetime,
                 until: datetime) -> dict[str, SuspensionFigures]:
    kinds = {}
    for kind, (_label, which) in SUSPENSIONS.items():
        imposed = decisions.filter(which).aggregate(
            imposed=Count("pk"), illegal=Count("pk", filter=Q(ground=Ground.ILLEGAL)),
            terms=Count("pk", filter=Q(ground=Ground.TERMS)))
        undone = Decision.objects.filter(which, reversed_at__gte=since, reversed_at__lt=until)
        kinds[kind] = SuspensionFigures(reversed=undone.count(), **imposed)
    return kinds


def _monthly_active(start: date, end: date) -> list[tuple[str, int]]:
    people = Account.objects.filter(domain="", user__isnull=False)
    months = []
    first = start.replace(day=1)
    while first <= end:
        following = (first + timedelta(days=32)).replace(day=1)
        since, until = _bounds(max(first, start), min(following - timedelta(days=1), end))
        posted = (Post.objects.filter(published__gte=since, published__lt=until)
                  .exclude(source=PostSource.IMPORT).values("account"))
        signed_in = User.objects.filter(last_login__gte=since, last_login__lt=until)
        active = people.filter(Q(pk__in=posted) | Q(pk__in=signed_in.values("account")))
        months.append((f"{first:%Y-%m}", active.count()))
        first = following
    return months
