"""A planted ring in a lively server is found by the background task, shown to a
moderator with its evidence, acted on, and each account gets its statement of
reasons; running the task again finds nothing new."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from rostra.integrity.models import DetectorState, Incident
from rostra.integrity.tasks import detect_task
from rostra.moderation import decisions as decisions_mod
from rostra.moderation.models import Category, Decision
from tests import factories
from tests.integrity.planted import plant

pytestmark = pytest.mark.django_db


def test_a_planted_ring_is_found_shown_acted_on_and_explained(settings):
    from django_tasks_db.models import DBTaskResult

    settings.ROSTRA_INTEGRITY_INTERVAL_MINUTES = 10
    world = plant()
    assert detect_task.call() == 1
    incident = Incident.objects.get()
    members = set(incident.members.values_list("account_id", flat=True))
    assert members == {a.pk for a in world.ring}  # every member, and no organic account
    assert set(incident.evidence_posts.all()) <= set(world.ring_boosts)
    assert incident.evidence_posts.count() >= 10 and "co_boost" in incident.behaviours
    assert "T0049.003" in incident.techniques and incident.strength > 0.5
    queued = DBTaskResult.objects.get(task_path=detect_task.module_path, status="READY")
    assert 9 * 60 < (queued.run_after - queued.enqueued_at).total_seconds() <= 10 * 60 + 1

    assert detect_task.call() == 1  # the overlap is read again: the same incident
    assert Incident.objects.count() == 1 and DetectorState.objects.get().figures["changed"] == 0

    mod = Client()
    mod.force_login(factories.make_user("mod1", admin=True))
    page = mod.get(reverse("web:moderation_incident", args=[incident.pk])).content.decode()
    for account in world.ring:
        assert f"@{account.acct}" in page
    assert "Round 0: the other side lies about the vote" in page
    answer = mod.post(reverse("web:moderation_incident_act", args=[incident.pk]), {
        "accounts": [a.pk for a in world.ring], "measure": "suspend",
        "explanation": "Six accounts boosted the same posts within seconds, eight times.",
        "facts": "Checked by hand: the accounts post nothing else."})
    assert answer.status_code == 302
    decisions = list(Decision.objects.select_related("case"))
    assert sorted(d.target_account_id for d in decisions) == sorted(a.pk for a in world.ring)
    for decision in decisions:
        assert decision.category == Category.ELECTIONS and decision.case.evidence["incident"]
        address = urlsplit(decisions_mod.statement_url(decision))
        statement = Client().get(f"{address.path}?{address.query}")  # the link e-mailed
        assert statement.status_code == 200
        assert "boosted the same posts within seconds" in statement.content.decode()
        assert "inauthentic" in statement.content.decode()
        assert decision.facts.startswith("Automated detection found @")
    incident.refresh_from_db()
    assert incident.status == Incident.Status.ACTIONED


def test_the_command_runs_detection_since_a_date(capsys):
    plant(rounds=6)
    call_command("integrity", "detect", "--since", "2000-01-01")
    out = capsys.readouterr().out
    assert "1 new or grown incidents" in out and "Co-boosting by 6 accounts" in out
    with pytest.raises(Exception, match="not a date"):
        call_command("integrity", "detect", "--since", "last tuesday")
    assert Incident.objects.count() == 1


def test_a_starting_worker_keeps_one_detection_run_queued_unless_turned_off(settings):
    from django_tasks_db.models import DBTaskResult

    from rostra.integrity.tasks import start_detecting

    settings.ROSTRA_INTEGRITY_INTERVAL_MINUTES = 0
    start_detecting()
    assert not DBTaskResult.objects.filter(task_path=detect_task.module_path).exists()
    settings.ROSTRA_INTEGRITY_INTERVAL_MINUTES = 15
    start_detecting()
    start_detecting()
    assert DBTaskResult.objects.filter(task_path=detect_task.module_path).count() == 1
