"""Statements of reasons for the EU's DSA Transparency Database (Art. 24(5) DSA).

``statement`` maps one restrictive ``Decision`` to the database's statement fields
(the request rules of its API, ``digital-services-act/transparency-database``,
with the category and keyword taxonomy in force from 1 July 2025); ``export``
yields them for a period; ``send`` posts them in batches to the batch endpoint,
after checking each with ``transparency_db_rules.validate`` (the API's rules on
their own, without the mapping); ``dsa_category`` is the category mapping alone.

What is a statement: every decision with a measure (``none`` restricts nothing
and is no statement). A statement is due when the decision is taken, so a
decision later reversed on appeal is still exported: it was taken and applied,
and the database has no withdrawal.

Who the notifier was is never sent: ``source_identity`` names only a trusted
flagger, an organisation the regulator designated and lists publicly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from rostra.core import net
from rostra.moderation import territories
from rostra.moderation.models import (
    ILLEGAL,
    Automation,
    Category,
    Decision,
    Ground,
    Measure,
    Source,
)
from rostra.moderation.transparency_db_rules import (
    EARLIEST_CONTENT,
    ILLEGAL_GROUND,
    INCOMPATIBLE_GROUND,
    LANGUAGES,
    LATEST,
    VISIBILITY_OTHER,
    validate,
)

MAX_BATCH = 100  # statements per call of the batch endpoint

# --- Rostra → database --------------------------------------------------------------

# Measure → (the decision field, its key); a temporary one adds that field's end date.
# ``limit`` demotes all of an account's posts; a frozen log-in stops the service for
# the account while its posts stay up, a partial suspension of the service.
_MEASURES = {
    Measure.REMOVE: ("decision_visibility", "DECISION_VISIBILITY_CONTENT_REMOVED"),
    Measure.DISABLE: ("decision_visibility", "DECISION_VISIBILITY_CONTENT_DISABLED"),
    Measure.DEMOTE: ("decision_visibility", "DECISION_VISIBILITY_CONTENT_DEMOTED"),
    Measure.AGE_RESTRICT: ("decision_visibility", "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED"),
    Measure.MARK_SENSITIVE: ("decision_visibility", VISIBILITY_OTHER),
    Measure.LABEL: ("decision_visibility", "DECISION_VISIBILITY_CONTENT_LABELLED"),
    Measure.RESTRICT_INTERACTIONS: ("decision_visibility",
                                    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED"),
    Measure.LIMIT: ("decision_visibility", "DECISION_VISIBILITY_CONTENT_DEMOTED"),
    Measure.SENSITIZE: ("decision_visibility", VISIBILITY_OTHER),
    Measure.SUSPEND: ("decision_account", "DECISION_ACCOUNT_SUSPENDED"),
    Measure.TERMINATE: ("decision_account", "DECISION_ACCOUNT_TERMINATED"),
    Measure.DISABLE_LOGIN: ("decision_provision", "DECISION_PROVISION_PARTIAL_SUSPENSION"),
}
_END_DATES = {"decision_visibility": "end_date_visibility_restriction",
              "decision_account": "end_date_account_restriction",
              "decision_provision": "end_date_service_restriction"}
_VISIBILITY_OTHER = {
    Measure.MARK_SENSITIVE: "Content marked as sensitive: shown only behind a warning.",
    Measure.SENSITIZE: "All the account's media marked as sensitive: shown only behind a warning.",
}
# Our category → (database category, keywords, the words for KEYWORD_OTHER). A keyword
# only where our category pins one down; broader ones (threats, scams, IP) get none.
_CATEGORIES: dict[str, tuple[str, tuple[str, ...], str]] = {
    Category.CSAM: ("STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
                    ("KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",), ""),
    Category.INTIMATE_IMAGES: ("STATEMENT_CATEGORY_CYBER_VIOLENCE",
                               ("KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",), ""),
    Category.AI_SEXUAL_IMAGERY: ("STATEMENT_CATEGORY_CYBER_VIOLENCE",
                                 ("KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE",), ""),
    Category.TERRORISM: ("STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
                         ("KEYWORD_TERRORIST_CONTENT",), ""),
    Category.ILLEGAL_HATE: ("STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
                            ("KEYWORD_HATE_SPEECH",), ""),
    Category.THREATS: ("STATEMENT_CATEGORY_CYBER_VIOLENCE", (), ""),
    Category.SCAM: ("STATEMENT_CATEGORY_SCAMS_AND_FRAUD", (), ""),
    Category.PRIVACY: ("STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
                       ("KEYWORD_MISSING_PROCESSING_GROUND",), ""),
    Category.INTELLECTUAL_PROPERTY: ("STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
                                     (), ""),
    Category.ELECTIONS: ("STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
                         (), ""),
    Category.OTHER_ILLEGAL: ("STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE", (), ""),
    Category.SPAM: ("STATEMENT_CATEGORY_OTHER_VIOLATION_TC", ("KEYWORD_OTHER",), "Spam"),
    Category.TERMS: ("STATEMENT_CATEGORY_OTHER_VIOLATION_TC", (), ""),
    Category.OTHER: ("STATEMENT_CATEGORY_OTHER_VIOLATION_TC", (), ""),
}
_SOURCES = {Source.NOTICE: "SOURCE_ARTICLE_16", Source.TRUSTED_FLAGGER: "SOURCE_TRUSTED_FLAGGER",
            Source.FEDERATION: "SOURCE_TYPE_OTHER_NOTIFICATION",
            Source.AUTOMATED: "SOURCE_VOLUNTARY", Source.OWN_INITIATIVE: "SOURCE_VOLUNTARY"}
_AUTOMATION = {Automation.NOT: "AUTOMATED_DECISION_NOT_AUTOMATED",
               Automation.PARTIALLY: "AUTOMATED_DECISION_PARTIALLY",
               Automation.FULLY: "AUTOMATED_DECISION_FULLY"}
_MEDIA_TYPES = {"image": "CONTENT_TYPE_IMAGE", "video": "CONTENT_TYPE_VIDEO",
                "gifv": "CONTENT_TYPE_VIDEO"}
ACCOUNT_CONTENT = "An account: its profile and posts."
_TAG = re.compile(r"<[^>]*>")


class StatementError(ValueError):
    """The decision is not a statement of reasons (it restricts nothing)."""


def puid(decision: Decision) -> str:
    """The statement's unique id on this platform: the domain (as allowed characters)
    and the decision's id, e.g. ``social-example-eu-42``."""
    return f"{_slug()}-{decision.pk}"


