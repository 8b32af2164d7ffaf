"""Mastodon's admin entities: ``Admin::Account`` (an account as moderators see it:
its e-mail, role and the measures in force on it) and ``Admin::Report`` (one of
our moderation cases: a report, a notice, a Flag or a case moderators opened)."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist

from rostra.accounts.models import Account, SiteSettings, User
from rostra.api.serializers.account import serialize_account
from rostra.api.serializers.common import iso
from rostra.api.serializers.instance import instance_rules
from rostra.api.serializers.status import serialize_statuses
from rostra.moderation.models import Case
from rostra.moderation.services import mastodon_category
from rostra.posts.queries import with_relations

# Mastodon's Role entity. Its permission bits: administrator (1); a moderator
# views the dashboard and the audit log and manages reports, appeals and users.
EVERYONE = {"id": "-99", "name": "", "color": "", "permissions": "0", "highlighted": False}
MODERATOR = {"id": "1", "name": "Moderator", "color": "", "permissions": str(4 | 8 | 16 | 512
                                                                             | 1024),
             "highlighted": True}
ADMIN = {"id": "2", "name": "Admin", "color": "", "permissions": "1", "highlighted": True}


def user_of(account: Account | None) -> User | None:
    """The local user behind ``account`` (None for a remote one)."""
    if account is None:
        return None
    try:
        return account.user
    except ObjectDoesNotExist:
        return None


def _role(user: User | None) -> dict:
    if user is None or not user.is_staff:
        return dict(EVERYONE)
    return dict(ADMIN if user.is_superuser else MODERATOR)


def serialize_admin_account(account: Account) -> dict:
    """Admin::Account. Rostra keeps no log-in IP addresses (``ip`` null, ``ips`` empty)."""
    user = user_of(account)
    data = {
        "id": str(account.pk),
        "username": account.username,
        "domain": account.domain or None,
        "created_at": iso(account.created_at),
        "email": user.email if user else None,
        "ip": None,
        "ips": [],
        "locale": (user.locale or None) if user else None,
        "invite_request": (user.registration_reason or None) if user else None,
        "role": _role(user),
        "confirmed": user is not None,
        "approved": user.approved if user else True,
        "disabled": user is not None and not user.is_active,
        "silenced": account.limited_at is not None,
        "sensitized": account.sensitized_at is not None,
        "suspended": account.suspended_at is not None,
        "account": serialize_account(account),
    }
    if user is not None and user.invite_id:
        data["invited_by_account_id"] = str(user.invite.created_by.account_id)
    return data


def _admin_account_or_none(account: Account | None) -> dict | None:
    return serialize_admin_account(account) if account is not None else None


def _rules(case: Case) -> list[dict]:
    if not case.rule_ids:
        return []
    wanted = {str(r) for r in case.rule_ids}
    return [rule for rule in instance_rules(SiteSettings.current()) if rule["id"] in wanted]


def serialize_admin_report(case: Case, viewer: Account) -> dict:
    """Admin::Report of ``case`` (it has a target account; ``viewer``: the moderator).
    ``account`` (who reported) is null for a notice without an account or a case
    moderators opened themselves."""
    resolved = case.status != Case.Status.OPEN
    decision = (case.decisions.select_related("decided_by__account").first()
                if resolved else None)
    decider = decision.decided_by if decision is not None else None
    assignee = case.assigned_to
    last = case.audit.values_list("created_at", flat=True).first()
    posts = with_relations(case.target_posts.all()).order_by("-id")
    return {
        "id": str(case.pk),
        "action_taken": resolved,
        "action_taken_at": iso(case.decided_at) if resolved else None,
        "category": mastodon_category(case.category),
        "comment": case.explanation,
        "forwarded": case.forward,
        "created_at": iso(case.created_at),
        "updated_at": iso(max(filter(None, (case.created_at, case.decided_at, last)))),
        "account": _admin_account_or_none(case.notifier),
        "target_account": _admin_account_or_none(case.target_account),
        "assigned_account": _admin_account_or_none(assignee.account if assignee else None),
        "action_taken_by_account": _admin_account_or_none(decider.account if decider else None),
        "statuses": serialize_statuses(posts, viewer),
        "rules": _rules(case),
    }
