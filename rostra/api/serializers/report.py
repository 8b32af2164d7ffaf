"""Mastodon's ``Report`` entity, from a moderation case the user filed."""

from __future__ import annotations

from rostra.api.serializers.account import serialize_account
from rostra.api.serializers.common import iso
from rostra.moderation.models import Case
from rostra.moderation.services import mastodon_category


def serialize_report(case: Case) -> dict:
    return {
        "id": str(case.pk),
        "action_taken": case.status != Case.Status.OPEN,
        "action_taken_at": iso(case.decided_at) if case.decided_at else None,
        "category": mastodon_category(case.category),
        "comment": case.explanation,
        "forwarded": case.forward,
        "created_at": iso(case.created_at),
        "status_ids": [str(pk) for pk in case.target_posts.values_list("pk", flat=True)]
        or None,
        "rule_ids": case.rule_ids or None,
        "target_account": serialize_account(case.target_account)
        if case.target_account else None,
    }