def decision_id(statement_puid: str) -> int | None:
    """The decision a ``puid`` of ours names, or None."""
    prefix, _, number = str(statement_puid).rpartition("-")
    return int(number) if prefix == _slug() and number.isascii() and number.isdigit() else None


def _slug() -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", settings.ROSTRA_DOMAIN).strip("-") or "rostra"


def _day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def _clip(text: str, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def statement(decision: Decision) -> dict:
    """``decision`` as a Transparency Database statement (a dict ready for JSON).

    Raises ``StatementError`` for a decision that restricts nothing."""
    if decision.measure not in _MEASURES:
        raise StatementError(f"A decision to take no action is not a statement ({decision}).")
    case = decision.case
    kind, key = _MEASURES[decision.measure]
    out: dict = {kind: [key] if kind == "decision_visibility" else key}
    if key == VISIBILITY_OTHER:
        out["decision_visibility_other"] = _VISIBILITY_OTHER[decision.measure]
    if decision.ends_at is not None and _day(decision.ends_at) <= LATEST:
        out[_END_DATES[kind]] = _day(decision.ends_at).isoformat()
    if decision.ground == Ground.ILLEGAL:
        out.update(decision_ground=ILLEGAL_GROUND,
                   illegal_content_legal_ground=_clip(decision.legal_ground, 500),
                   illegal_content_explanation=_clip(decision.explanation, 2000))
    elif decision.ground == Ground.TERMS:
        out.update(decision_ground=INCOMPATIBLE_GROUND,
                   incompatible_content_ground=_clip(decision.terms_ground, 500),
                   incompatible_content_explanation=_clip(decision.explanation, 2000))
    category, keywords, other = dsa_category(decision.category, case.source)
    out["category"] = category
    if keywords:
        out["category_specification"] = list(keywords)
    if other:
        out["category_specification_other"] = other
    posts = list(decision.target_posts.all()) or list(case.target_posts.all())
    out["content_type"] = _content_types(posts, list(case.media.all()))
    if out["content_type"] == ["CONTENT_TYPE_OTHER"]:
        out["content_type_other"] = ACCOUNT_CONTENT
    language = _language(posts)
    if language:
        out["content_language"] = language
    out["content_date"] = max(_content_date(decision, posts), EARLIEST_CONTENT).isoformat()
    out["application_date"] = _day(decision.starts_at).isoformat()
    out["decision_facts"] = _clip(decision.facts, 5000)
    out["source_type"] = _source_type(case)
    if case.source == Source.TRUSTED_FLAGGER and case.trusted_flagger_id:
        out["source_identity"] = _clip(case.trusted_flagger.name, 500)
    out["automated_detection"] = "Yes" if decision.automated_detection else "No"
    out["automated_decision"] = _AUTOMATION[decision.automated_decision]
    out["territorial_scope"] = sorted(territories.normalise(decision.territorial_scope))
    if decision.target_account_id:
        out["account_type"] = "ACCOUNT_TYPE_PRIVATE"  # Rostra has no business accounts
    out["puid"] = puid(decision)
    return out


def dsa_category(category: str, source: str) -> tuple[str, tuple[str, ...], str]:
    """Our ``category`` of a case from ``source`` as the database's (category,
    keywords, the words for KEYWORD_OTHER or ""); raises ``KeyError`` for an
    unknown category.

    "Other illegal content" is "not specified by the notifier" only when a notice
    said so; found by ourselves it is a breach of the terms like any illegal content."""
    if category == Category.OTHER_ILLEGAL and source in (Source.OWN_INITIATIVE,
                                                         Source.AUTOMATED):
        return ("STATEMENT_CATEGORY_OTHER_VIOLATION_TC", ("KEYWORD_OTHER",),
                "Other illegal content")
    return _CATEGORIES[category]


def _source_type(case) -> str:
    """A user's report is an Art. 16 notice when it says the content is illegal;
    about the server's rules only, it is another kind of notification."""
    if case.source == Source.REPORT:
        return ("SOURCE_ARTICLE_16" if case.category in ILLEGAL
                else "SOURCE_TYPE_OTHER_NOTIFICATION")
    return _SOURCES[case.source]


def _content_types(posts, media=()) -> list[str]:
    """The kinds of content acted on: the posts' text and media, or the media a case
    holds without a post (an upload the media gate stopped); else an account."""
    if not posts and media:
        return sorted({_MEDIA_TYPES.get(m.kind, "CONTENT_TYPE_IMAGE") for m in media}
                      | ({"CONTENT_TYPE_SYNTHETIC_MEDIA"} if any(m.ai_generated for m in media)
                         else set()))
    if not posts:
        return ["CONTENT_TYPE_OTHER"]
    found = set()
    for post in posts:
        if (post.text.strip() or post.spoiler_text.strip()
                or _TAG.sub("", post.content).strip() or hasattr(post, "poll")):
            found.add("CONTENT_TYPE_TEXT")
        for m in post.media.all():
            found.add(_MEDIA_TYPES.get(m.kind, "CONTENT_TYPE_IMAGE"))
            if m.ai_generated:
                found.add("CONTENT_TYPE_SYNTHETIC_MEDIA")
    return sorted(found) or ["CONTENT_TYPE_TEXT"]


def _language(posts) -> str:
    """The posts' language (ISO 639-1) when they all agree on one; else ""."""
    codes = {re.split(r"[-_]", p.language.strip(), maxsplit=1)[0].upper()
             for p in posts if p.language.strip()}
    return codes.pop() if len(codes) == 1 and codes <= LANGUAGES else ""


def _content_date(decision: Decision, posts) -> date:
    if posts:
        return min(_day(p.published) for p in posts)
    account = decision.target_account
    return _day(account.created_at if account is not None else decision.case.created_at)


def export(since: date, until: date | None = None, *, unsent: bool = False) -> Iterator[dict]:
    """Statements of the restrictive decisions taken from ``since`` to ``until``
    (both days included, UTC; reversed ones too), oldest first; only those not yet
    in the database with ``unsent``."""
    decisions = Decision.objects.exclude(measure=Measure.NONE).filter(
        created_at__gte=datetime.combine(since, time.min, tzinfo=UTC))
    if until is not None:
        decisions = decisions.filter(
            created_at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC))
    if unsent:
        decisions = decisions.filter(transparency_db_at__isnull=True)
    decisions = decisions.select_related(
        "case", "case__trusted_flagger", "target_account").prefetch_related(
        "target_posts__media", "target_posts__poll", "case__target_posts__media",
        "case__target_posts__poll").order_by("created_at", "pk")
    for decision in decisions.iterator(chunk_size=200):
        yield statement(decision)


