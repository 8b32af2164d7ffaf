"""Notices anyone can file (Art. 16 DSA) and the receipt page that follows them."""

from __future__ import annotations

import uuid

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rostra.moderation import appeals, decisions, services
from rostra.moderation.models import Appeal, Case
from rostra.web.forms.account import bound_data
from rostra.web.forms.moderation import AppealForm
from rostra.web.forms.notices import NoticeForm
from rostra.web.views.common import refused, throttled


@require_http_methods(["GET", "POST"])
def new(request):
    me = request.user.account if request.user.is_authenticated else None
    initial = {"content_url": request.GET.get("url", "")[:2048]}
    form = NoticeForm(bound_data(request), initial=initial)
    refusal = None
    if request.method == "POST" and form.is_valid() and not _trusted(me):
        refusal = throttled(request, "notice", account_id=me.pk if me else None)
        if refusal is not None:
            form.add_error(None, refusal.message)
            form.mark_invalid()
    if request.method == "POST" and refusal is None and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.file_notice(
                content_url=data["content_url"], category=data["category"],
                explanation=data["explanation"], name=data["name"], email=data["email"],
                good_faith=data["good_faith"], notifier=me)
        except services.NoticeError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            form.mark_invalid()
        else:
            return redirect("web:notice_receipt", receipt=case.receipt)
    status = 400 if form.is_bound and form.errors else 200
    response = render(request, "web/notices/new.html", {"form": form}, status=status)
    return response if refusal is None else refused(response, refusal)


def _trusted(me) -> bool:
    """Trusted flaggers (Art. 22 DSA) file many notices by design: never limited. Only
    a signed-in flagger's account counts here: anyone can type a flagger's e-mail."""
    return me is not None and services.trusted_flagger_for(me, "") is not None


@require_safe
def receipt(request, receipt: uuid.UUID):
    """The notifier's page: case number, what was received, where it stands. Anyone
    holding the link (sent only to the notifier) sees it; it shows no one's identity."""
    return _receipt_page(request, _case(receipt), AppealForm())


def _case(receipt: uuid.UUID) -> Case:
    case = Case.objects.filter(receipt=receipt).first()
    if case is None:
        raise Http404("No such notice.")
    return case


def _receipt_page(request, case: Case, form: AppealForm, status: int = 200):
    decision = case.decisions.order_by("-created_at", "-pk").first()
    return render(request, "web/notices/receipt.html", {
        "case": case, "decision": decision,
        "lines": decisions.statement_lines(decision) if decision else None,
        "appeals": list(decision.appeals.filter(role=Appeal.Role.NOTIFIER)) if decision else [],
        "may_appeal": decision is not None and appeals.can_appeal(decision,
                                                                  Appeal.Role.NOTIFIER),
        "form": form}, status=status)


@require_POST
def appeal(request, receipt: uuid.UUID):
    """The notifier contests the decision on their notice (the receipt is the key)."""
    case = _case(receipt)
    decision = case.decisions.order_by("-created_at", "-pk").first()
    form = AppealForm(request.POST)
    if decision is not None and form.is_valid():
        try:
            appeals.file_appeal(decision, form.cleaned_data["text"], receipt=receipt)
        except services.NoticeError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("web:notice_receipt", receipt=receipt)
    elif decision is None:
        form.add_error(None, _("There is no decision to appeal yet."))
    return _receipt_page(request, case, form, status=400)
