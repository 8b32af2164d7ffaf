"""The transparency report counts a seeded period whose answers are known, and
nothing outside it; its CSV files and page carry those figures."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from rostra.accounts.models import Account, User
from rostra.moderation import appeals, decisions, services
from rostra.moderation import transparency_figures as tf
from rostra.moderation import transparency_report as tr
from rostra.moderation.models import (
    Appeal,
    Automation,
    Case,
    Category,
    Decision,
    Ground,
    Measure,
    Source,
)
from tests import factories

pytestmark = pytest.mark.django_db
BASE = "http://localhost:8000"
START, END = date(2025, 3, 1), date(2025, 4, 30)
HOSTILE = "<script>alert('x')</script> Fraud Act 2006, s. 2"
TERMS = {"ground": Ground.TERMS, "terms_ground": "Rule 3: no spam",
         "explanation": "Against the rules.", "facts": "Seen by a moderator."}
ILLEGAL = {"ground": Ground.ILLEGAL, "legal_ground": HOSTILE,
           "explanation": "A fake bank.", "facts": "The link asks for card numbers."}


def at(month: int, day: int, hour: float = 0, *, year: int = 2025) -> datetime:
    return datetime(year, month, day, tzinfo=UTC) + timedelta(hours=hour)


def case_about(post, category: str, source: str, opened: datetime) -> Case:
    """A case opened at ``opened`` from ``source`` (set after the fact, as the
    services stamp the present time)."""
    case = services.file_notice(content_url=f"{BASE}/@{post.account.username}/{post.pk}",
                                category=category, explanation="Look at this.", name="Ana",
                                email="ana@example.org", good_faith=True)
    Case.objects.filter(pk=case.pk).update(category=category, source=source, created_at=opened)
    case.refresh_from_db()
    return case


def backdate(decision: Decision, after_hours: float) -> None:
    """Date ``decision`` ``after_hours`` after its case opened (after any appeal:
    a decision from 2025 is past the six months to appeal it)."""
    Decision.objects.filter(pk=decision.pk).update(
        created_at=decision.case.created_at + timedelta(hours=after_hours))


def appeal(decision: Decision, filed: datetime, reviewed: datetime | None = None, *,
           reviewer=None, reverse: bool = False, **who) -> Appeal:
    made = appeals.file_appeal(decision, "Please look again.", **who)
    if reviewed is not None:
        appeals.review(made, by=reviewer, reverse=reverse, response="Reviewed.")
        Appeal.objects.filter(pk=made.pk).update(decided_at=reviewed)
        if reverse:
            Decision.objects.filter(pk=decision.pk).update(reversed_at=reviewed)
    Appeal.objects.filter(pk=made.pk).update(created_at=filed)
    return made


@pytest.fixture
def seeded(alice, bob, carol):
    """Known figures for March and April 2025 (START to END):

    cases: spam 2 notices + 1 report, scam 1 trusted flagger + 1 federation,
    other_illegal 1 automated, terms 1 own initiative (7); decisions after 1, 2, 3,
    10, 0.5 and 20 hours; appeals: 2 by the affected (one upheld after 24 h, one
    reversed after 48 h), 1 by a notifier (pending); suspensions: 1 temporary
    (reversed), 1 until further notice, 1 termination; active accounts: March alice
    and bob, April bob, erin and frank (carol's post is imported: not counted).
    Just outside: a case, a decision, an appeal, posts."""
    dave, erin, frank = (factories.make_account(name) for name in ("dave", "erin", "frank"))
    mod1, mod2 = (factories.make_user(name, admin=True) for name in ("mod1", "mod2"))
    remote = Account.objects.create(username="far", domain="remote.example")
    for author, when, source in (
            (alice, at(3, 5, 12), "web"), (bob, at(3, 20), "web"), (bob, at(3, 21), "api"),
            (bob, at(4, 10), "web"), (carol, at(4, 15), "import"),
            (remote, at(4, 16), "federation"), (frank, at(4, 30, 23.99), "web"),
            (dave, at(2, 28, 23.99), "web"), (dave, at(5, 1), "web")):
        factories.make_post(author, f"on {when:%d %B}", published=when, source=source)
    User.objects.filter(account=erin).update(last_login=at(4, 20))
    User.objects.filter(account=dave).update(last_login=at(5, 1, 1))

    target = {who: factories.make_post(who, "reported") for who in (alice, bob, carol, dave)}
    spam1 = case_about(target[alice], Category.SPAM, Source.NOTICE, at(3, 10, 10))
    spam2 = case_about(target[alice], Category.SPAM, Source.REPORT, at(3, 11, 10))
    scam1 = case_about(target[bob], Category.SCAM, Source.TRUSTED_FLAGGER, at(3, 12, 10))
    scam2 = case_about(target[bob], Category.SCAM, Source.FEDERATION, at(4, 1, 10))
    found = case_about(target[dave], Category.OTHER_ILLEGAL, Source.AUTOMATED, at(4, 2))
    own = case_about(target[carol], Category.TERMS, Source.OWN_INITIATIVE, at(4, 3))
    case_about(target[alice], Category.SPAM, Source.NOTICE, at(4, 30, 23))  # open
    before = case_about(target[alice], Category.SPAM, Source.NOTICE, at(2, 28, 23))

    removed = decisions.decide(spam1, Measure.REMOVE, by=mod1, **TERMS)
    kept = decisions.decide(spam2, Measure.NONE, by=mod1, explanation="Not spam.")
    partly = decisions.decide(scam1, Measure.REMOVE, by=mod1, **ILLEGAL,
                              automated_decision=Automation.PARTIALLY)
    suspended = decisions.decide(scam2, Measure.SUSPEND, by=mod1, **TERMS,
                                 ends_at=timezone.now() + timedelta(days=7))
    terminated = decisions.decide(found, Measure.TERMINATE, by=None,
                                  automated_decision=Automation.FULLY,
                                  **{**ILLEGAL, "legal_ground": "Art. 6 Fraud Act"})
    indefinite = decisions.decide(own, Measure.SUSPEND, by=mod1, **TERMS)
    late = decisions.decide(before, Measure.REMOVE, by=mod1, **TERMS)

    appeal(removed, at(3, 12), at(3, 13), reviewer=mod2, account=alice)
    appeal(suspended, at(4, 2), at(4, 4), reviewer=mod2, reverse=True, account=bob)
    appeal(kept, at(3, 20), receipt=spam2.receipt)
    appeal(indefinite, at(5, 2), account=carol)  # after the period
    for decision, hours in ((removed, 1), (kept, 2), (partly, 3), (suspended, 10),
                            (terminated, 0.5), (indefinite, 20)):
        backdate(decision, hours)
    Decision.objects.filter(pk=late.pk).update(created_at=at(5, 1))


def read(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def by(rows: list[dict], column: str) -> dict[str, dict]:
    return {row[column]: row for row in rows}


def test_nearest_rank_percentiles_are_values_that_occurred():
    assert tf.nearest_rank([10, 1, 3, 2], 50) == 2
    assert tf.nearest_rank([10, 1, 3, 2], 95) == 10
    assert tf.nearest_rank(range(1, 21), 95) == 19  # rank ceil(19.0), no float drift
    assert tf.nearest_rank([7], 50) == 7 and tf.nearest_rank([], 50) is None


def test_a_period_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        tf.figures(END, START)


def test_cases_are_counted_by_category_and_source_within_the_period(seeded):
    report = tf.figures(START, END)
    assert report.cases == {
        (Category.SPAM, Source.NOTICE): 2, (Category.SPAM, Source.REPORT): 1,
        (Category.SCAM, Source.TRUSTED_FLAGGER): 1, (Category.SCAM, Source.FEDERATION): 1,
        (Category.OTHER_ILLEGAL, Source.AUTOMATED): 1,
        (Category.TERMS, Source.OWN_INITIATIVE): 1}
    assert report.count_cases(source=tr.NOTICE_SOURCES) == 5


def test_actions_are_counted_by_measure_ground_and_automation(seeded):
    report = tf.figures(START, END)
    assert report.count_actions() == 6  # the decision of 1 May is left out
    assert {m: report.count_actions(measure=m) for m in Measure
            if report.count_actions(measure=m)} == {
        Measure.REMOVE: 2, Measure.NONE: 1, Measure.SUSPEND: 2, Measure.TERMINATE: 1}
    assert report.count_actions(measure=Measure.REMOVE, ground=Ground.ILLEGAL) == 1
    assert report.count_actions(ground=Ground.TERMS) == 3
    assert report.count_actions(ground=Ground.ILLEGAL) == 2
    assert report.count_actions(automated_detection=True) == 1
    assert report.count_actions(automated_decision=Automation.FULLY) == 1
    assert report.count_actions(automated_decision=Automation.PARTIALLY) == 1
    assert report.count_actions(automated_decision=Automation.NOT) == 4
    assert report.grounds == {("terms", "Rule 3: no spam"): 3, ("illegal", HOSTILE): 1,
                              ("illegal", "Art. 6 Fraud Act"): 1}


def test_time_to_action_is_a_nearest_rank_median_and_95th_percentile(seeded):
    spent = tf.figures(START, END).time_to_action
    assert spent[tf.ALL] == tf.Timing(6, 2.0, 20.0)  # 0.5 1 2 3 10 20 hours
    assert spent[Category.SPAM] == tf.Timing(2, 1.0, 2.0)
    assert spent[Category.SCAM] == tf.Timing(2, 3.0, 10.0)
    assert spent[Category.OTHER_ILLEGAL] == tf.Timing(1, 0.5, 0.5)
    assert Category.CSAM not in spent


def test_appeals_and_suspensions(seeded):
    report = tf.figures(START, END)
    assert report.appeals[tf.ALL] == tf.AppealFigures(
        received=3, decided=2, upheld=1, reversed=1, time_to_decide=tf.Timing(2, 24.0, 48.0))
    assert report.appeals[Appeal.Role.NOTIFIER] == tf.AppealFigures(received=1)
    assert report.suspensions == {
        "temporary": tf.SuspensionFigures(imposed=1, terms=1, reversed=1),
        "permanent": tf.SuspensionFigures(imposed=1, terms=1),
        "termination": tf.SuspensionFigures(imposed=1, illegal=1)}


def test_monthly_active_accounts_count_local_posters_and_sign_ins(seeded):
    report = tf.figures(START, END)
    assert report.monthly_active == [("2025-03", 2), ("2025-04", 3)]
    assert report.average_monthly_active == 2.5
    assert tf.figures(date(2025, 4, 16), date(2025, 4, 16)).monthly_active == [("2025-04", 0)]


def test_nothing_outside_the_period_counts(seeded):
    report = tf.figures(date(2025, 5, 1), date(2025, 5, 31))
    assert report.count_cases() == 0
    assert report.actions == {(Category.SPAM, Source.NOTICE, Measure.REMOVE, Ground.TERMS,
                               False, Automation.NOT): 1}
    assert report.time_to_action[tf.ALL] == tf.Timing(1, 1465.0, 1465.0)  # from 28 Feb, 23:00
    assert report.appeals[tf.ALL] == tf.AppealFigures(received=1)
    assert report.monthly_active == [("2025-05", 1)]  # dave: a post and a sign-in


def test_the_csv_files_carry_the_figures(seeded, tmp_path):
    paths = tr.write_report(START, END, tmp_path / "out")
    names = [path.name for path in paths]
    assert names == ["report.html", "notices.csv", "own_initiative.csv", "actions.csv",
                     "categories.csv", "grounds.csv", "timing.csv", "appeals.csv",
                     "suspensions.csv", "users.csv"]
    notices = by(read(tmp_path / "out" / "notices.csv"), "category")
    assert len(notices) == len(Category) + 1
    assert notices["spam"] == {
        "category": "spam", "label": "Spam", "notice": "2", "trusted_flagger": "0",
        "report": "1", "federation": "0", "total": "3", "actions_illegal": "0",
        "actions_terms": "1", "no_action": "1"}
    assert (notices["total"]["total"], notices["total"]["actions_illegal"]) == ("5", "1")
    own = by(read(tmp_path / "out" / "own_initiative.csv"), "category")
    assert (own["total"]["automated"], own["total"]["own_initiative"]) == ("1", "1")
    actions = by(read(tmp_path / "out" / "actions.csv"), "measure")
    assert actions["remove"] == {
        "measure": "remove", "label": Measure.REMOVE.label, "illegal": "1", "terms": "1",
        "total": "2", "automated_detection": "0", "fully_automated": "0",
        "partially_automated": "1", "manual": "1"}
    assert actions["total"]["total"] == "6" and actions["none"]["illegal"] == "0"
    assert by(read(tmp_path / "out" / "categories.csv"), "category")["scam"]["total"] == "2"
    grounds = read(tmp_path / "out" / "grounds.csv")
    assert grounds[0] == {"text": "Rule 3: no spam", "ground": "terms",
                          "label": Ground.TERMS.label, "decisions": "3"}
    timing = by(read(tmp_path / "out" / "timing.csv"), "category")
    assert timing["all"] == {"category": "all", "label": "All categories",
                                  "decisions": "6", "median_hours": "2.00",
                                  "p95_hours": "20.00"}
    assert timing["csam"]["median_hours"] == ""
    appealed = by(read(tmp_path / "out" / "appeals.csv"), "role")
    assert [appealed["all"][k] for k in ("received", "decided", "upheld", "reversed",
                                         "median_hours", "p95_hours")] == [
        "3", "2", "1", "1", "24.00", "48.00"]
    suspensions = by(read(tmp_path / "out" / "suspensions.csv"), "kind")
    assert [suspensions[k]["imposed"] for k in ("temporary", "permanent", "termination")] == [
        "1", "1", "1"]
    assert suspensions["total"]["reversed"] == "1"
    assert read(tmp_path / "out" / "users.csv") == [
        {"month": "2025-03", "active_accounts": "2"}, {"month": "2025-04", "active_accounts": "3"},
        {"month": "average", "active_accounts": "2.50"}]


def test_a_ground_that_looks_like_a_formula_is_defused_in_the_csv(alice, tmp_path):
    mod = factories.make_user("mod1", admin=True)
    case = case_about(factories.make_post(alice), Category.SPAM, Source.NOTICE, at(3, 1))
    backdate(decisions.decide(case, Measure.REMOVE, by=mod,
                              **{**TERMS, "terms_ground": "=HYPERLINK(1)"}), 1)
    tr.write_report(START, END, tmp_path)
    assert read(tmp_path / "grounds.csv")[0]["text"] == "'=HYPERLINK(1)"


def test_the_page_shows_the_figures_without_script_and_escapes_what_people_wrote(seeded):
    page = tr.html(tf.figures(START, END))
    assert "<script" not in page.lower() and "javascript:" not in page.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Fraud Act 2006" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert '<html lang="en">' in page and page.count("<caption>") == 9
    assert '<th scope="col">Category</th>' in page and '<th scope="row">Spam</th>' in page
    assert page.count('<svg role="img"') == 4 and "<desc" in page
    assert "Scam, fraud or phishing: 2; Spam: 3." in page  # the notices chart in words
    assert "<dt>Average monthly active accounts</dt><dd>2.50</dd>" in page
    assert "<dt>Median hours to action</dt><dd>2.00</dd>" in page


def test_the_cli_writes_the_report_and_lists_its_files(seeded, tmp_path):
    out = io.StringIO()
    call_command("dsa", "transparency-report", "--from", "2025-03-01", "--to", "2025-04-30",
                 "--output", str(tmp_path / "report"), stdout=out)
    listed = out.getvalue().split()
    assert listed[0] == str(tmp_path / "report" / "report.html") and len(listed) == 10
    assert by(read(tmp_path / "report" / "notices.csv"), "category")["total"]["total"] == "5"