# --- sending --------------------------------------------------------------------------

@dataclass
class SendReport:
    """What ``send`` did, by ``puid``."""

    sent: list[str] = field(default_factory=list)  # created by this call
    already_sent: list[str] = field(default_factory=list)  # the database had them
    failed: dict[str, list[str]] = field(default_factory=dict)  # puid → why
    error: str = ""  # why sending stopped before the end (nothing after it was sent)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.error


def send(statements: Iterable[dict], endpoint: str, token: str,
         batch_size: int = MAX_BATCH) -> SendReport:
    """Post ``statements`` to ``{endpoint}/api/v1/statements``, ``batch_size`` (at most
    100) per call, and mark the decisions of those the database holds (sent now, or
    refused as duplicates: sent before) with ``transparency_db_at``.

    A statement ``validate`` refuses is not sent. The API creates a batch whole or
    not at all: on a 422 the statements it names are set aside and the rest posted
    again. Any other answer (401, 429, 5xx) or no answer stops the sending: that
    batch and the following ones stay unmarked, to be sent again later."""
    if not 1 <= batch_size <= MAX_BATCH:
        raise ValueError(f"A batch holds 1 to {MAX_BATCH} statements.")
    url = endpoint.rstrip("/") + "/api/v1/statements"
    report, seen, batch = SendReport(), set(), []
    for item in statements:
        key = str(item.get("puid") or "")
        problems = validate(item) or (["The puid appears twice in this export."]
                                      if key in seen else [])
        if problems:
            report.failed[key or "(no puid)"] = problems
            continue
        seen.add(key)
        batch.append(item)
        if len(batch) == batch_size:
            if not _post_batch(batch, url, token, report):
                return report
            batch = []
    if batch:
        _post_batch(batch, url, token, report)
    return report


