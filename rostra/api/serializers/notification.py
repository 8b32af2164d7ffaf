"""Mastodon's Notification entity. Rostra's internal ``reply`` type is Mastodon's
``mention`` (Mastodon does not tell replies apart). A ``moderation_warning``
(Mastodon 4.3) carries the decision it is about as an ``AccountWarning``."""

from __future__ import annotations

from rostra.accounts.models import Account
from rostra.api.serializers.account import serialize_account
from rostra.api.serializers.common import iso
from rostra.api.serializers.status import serialize_status
from rostra.moderation.models import Appeal, Decision, Measure
from rostra.notifications.models import Notification

TO_API = {"reply": "mention"}
# Our measures as AccountWarning actions. Demoting, age-restricting, labelling and
# closing interactions have no Mastodon counterpart: "none", with the posts in
# ``status_ids`` and the reasons in ``text``.
WARNING_ACTIONS = {Measure.REMOVE: "delete_statuses", Measure.DISABLE: "delete_statuses",
                   Measure.MARK_SENSITIVE: "mark_statuses_as_sensitive",
                   Measure.SENSITIZE: "sensitive", Measure.LIMIT: "silence",
                   Measure.SUSPEND: "suspend", Measure.TERMINATE: "suspend",
                   Measure.DISABLE_LOGIN: "disable"}
APPEAL_STATES = {Appeal.Status.PENDING: "pending", Appeal.Status.REVERSED: "approved",
                 Appeal.Status.UPHELD: "rejected"}


def api_type(internal: str) -> str:
    return TO_API.get(internal, internal)


def internal_types(api_types: list[str]) -> list[str]:
    """API type names → the internal ones they cover (``mention`` covers ``reply``)."""
    out: list[str] = []
    for name in api_types:
        out.append(name)
        out.extend(k for k, v in TO_API.items() if v == name)
    return out


def serialize_notification(notification: Notification, viewer: Account) -> dict:
    data = {
        "id": str(notification.pk),
        "type": api_type(notification.type),
        "created_at": iso(notification.created_at),
        "group_key": notification.group_key or f"ungrouped-{notification.pk}",
        "account": serialize_account(notification.from_account),
    }
    if notification.post_id:
        data["status"] = serialize_status(notification.post, viewer)
    if notification.type == Notification.Type.MOVE and notification.from_account.moved_to_id:
        # Pleroma's ``move``: ``account`` moved, ``target`` is where it went
        data["target"] = serialize_account(notification.from_account.moved_to)
    if notification.warning_id is not None:
        decision = (Decision.objects.filter(pk=notification.warning_id)
                    .select_related("target_account").first())
        if decision is not None:  # a warning comes "from" its recipient
            data["moderation_warning"] = serialize_account_warning(
                decision, notification.from_account)
    return data


def serialize_account_warning(decision: Decision, target: Account) -> dict:
    """AccountWarning: the decision (its statement of reasons is at
    ``/statements/<id>``), and the affected account's latest appeal of it."""
    appeal = (decision.appeals.filter(role=Appeal.Role.AFFECTED)
              .order_by("-created_at", "-pk").first())
    return {
        "id": str(decision.pk),
        "action": WARNING_ACTIONS.get(decision.measure, "none"),
        "text": decision.explanation,
        "status_ids": [str(pk) for pk in decision.target_posts.values_list("pk", flat=True)],
        "target_account": serialize_account(decision.target_account or target),
        "appeal": {"text": appeal.text, "state": APPEAL_STATES[appeal.status]}
        if appeal else None,
        "created_at": iso(decision.created_at),
    }
