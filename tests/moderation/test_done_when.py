"""Issue 6's "done when", through the services and the two exports: a notice from
someone without an account is decided, the author wins an appeal that restores the
post exactly, and the statement export and the transparency report both show it."""

from __future__ import annotations

import csv
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from rostra.moderation import appeals, decisions, services
from rostra.moderation.models import Measure
from rostra.posts.models import Post
from rostra.posts.visibility import can_see
from tests import factories

pytestmark = pytest.mark.django_db


def test_notice_decision_appeal_reversal_in_the_export_and_the_report(alice, tmp_path):
    post = factories.make_post(alice, "A photo of my street")
    before = {f.attname: getattr(post, f.attname) for f in Post._meta.concrete_fields}
    mods = factories.make_user("mod1", admin=True), factories.make_user("mod2", admin=True)
    case = services.file_notice(
        content_url=f"http://localhost:8000/@alice/{post.pk}", category="privacy",
        explanation="My house number is readable.", name="Dana", email="dana@example.org",
        good_faith=True)
    decision = decisions.decide(
        case, Measure.REMOVE, by=mods[0], ground="illegal",
        legal_ground="Art. 6 GDPR (Regulation (EU) 2016/679)",
        explanation="The photo shows a private address without consent.",
        facts="The notifier lives there and did not agree.")
    assert not can_see(None, Post.objects.get(pk=post.pk))
    appeal = appeals.file_appeal(decision, "House numbers are visible from the street.",
                                 account=alice)
    appeals.review(appeal, by=mods[1], reverse=True,
                   response="A street view without names is not personal data here.")
    post.refresh_from_db()
    assert {f.attname: getattr(post, f.attname) for f in Post._meta.concrete_fields} == before

    today = timezone.now().date().isoformat()
    out = tmp_path / "statements.jsonl"
    call_command("dsa", "export-statements", "--since", today, "--output", str(out))
    (statement,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert statement["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert statement["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert statement["source_type"] == "SOURCE_ARTICLE_16"
    assert "Dana" not in out.read_text() and "dana@example.org" not in out.read_text()

    report_dir = tmp_path / "report"
    call_command("dsa", "transparency-report", "--from", today, "--to", today,
                 "--output", str(report_dir))
    with open(report_dir / "appeals.csv", encoding="utf-8") as f:
        rows = {r[next(iter(r))]: r for r in csv.DictReader(f)}
    assert rows["all"]["received"] == "1" and rows["all"]["reversed"] == "1"
    with open(report_dir / "notices.csv", encoding="utf-8") as f:
        totals = [r for r in csv.DictReader(f) if "total" in r.values()]
    assert totals and totals[-1]["notice"] == "1" and totals[-1]["actions_illegal"] == "1"

    staff = Client()
    staff.force_login(mods[1])
    page = staff.get("/moderation/transparency", {"start": today, "end": today})
    assert page.status_code == 200 and b"<script" not in page.content
    assert b"Decisions reversed on appeal" in page.content