def _post_batch(batch: list[dict], url: str, token: str, report: SendReport) -> bool:
    """Post one batch until the database takes what it accepts; False: stop sending."""
    pending = list(batch)
    while pending:
        body = json.dumps({"statements": pending}, ensure_ascii=False).encode()
        try:
            response = net.post(url, body, content_type="application/json",
                                accept="application/json", max_bytes=16 * 1024 * 1024,
                                timeout=120, headers={"Authorization": f"Bearer {token}"})
        except net.NetError as exc:
            report.error = f"The Transparency Database could not be reached: {exc}"
            return False
        puids = [s["puid"] for s in pending]
        if response.ok:
            _mark(puids)
            report.sent += puids
            return True
        if response.status != 422:
            report.error = (f"The Transparency Database answered HTTP {response.status}: "
                            f"{response.text[:300]}")
            return False
        existing, refused = _refusals(response, puids)
        if existing:
            _mark(existing)
            report.already_sent += existing
        report.failed.update(refused)
        if not existing and not refused:  # a 422 we cannot attribute: the whole batch
            reason = f"Refused (HTTP 422): {response.text[:300]}"
            report.failed.update({p: [reason] for p in puids})
            return True
        pending = [s for s in pending if s["puid"] not in refused and s["puid"] not in existing]
    return True


def _refusals(response: net.Response, puids: list[str]) -> tuple[list[str], dict]:
    """From a 422: the puids the database already holds, and the refused ones with
    their messages (errors are keyed ``statement_<index in the batch>``)."""
    try:
        body = response.json()
    except net.BadResponse:
        return [], {}
    errors = body.get("errors") if isinstance(body, dict) else None
    errors = errors if isinstance(errors, dict) else {}
    existing = errors.get("existing_puids") or []
    single = body.get("existing") if isinstance(body, dict) else None
    if isinstance(single, dict):
        existing = [*existing, single.get("puid")]
    refused: dict[str, list[str]] = {}
    for key, fields in errors.items():
        index = key.removeprefix("statement_")
        if (key.startswith("statement_") and index.isascii() and index.isdigit()
                and int(index) < len(puids)):
            messages = fields.values() if isinstance(fields, dict) else [fields]
            refused[puids[int(index)]] = [str(m) for ms in messages
                                          for m in (ms if isinstance(ms, list) else [ms])]
    return [p for p in puids if p in existing and p not in refused], refused


def _mark(puids: Iterable[str]) -> None:
    ids = [i for i in map(decision_id, puids) if i is not None]
    Decision.objects.filter(pk__in=ids, transparency_db_at__isnull=True).update(
        transparency_db_at=timezone.now())
