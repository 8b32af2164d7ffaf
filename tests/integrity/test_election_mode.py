"""Election mode: on while a period covers the present; it tightens the detectors,
runs them more often, and e-mails moderators about new or growing incidents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from rostra.integrity import election
from rostra.integrity.detect import DetectConfig
from rostra.integrity.models import ElectionPeriod, Incident
from rostra.integrity.tasks import run_detection
from rostra.moderation.models import AuditEntry
from tests import factories
from tests.integrity.planted import plant

pytestmark = pytest.mark.django_db


@pytest.fixture
def mod():
    return factories.make_user("mod1", admin=True)


def period(mod, *, start_hours: float = -1, end_hours: float = 24):
    now = timezone.now()
    return election.add_period(name="European Parliament", by=mod,
                               starts_at=now + timedelta(hours=start_hours),
                               ends_at=now + timedelta(hours=end_hours))


def test_election_mode_is_on_only_while_a_period_covers_now(mod):
    assert not election.election_mode()
    planned = period(mod, start_hours=48, end_hours=96)
    assert not election.election_mode()
    assert election.election_mode(planned.starts_at + timedelta(minutes=1))
    running = period(mod)
    assert election.current_period() == running
    election.end_period(running, by=mod)
    assert not election.election_mode()
    assert election.end_period(planned, by=mod) is None  # not started: withdrawn
    assert list(ElectionPeriod.objects.all()) == [running]
    assert AuditEntry.objects.filter(action__startswith="integrity.election_period").count() == 4


def test_a_period_must_end_after_it_starts_and_in_the_future(mod):
    with pytest.raises(election.ElectionError):
        period(mod, start_hours=5, end_hours=1)
    with pytest.raises(election.ElectionError):
        period(mod, start_hours=-48, end_hours=-24)
    with pytest.raises(election.ElectionError):
        election.add_period(name=" ", by=mod, starts_at=timezone.now(),
                            ends_at=timezone.now() + timedelta(days=1))
    assert ElectionPeriod.objects.count() == 0


def test_election_mode_tightens_the_detectors_and_runs_them_more_often(settings):
    normal, tight = election.detect_config(False), election.detect_config(True)
    assert normal == DetectConfig() and tight == DetectConfig.election()
    assert tight.min_shared_events < normal.min_shared_events
    assert tight.min_cluster_size < normal.min_cluster_size
    settings.ROSTRA_INTEGRITY_INTERVAL_MINUTES = 15
    assert (election.interval_minutes(False), election.interval_minutes(True)) == (15, 5)
    settings.ROSTRA_INTEGRITY_INTERVAL_MINUTES = 0
    assert election.interval_minutes(True) == 0  # off stays off


def test_a_small_group_is_found_only_in_election_mode(mod):
    plant(ring_size=3, rounds=3, organic_size=12)  # two boosts together each time
    assert run_detection().incidents == []
    period(mod)
    result = run_detection()
    assert result.election and len(result.incidents) == 1
    assert result.incidents[0].election_mode


def test_new_or_grown_incidents_alert_the_moderators_in_election_mode(
        mod, django_capture_on_commit_callbacks):
    factories.make_user("mod2", admin=True)
    factories.make_user("member")
    period(mod)
    plant()
    with django_capture_on_commit_callbacks(execute=True):
        result = run_detection()
    assert result.incidents and {i.recorded_as for i in result.incidents} == {"new"}
    (alert,) = mail.outbox
    assert sorted(alert.to) == ["mod1@example.org", "mod2@example.org"]
    for incident in Incident.objects.all():
        assert f"/moderation/integrity/{incident.pk}\n" in alert.body
    with django_capture_on_commit_callbacks(execute=True):
        run_detection()  # nothing new: no second alert
    assert len(mail.outbox) == 1


def test_outside_election_mode_nobody_is_alerted(django_capture_on_commit_callbacks, mod):
    plant()
    with django_capture_on_commit_callbacks(execute=True):
        result = run_detection()
    assert len(result.incidents) == 1 and not result.election
    assert mail.outbox == []
