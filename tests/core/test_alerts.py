"""Admin e-mail alerts: urgent cases and piles of failed deliveries reach the admins,
at most once an hour per kind, and never quote the reported content."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rostra.core import alerts
from rostra.federation.models import Delivery, OutgoingActivity, RemoteInstance
from rostra.moderation import services
from rostra.moderation.models import Category
from tests import factories
from tests.core.gate import upload_listed_image

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.ROSTRA_HASH_INDEX_REFRESH = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ROSTRA_ADMIN_EMAILS = []
    cache.clear()  # the once-an-hour throttle lives in the cache
    yield
    cache.clear()


@pytest.fixture
def admin(db):
    return factories.make_user("boss", admin=True)


def sent() -> list:
    """The alerts in the test outbox (notifiers' receipts and welcome mails aside)."""
    return [m for m in mail.outbox if m.subject.startswith("[Rostra ")]


def notice(category: str, text: str = "Look at this"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.file_notice(content_url="https://localhost:8000/@x/1",
                                    category=category, explanation=text, name="N",
                                    email="n@example.org", good_faith=True)


def test_an_urgent_case_mails_the_staff_once_an_hour_per_category(admin):
    first = notice(Category.CSAM, "secret details of the material")
    assert len(sent()) == 1
    message = sent()[0]
    assert message.to == [admin.email]
    assert first.number in message.subject and first.number in message.body
    assert f"/moderation/cases/{first.pk}" in message.body
    assert "secret details" not in message.body  # the content is never quoted

    notice(Category.CSAM)  # within the hour: no second e-mail
    assert len(sent()) == 1
    notice(Category.TERRORISM)  # another urgent category: its own alert
    assert len(sent()) == 2 and "Terrorist content" in sent()[1].subject


def test_an_ordinary_case_sends_no_alert(admin):
    notice(Category.SPAM)
    notice(Category.ILLEGAL_HATE)
    assert sent() == []


def test_a_media_gate_match_of_intimate_images_alerts_the_admins(admin, alice):
    upload_listed_image(alice, "ncii")
    (message,) = sent()
    assert "Intimate images" in message.subject


def test_the_admin_emails_setting_replaces_the_staff_list(admin, settings):
    settings.ROSTRA_ADMIN_EMAILS = ["ops@example.eu", "dpo@example.eu"]
    notice(Category.INTIMATE_IMAGES)
    assert sent()[0].to == ["ops@example.eu", "dpo@example.eu"]


def test_without_any_recipient_nothing_is_sent_and_the_next_alert_may_go(db, settings):
    notice(Category.CSAM)
    assert sent() == []
    settings.ROSTRA_ADMIN_EMAILS = ["ops@example.eu"]
    notice(Category.CSAM)
    assert len(sent()) == 1


def test_a_failed_send_frees_the_slot_for_the_next_occasion(admin, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False
    settings.EMAIL_TIMEOUT = 2
    case = notice(Category.CSAM)  # the SMTP server is not there: the case opens anyway
    assert case.pk
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notice(Category.CSAM)
    assert len(sent()) == 1


def failed_deliveries(count: int, *, ago: timedelta = timedelta(minutes=5)) -> None:
    activity = OutgoingActivity.objects.create(uri=f"https://here/act/{count}/{ago}",
                                               payload="{}")
    instance, _ = RemoteInstance.objects.get_or_create(domain="gone.example")
    Delivery.objects.bulk_create([
        Delivery(activity=activity, inbox_url=f"https://gone.example/inbox/{n}",
                 instance=instance, status="failed", next_attempt_at=timezone.now() - ago)
        for n in range(count)])


def test_failed_deliveries_above_the_threshold_alert_once(admin, settings):
    settings.ROSTRA_ALERT_FAILED_DELIVERIES = 3
    failed_deliveries(3)
    assert alerts.check_failed_deliveries() is False  # at the threshold, not above
    failed_deliveries(1)
    assert alerts.check_failed_deliveries() is True
    (message,) = sent()
    assert message.subject.endswith("4 deliveries failed in the last hour")
    assert "gone.example: 4" in message.body
    failed_deliveries(10)
    assert alerts.check_failed_deliveries() is False  # throttled for the hour
    assert len(sent()) == 1


def test_failures_older_than_an_hour_do_not_alert(admin, settings):
    settings.ROSTRA_ALERT_FAILED_DELIVERIES = 1
    failed_deliveries(5, ago=timedelta(hours=2))
    assert alerts.check_failed_deliveries() is False
    assert sent() == []


def test_a_threshold_of_zero_turns_the_delivery_alert_off(admin, settings):
    settings.ROSTRA_ALERT_FAILED_DELIVERIES = 0
    failed_deliveries(50)
    assert alerts.check_failed_deliveries() is False


def test_workers_keep_exactly_one_periodic_check_queued(db):
    path = alerts.check_alerts_task.module_path
    alerts.start_checking()
    alerts.start_checking()  # a second worker starting
    assert DBTaskResult.objects.filter(task_path=path, status="READY").count() == 1
    # The check runs and queues its successor, still one.
    task = DBTaskResult.objects.get(task_path=path, status="READY")
    task.delete()
    alerts.check_alerts_task.call()
    queued = DBTaskResult.objects.get(task_path=path, status="READY")
    assert queued.run_after > timezone.now() + timedelta(minutes=4)
