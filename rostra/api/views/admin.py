"""Mastodon's admin API for moderators: ``/api/v1/admin/reports`` (our moderation
cases) and ``/api/v1/admin/accounts`` (an account, and actions on it).

A door like the others: an action is a decision with its statement of reasons
(``decisions.decide``; without a report, on a case opened on the moderators' own
initiative); resolving a report without action is a decision not to act; the
``un*`` actions lift the measure in force (``decisions.lift``). A token needs the
``admin:*`` scope and its user must be staff.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from urllib.parse import urlencode

from django.db import transaction
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rostra.accounts.models import Account, SiteSettings
from rostra.api.auth import endpoint
from rostra.api.errors import ApiError, not_found, validation
from rostra.api.pagination import page_of
from rostra.api.serializers.admin import serialize_admin_account, serialize_admin_report, user_of
from rostra.api.serializers.instance import instance_rules
from rostra.api.views.lookups import as_id
from rostra.core.links import absolute_url
from rostra.moderation import decisions
from rostra.moderation import services as moderation
from rostra.moderation.models import Case, Category, Ground, Measure
from rostra.timelines.pagination import paginate

NOT_ALLOWED = gettext_lazy("This action is not allowed")
READ_REPORTS, WRITE_REPORTS = "admin:read:reports", "admin:write:reports"
READ_ACCOUNTS, WRITE_ACCOUNTS = "admin:read:accounts", "admin:write:accounts"
DEFAULT_LIMIT, MAX_LIMIT = 100, 200
KEEP = ("limit", "resolved", "account_id", "target_account_id")

RESOLVED_WITHOUT_ACTION = "Resolved through the admin API without action."
# Mastodon's action types → our measures ("none": a warning, still a decision).
ACTIONS = {"none": Measure.NONE, "sensitive": Measure.SENSITIZE,
           "disable": Measure.DISABLE_LOGIN, "silence": Measure.LIMIT,
           "suspend": Measure.SUSPEND}
# action → (the measure it lifts, the answer when none is in force)
LIFTS = {"unsuspend": (Measure.SUSPEND, gettext_lazy("The account has no suspension in force.")),
         "unsilence": (Measure.LIMIT, gettext_lazy("The account has no limit in force.")),
         "unsensitive": (Measure.SENSITIZE,
                         gettext_lazy("The account has no media warning in force.")),
         "enable": (Measure.DISABLE_LOGIN,
                    gettext_lazy("The account has no frozen log-in in force."))}
SERVER_RULES = "the server rules"
WARNING = "A warning from the moderators: the account's activity goes against the server rules."
BREACH = "Moderators found that the account's activity goes against the server rules."


def staff_endpoint(methods, *, scope: str):
    """``@endpoint`` for the admin API: the scope (``admin:read``/``admin:write``
    cover theirs) and a staff user, else 403."""

    def wrap(view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            if not request.api_user.is_staff:
                raise ApiError(403, NOT_ALLOWED)
            return view(request, *args, **kwargs)

        return endpoint(methods, scope=scope)(checked)

    return wrap


# --- reports ---------------------------------------------------------------------

def _cases():
    """Cases the admin API shows: those about an account (a case about an address
    alone is handled in the web moderation queue)."""
    return Case.objects.filter(target_account__isnull=False).select_related(
        "target_account__user", "notifier__user", "assigned_to__account")


def _case(report_id) -> Case:
    case = _cases().filter(pk=as_id(report_id)).first()
    if case is None:
        raise not_found()
    return case


def _filter_id(request, name: str) -> int | None:
    value = request.params.str(name)
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise validation(_("%(name)s must be an id.") % {"name": name}, name) from None


def _paged(request, items: list, ids: list[int]) -> JsonResponse:
    """The list with its ``Link`` header, keeping the report filters in the links."""
    response = JsonResponse(items, safe=False)
    if ids:
        base = absolute_url(request.path)
        kept = [(k, v) for k in KEEP for v in request.GET.getlist(k)]
        response["Link"] = (f'<{base}?{urlencode([*kept, ("max_id", ids[-1])])}>; rel="next", '
                            f'<{base}?{urlencode([*kept, ("min_id", ids[0])])}>; rel="prev"')
    return response


@staff_endpoint(["GET"], scope=READ_REPORTS)
def reports(request):
    """Unresolved reports, or resolved ones with ``resolved=true``; newest first."""
    p = request.params
    qs = _cases()
    qs = qs.exclude(status=Case.Status.OPEN) if p.bool("resolved") else qs.filter(
        status=Case.Status.OPEN)
    reporter, target = _filter_id(request, "account_id"), _filter_id(request, "target_account_id")
    if reporter is not None:
        qs = qs.filter(notifier_id=reporter)
    if target is not None:
        qs = qs.filter(target_account_id=target)
    limit = max(1, min(p.int("limit", DEFAULT_LIMIT) or DEFAULT_LIMIT, MAX_LIMIT))
    rows = paginate(qs, replace(page_of(request), limit=limit))
    viewer = request.api_account
    return _paged(request, [serialize_admin_report(c, viewer) for c in rows],
                  [c.pk for c in rows])


@staff_endpoint(["GET"], scope=READ_REPORTS)
def report(request, report_id):
    return serialize_admin_report(_case(report_id), request.api_account)


@staff_endpoint(["POST"], scope=WRITE_REPORTS)
def assign_to_self(request, report_id):
    case = moderation.assign(_case(report_id), request.api_user, by=request.api_user)
    return serialize_admin_report(case, request.api_account)


@staff_endpoint(["POST"], scope=WRITE_REPORTS)
def unassign(request, report_id):
    case = moderation.assign(_case(report_id), None, by=request.api_user)
    return serialize_admin_report(case, request.api_account)


@staff_endpoint(["POST"], scope=WRITE_REPORTS)
def resolve(request, report_id):
    """Resolve without action: a decision not to act, told to whoever reported.
    A resolved report stays as it is (resolving twice decides nothing twice)."""
    case = _case(report_id)
    if case.status == Case.Status.OPEN:
        try:
            decisions.decide(case, Measure.NONE, by=request.api_user,
                             explanation=RESOLVED_WITHOUT_ACTION)
        except moderation.NoticeError as exc:
            raise validation(str(exc), exc.field) from exc
    return serialize_admin_report(_case(report_id), request.api_account)


@staff_endpoint(["POST"], scope=WRITE_REPORTS)
def reopen(request, report_id):
    """Reopen a resolved report, unless a measure it led to is still in force."""
    try:
        moderation.reopen(_case(report_id), by=request.api_user)
    except moderation.NoticeError as exc:
        raise validation(str(exc), exc.field) from exc
    return serialize_admin_report(_case(report_id), request.api_account)


# --- accounts --------------------------------------------------------------------

def _account(account_id) -> Account:
    """Any account, suspended ones included (moderators act on them)."""
    account = Account.objects.select_related("user").filter(pk=as_id(account_id)).first()
    if account is None:
        raise not_found()
    return account


@staff_endpoint(["GET"], scope=READ_ACCOUNTS)
def account(request, account_id):
    return serialize_admin_account(_account(account_id))


def _terms_ground(case: Case) -> str:
    """The rules the report names, else the server rules in general."""
    wanted = {str(r) for r in case.rule_ids or ()}
    texts = [r["text"] for r in instance_rules(SiteSettings.current()) if r["id"] in wanted]
    return "; ".join(texts)[:decisions.MAX_GROUND] or SERVER_RULES


def _facts(case: Case | None, target: Account) -> str:
    """What the decision relied on: the report and its comment, and what was acted on."""
    if case is None:
        origin = "Moderators acted on their own initiative, through the admin API."
    else:
        by = f" by @{case.notifier.acct}" if case.notifier_id else ""
        said = f": “{case.explanation}”" if case.explanation else " (no comment)"
        origin = f"Report {case.number}{by}{said}"
    posts = [p.url or p.uri for p in case.target_posts.all()] if case is not None else []
    acted = f"Acted on the account @{target.acct}" + (
        f", reported for the posts {', '.join(posts)}." if posts else ".")
    return f"{origin}\n{acted}"[:moderation.MAX_EXPLANATION]


@staff_endpoint(["POST"], scope=WRITE_ACCOUNTS)
def action(request, account_id):
    """Act on an account: a decision with its statement of reasons. ``type`` none
    warns (the account is notified); ``report_id`` decides that report (about this
    account), else a case on the moderators' own initiative is opened.
    ``warning_preset_id`` is ignored (there are no presets) and so is
    ``send_email_notification=false``: the statement of reasons always goes to the
    account (Art. 17 DSA)."""
    p, by = request.params, request.api_user
    target = _account(account_id)
    measure = ACTIONS.get(p.str("type") or "")
    if measure is None:
        raise validation(_("type must be one of none, sensitive, disable, silence, suspend."),
                         "type")
    target_user = user_of(target)
    if target_user is not None and target_user.is_staff:
        raise ApiError(403, NOT_ALLOWED)
    if measure == Measure.DISABLE_LOGIN and target_user is None:
        raise validation(_("Only a local account has a log-in to disable."), "type")
    case = None
    if p.str("report_id"):
        case = _case(p.str("report_id"))
        if case.target_account_id != target.pk:
            raise validation(_("The report is about another account."), "report_id")
        if case.status != Case.Status.OPEN:
            raise validation(_("The report is already resolved."), "report_id")
    text = (p.str("text") or "").strip()
    explanation = text or (WARNING if measure == Measure.NONE else BREACH)
    try:
        with transaction.atomic():
            facts = _facts(case, target)
            if case is None:
                case = moderation.open_own_initiative(by, account=target, category=Category.TERMS,
                                                      explanation=text)
            decisions.decide(case, measure, by=by, explanation=explanation,
                             ground=Ground.TERMS, terms_ground=_terms_ground(case), facts=facts,
                             warn=True)
    except moderation.NoticeError as exc:
        raise validation(str(exc), exc.field) from exc
    return {}


def _lift(request, account_id, name: str):
    measure, none_in_force = LIFTS[name]
    target = _account(account_id)
    try:
        lifted = decisions.lift(target, measure, by=request.api_user)
    except moderation.NoticeError as exc:
        raise validation(str(exc), exc.field) from exc
    if not lifted:
        raise validation(str(none_in_force))
    return serialize_admin_account(_account(account_id))


@staff_endpoint(["POST"], scope=WRITE_ACCOUNTS)
def unsuspend(request, account_id):
    return _lift(request, account_id, "unsuspend")


@staff_endpoint(["POST"], scope=WRITE_ACCOUNTS)
def unsilence(request, account_id):
    return _lift(request, account_id, "unsilence")


@staff_endpoint(["POST"], scope=WRITE_ACCOUNTS)
def unsensitive(request, account_id):
    return _lift(request, account_id, "unsensitive")


@staff_endpoint(["POST"], scope=WRITE_ACCOUNTS)
def enable(request, account_id):
    return _lift(request, account_id, "enable")
