"""E-mail alerts to the server's admins, for what should not wait for a dashboard.

Two kinds, each sent at most once an hour (``THROTTLE``) so a flood of failures or
cases is one e-mail, not a thousand:

* ``failed-deliveries``: more than ``ROSTRA_ALERT_FAILED_DELIVERIES`` federation
  deliveries were given up on in the last hour (a worker checks every
  ``CHECK_EVERY``; ``0`` turns the check off);
* ``case-<category>``: a moderation case opened in a category with a one-hour
  deadline (child sexual abuse material, intimate-image abuse, sexual AI imagery of
  a real person, terrorist content; moderation's ``deadline_of`` decides). The
  e-mail names the case and links to it; it never quotes the content.

Moderation itself mails only notifiers and the accounts concerned, never staff, so
these alerts duplicate nothing. Recipients: ``ROSTRA_ADMIN_EMAILS``, else every
active staff user with an e-mail address. The throttle is a ``cache.add`` key: with
a shared cache (Redis/Valkey, as at scale) it holds across all processes; with the
default per-process memory cache, per process.

Core imports no app at import time: moderation's signal is connected in ``connect``
(from ``CoreConfig.ready``), the delivery figures come from ``core.metrics``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from rostra.core import mail, metrics

logger = logging.getLogger("rostra.alerts")

Text = str | Callable[[], str]
THROTTLE = timedelta(hours=1)
CHECK_EVERY = timedelta(minutes=5)
URGENT_DEADLINE = timedelta(hours=1)  # cases this urgent alert the admins


def recipients() -> list[str]:
    """``ROSTRA_ADMIN_EMAILS``, or the e-mail addresses of active staff users."""
    configured = [a for a in getattr(settings, "ROSTRA_ADMIN_EMAILS", []) if a]
    if configured:
        return configured
    users = get_user_model().objects.filter(Q(is_staff=True) | Q(is_superuser=True),
                                            is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def send_alert(kind: str, subject: Text, body: Text) -> bool:
    """E-mail the admins unless an alert of ``kind`` went out within ``THROTTLE``;
    True when sent. A failed send frees the slot, so the next occasion retries.
    ``subject`` and ``body`` may be functions that write them in the active language:
    each admin then reads the alert in their own."""
    key = f"rostra:alert:{kind}"
    if not cache.add(key, timezone.now().isoformat(), int(THROTTLE.total_seconds())):
        return False
    to = recipients()
    if not to:
        logger.warning("Alert %s not sent: no ROSTRA_ADMIN_EMAILS and no staff e-mail", kind)
        cache.delete(key)
        return False
    try:
        mail.send_each(to, lambda: (f"[Rostra {settings.ROSTRA_DOMAIN}] {_text(subject)}",
                                    _text(body)), fail_silently=False)
    except Exception:  # noqa: BLE001 - an alert must never break what triggered it
        logger.exception("Alert %s could not be sent", kind)
        cache.delete(key)
        return False
    logger.warning("Alert sent to %d admin(s): %s", len(to), _text(subject))
    return True


def _text(text: Text) -> str:
    return text() if callable(text) else str(text)


def _link(name: str, *args) -> str:
    """An absolute link to the web page named ``name`` (its path when not routed)."""
    try:
        path = reverse(name, args=args)
    except NoReverseMatch:
        path = "/moderation"
    return f"{settings.ROSTRA_SCHEME}://{settings.ROSTRA_DOMAIN}{path}"


# --- failed deliveries -----------------------------------------------------------

def check_failed_deliveries() -> bool:
    """Alert when more deliveries than the threshold failed in the last hour."""
    threshold = getattr(settings, "ROSTRA_ALERT_FAILED_DELIVERIES", 0)
    if threshold <= 0:
        return False
    failed = metrics.recent_delivery_failures(THROTTLE)
    if failed <= threshold:
        return False
    delivery = apps.get_model("federation.Delivery")
    worst = (delivery.objects.filter(status="failed",
                                     next_attempt_at__gte=timezone.now() - THROTTLE)
             .order_by().values_list("instance__domain").annotate(n=Count("pk"))
             .order_by("-n")[:10])
    worst = list(worst)

    def body() -> str:
        lines = [f"  {domain or _('(unknown)')}: {n}" for domain, n in worst]
        return (_("%(failed)s federation deliveries were given up on or refused in the last "
                  "hour (the alert threshold is %(threshold)s).") % {
                      "failed": failed, "threshold": threshold}
                + "\n\n" + _("Servers with the most failures:") + "\n" + "\n".join(lines)
                + "\n\n" + _("A server that is down is retried for three days before a "
                               "delivery is given up; many failures at once usually mean this "
                               "server cannot reach the network, or its key or clock is wrong.")
                + "\n\n" + _("No other alert of this kind is sent within the hour.") + "\n")

    return send_alert("failed-deliveries", lambda: ngettext(
        "%(failed)s delivery failed in the last hour",
        "%(failed)s deliveries failed in the last hour", failed) % {"failed": failed}, body)


@task()
def check_alerts_task() -> None:
    """Run the periodic checks, then queue the next run (unless one is queued)."""
    try:
        check_failed_deliveries()
    finally:
        if not _check_queued():
            check_alerts_task.using(run_after=timezone.now() + CHECK_EVERY).enqueue()


def _check_queued() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status="READY",
                                       task_path=check_alerts_task.module_path).exists()


def start_checking() -> None:
    """Worker start hook: keep one periodic check in the queue."""
    try:
        if not _check_queued():
            check_alerts_task.enqueue()
    except Exception:  # noqa: BLE001 - the worker must start anyway
        logger.exception("Could not schedule the alert checks")


# --- urgent moderation cases -----------------------------------------------------

def on_case_opened(sender, case, **kwargs) -> None:
    """Alert the admins to a case whose category has a deadline of an hour or less."""
    from rostra.moderation.services import deadline_of

    if deadline_of(case.category) > URGENT_DEADLINE:
        return
    minutes = int(deadline_of(case.category).total_seconds() // 60)

    def body() -> str:
        return _("A moderation case opened that must be decided within %(minutes)s minutes."
                 "\n\nCase: %(number)s\nCategory: %(category)s\nPriority: %(priority)s\n"
                 "Due: %(due)s UTC\n\n%(link)s\n\nThe queue: %(queue)s\nNo other alert for "
                 "this category is sent within the hour: look at the queue for later cases.\n"
                 ) % {"minutes": minutes, "number": case.number,
                      "category": case.get_category_display(), "priority": case.priority,
                      "due": f"{case.due_at:%Y-%m-%d %H:%M}",
                      "link": _link("web:moderation_case", case.pk),
                      "queue": _link("web:moderation_queue")}

    send_alert(f"case-{case.category}", lambda: _("Urgent case %(number)s: %(category)s") % {
        "number": case.number, "category": case.get_category_display()}, body)


def connect() -> None:
    """Subscribe to moderation's ``case_opened`` when moderation is installed."""
    if not apps.is_installed("rostra.moderation"):
        return
    from importlib import import_module

    events = import_module("rostra.moderation.events")
    events.case_opened.connect(on_case_opened, dispatch_uid="rostra.core.alerts.case_opened")
