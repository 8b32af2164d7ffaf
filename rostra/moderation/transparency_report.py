"""Transparency reports (Art. 15 and 24 DSA) for any period, laid out after the
templates of Implementing Regulation (EU) 2024/2835.

``tables(report)`` lays the figures of ``transparency_figures.figures`` out as
sections; ``html(report)`` renders one self-contained page (tables and inline SVG
bar charts; no script, nothing fetched), for the CLI and the staff pages alike;
``write_report`` writes that page and one CSV file per section. What each figure
counts is defined in ``transparency_figures``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rostra.moderation.models import Appeal, Automation, Category, Ground, Measure, Source
from rostra.moderation.transparency_figures import (
    ALL,
    SUSPENSIONS,
    AppealFigures,
    Report,
    Timing,
    figures,
)

NOTICE_SOURCES = (Source.NOTICE, Source.TRUSTED_FLAGGER, Source.REPORT, Source.FEDERATION)
OWN_SOURCES = (Source.AUTOMATED, Source.OWN_INITIATIVE)
TEMPLATE = "moderation/transparency_report.html"


# -- Sections: each is a table in the page and a CSV file ----------------------------

@dataclass(frozen=True)
class Table:
    """One section of the report: a table in the page and ``<name>.csv``. Columns
    are (CSV header, heading); ``hidden`` ones (codes beside their label) are left
    out of the page. The first shown column heads each row."""

    name: str
    title: str
    caption: str
    columns: tuple[tuple[str, str], ...]
    rows: list[dict]
    note: str = ""
    hidden: frozenset[str] = frozenset()


def _by_ground(report: Report, **match) -> dict[str, int]:
    return {"actions_illegal": report.count_actions(ground=Ground.ILLEGAL, **match),
            "actions_terms": report.count_actions(ground=Ground.TERMS, **match),
            "no_action": report.count_actions(measure=Measure.NONE, **match)}


def _with_total(rows: list[dict], **labels: str) -> list[dict]:
    total = dict(labels)
    for name, value in rows[0].items():
        if name not in labels and isinstance(value, int):
            total[name] = sum(row[name] for row in rows)
    return [*rows, total]


def _origin_rows(report: Report, sources: Sequence[Source]) -> list[dict]:
    rows = []
    for category in Category:
        row = {"category": category.value, "label": category.label}
        row |= {source.value: report.count_cases(category=category, source=source)
                for source in sources}
        row["total"] = report.count_cases(category=category, source=sources)
        rows.append(row | _by_ground(report, category=category, source=sources))
    return _with_total(rows, category="total", label=_("Total"))


ACTED = (("actions_illegal", _("Acted on as illegal")),
         ("actions_terms", _("Acted on under our rules")),
         ("no_action", _("Decided not to act")))
AUTOMATION = (("fully_automated", Automation.FULLY), ("partially_automated", Automation.PARTIALLY),
              ("manual", Automation.NOT))
CODE = frozenset({"category", "measure", "role", "kind", "ground"})


def tables(report: Report) -> list[Table]:
    """The report's sections, in the order of the Implementing Regulation's templates."""
    measures = []
    for measure in Measure:
        row = {"measure": measure.value, "label": measure.label}
        row |= {ground: report.count_actions(measure=measure, ground=ground)
                for ground in Ground.values}
        row["total"] = report.count_actions(measure=measure)
        row["automated_detection"] = report.count_actions(measure=measure,
                                                          automated_detection=True)
        row |= {name: report.count_actions(measure=measure, automated_decision=automation)
                for name, automation in AUTOMATION}
        measures.append(row)
    by_category = [{"category": c.value, "label": c.label, **_by_ground(report, category=c),
                    "total": report.count_actions(category=c)} for c in Category]
    timings = [(ALL, _("All categories")), *((c.value, c.label) for c in Category)]
    roles = [*Appeal.Role.choices, (ALL, _("All appeals"))]
    average = report.average_monthly_active
    return [
        Table("notices", _("Notices received (Art. 15(1)(b))"),
              _("Notices and reports opened in the period by category and sender, and the "
              "decisions taken on notices in the period"),
              (("category", _("Code")), ("label", _("Category")),
               ("notice", _("Notices (Art. 16)")),
               ("trusted_flagger", _("From trusted flaggers")), ("report", _("Reports by users")),
               ("federation", _("Reports from other servers")), ("total", _("Total")), *ACTED),
              _origin_rows(report, NOTICE_SOURCES), hidden=CODE),
        Table("own_initiative", _("Own-initiative moderation (Art. 15(1)(c))"),
              _("Cases opened by automated detection or by the moderators, and the decisions "
              "taken on them in the period"),
              (("category", _("Code")), ("label", _("Category")),
               ("automated", _("Found by automated detection")),
               ("own_initiative", _("Found by the moderators")), ("total", _("Total")), *ACTED),
              _origin_rows(report, OWN_SOURCES), hidden=CODE),
        Table("actions", _("Decisions by measure and ground"),
              _("Decisions taken in the period, by measure, ground and use of automated means"),
              (("measure", _("Code")), ("label", _("Measure")), ("illegal", _("Illegal content")),
               ("terms", _("Against our rules")), ("total", _("Total")),
               ("automated_detection", _("Detected by automated means")),
               ("fully_automated", _(_("Decided fully automatically"))),
               ("partially_automated", _("Decided partly automatically")),
               ("manual", _("Decided by people"))),
              _with_total(measures, measure="total", label=_("Total")), hidden=CODE,
              note=_("A decision not to act has no ground: it counts in the total only.")),
        Table("categories", _("Decisions by category"),
              _("Decisions taken in the period, by category and ground"),
              (("category", _("Code")), ("label", _("Category")), *ACTED, ("total", _("Total"))),
              _with_total(by_category, category="total", label=_("Total")), hidden=CODE),
        Table("grounds", _("Laws and rules relied on"),
              _("The laws and rules cited by the decisions taken in the period"),
              (("text", _("Law or rule")), ("ground", _("Code")), ("label", _("Ground")),
               ("decisions", _("Decisions"))),
              [{"text": text, "ground": ground, "label": Ground(ground).label, "decisions": n}
               for (ground, text), n in sorted(report.grounds.items(),
                                               key=lambda item: (-item[1], item[0]))],
              hidden=CODE),
        Table("timing", _("Time to action"),
              _("Hours from a case's opening to its decision, for the decisions taken in the "
              "period (nearest-rank median and 95th percentile)"),
              (("category", _("Code")), ("label", _("Category")), ("decisions", _("Decisions")),
               ("median_hours", _("Median (hours)")), ("p95_hours", _("95th percentile (hours)"))),
              [{"category": code, "label": label, **_timing_row(report.time_to_action.get(code))}
               for code, label in timings], hidden=CODE),
        Table("appeals", _("Appeals (Art. 20)"),
              _("Appeals filed in the period, and appeals reviewed in the period with their "
              "outcome and the hours they took"),
              (("role", _("Code")), ("label", _("Appealed by")), ("received", _("Received")),
               ("decided", _("Decided")), ("upheld", _("Decision upheld")),
               ("reversed", _("Decision reversed")), ("median_hours", _("Median (hours)")),
               ("p95_hours", _("95th percentile (hours)"))),
              [_appeal_row(role, label, report.appeals[role]) for role, label in roles],
              hidden=CODE),
        Table("suspensions", _("Suspensions (Art. 23, Art. 24(1)(b))"),
              _("Account suspensions and terminations imposed in the period, and those "
              "reversed on appeal in the period"),
              (("kind", _("Code")), ("label", _("Measure")), ("imposed", _("Imposed")),
               ("illegal", _("For illegal content")), ("terms", _("Against our rules")),
               ("reversed", _("Reversed"))),
              _with_total([{"kind": kind, "label": SUSPENSIONS[kind][0],
                            **vars(counts)} for kind, counts in report.suspensions.items()],
                          kind="total", label=_("Total")), hidden=CODE),
        Table("users", _("Average monthly active accounts (Art. 24(2))"),
              _("Local accounts that posted or signed in, by calendar month of the period"),
              (("month", _("Month")), ("active_accounts", _("Active accounts"))),
              [*({"month": month, "active_accounts": n} for month, n in report.monthly_active),
               {"month": _("average"), "active_accounts": average}],
              note=_("The last sign-in is all that is kept of sign-ins, so past months count "
                     "the accounts that posted, boosted or replied (imports excluded).")),
    ]


def _timing_row(spent: Timing | None) -> dict:
    spent = spent or Timing()
    return {"decisions": spent.count, "median_hours": spent.median, "p95_hours": spent.p95}


def _appeal_row(role: str, label: str, appeals: AppealFigures) -> dict:
    spent = appeals.time_to_decide
    return {"role": role, "label": label, "received": appeals.received,
            "decided": appeals.decided, "upheld": appeals.upheld,
            "reversed": appeals.reversed, "median_hours": spent.median, "p95_hours": spent.p95}


def cell(value) -> str:
    """A figure as written in the page and the CSV files (hours to two decimals)."""
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


# -- Rendering ---------------------------------------------------------------------

ROW_HEIGHT, BAR_WIDTH = 40, 560  # in the charts' own units (they scale to the page)


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    top: int  # the label's line; the bar sits under it
    width: int


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart, with its figures in words for assistive technology."""

    title: str
    description: str
    bars: list[Bar]
    height: int


def _chart(title: str, pairs: Iterable[tuple[str, float | None]], *,
           zeros: bool = False) -> Chart | None:
    pairs = [(label, value or 0) for label, value in pairs if value or zeros]
    if not pairs:
        return None
    top = max(value for _, value in pairs) or 1
    bars = [Bar(label, cell(value), i * ROW_HEIGHT, round(value / top * BAR_WIDTH))
            for i, (label, value) in enumerate(pairs)]
    words = "; ".join(f"{label}: {cell(value)}" for label, value in pairs)
    return Chart(title, f"{words}.", bars, len(bars) * ROW_HEIGHT)


def _charts(report: Report) -> dict[str, Chart | None]:
    spent = report.time_to_action
    return {
        "notices": _chart(_("Notices received, by category"), (
            (c.label, report.count_cases(category=c, source=NOTICE_SOURCES)) for c in Category)),
        "actions": _chart(_("Decisions, by measure"), (
            (m.label, report.count_actions(measure=m)) for m in Measure)),
        "timing": _chart(_("Median hours to action, by category"), (
            (c.label, spent[c].median) for c in Category if c in spent), zeros=True),
        "users": _chart(_("Active accounts, by month"), report.monthly_active, zeros=True),
    }


def html(report: Report) -> str:
    """The report as one self-contained, accessible HTML page (no script, no
    external resource); every text is escaped by the template engine."""
    charts = _charts(report)
    sections = []
    for table in tables(report):
        shown = [name for name, _ in table.columns if name not in table.hidden]
        sections.append({
            "table": table, "chart": charts.get(table.name),
            "headings": [heading for name, heading in table.columns if name in shown],
            "rows": [[cell(row[name]) for name in shown] for row in table.rows]})
    appeals = report.appeals[ALL]
    summary = [(label, cell(value)) for label, value in (
        (_("Cases opened"), report.count_cases()),
        (_("Notices and reports received"), report.count_cases(source=NOTICE_SOURCES)),
        (_("Decisions taken"), report.count_actions()),
        (_("Decided fully automatically"), report.count_actions(
            automated_decision=Automation.FULLY)),
        (_("Median hours to action"), report.time_to_action[ALL].median),
        (_("Appeals received"), appeals.received),
        (_("Decisions reversed on appeal"), appeals.reversed),
        (_("Average monthly active accounts"), report.average_monthly_active))]
    return render_to_string(TEMPLATE, {
        "report": report, "domain": settings.ROSTRA_DOMAIN, "generated": timezone.now(),
        "summary": summary, "sections": sections})


def _csv_safe(text: str) -> str:
    """Keep spreadsheets from running a cell as a formula (a ground is free text)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_report(start: date, end: date, output: Path) -> list[Path]:
    """Write ``report.html`` and one UTF-8 CSV file per section (``tables``) into
    ``output``, created if missing; return their paths, the page first. Raises
    ``ValueError`` when ``end`` is before ``start``."""
    report = figures(start, end)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    page = output / "report.html"
    page.write_text(html(report), encoding="utf-8")
    paths = [page]
    for table in tables(report):
        path = output / f"{table.name}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow([name for name, _ in table.columns])
            writer.writerows([_csv_safe(cell(row[name])) for name, _ in table.columns]
                             for row in table.rows)
        paths.append(path)
    return paths
