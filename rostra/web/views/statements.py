"""The statement of reasons (Art. 17 DSA) a decision owes the account it affects:
what was done and why, how it came about, and how to contest it (the appeal form
is on the page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rostra.core import i18n
from rostra.moderation import appeals, decisions
from rostra.moderation.models import Appeal, Decision
from rostra.moderation.services import NoticeError
from rostra.web.forms.moderation import AppealForm


@require_http_methods(["GET", "POST"])
def statement(request, decision_id: int):
    """Shown to the account the decision is about (signed in, or holding the key its
    e-mail carried: a suspended account cannot sign in), and to staff. The affected
    account appeals here (POST)."""
    decision = get_object_or_404(Decision.objects.select_related("case", "target_account"),
                                 pk=decision_id)
    key = request.GET.get("key", "")
    keyed = bool(key) and decisions.statement_key_valid(decision, key)
    user = request.user
    if not keyed and not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    me = decision.target_account if keyed else user.account
    if keyed and not user.is_authenticated:
        # the e-mailed link: the page speaks the affected person's language, if they chose one
        owner = getattr(decision.target_account, "user", None)
        if owner is not None:
            i18n.activate_for(request, owner)
    affected = me is not None and decision.target_account_id == me.pk
    if not (affected or user.is_staff):
        raise PermissionDenied("This statement is for the account it concerns.")
    may_appeal = (affected and Appeal.Role.AFFECTED in appeals.roles_of(decision, me)
                  and appeals.can_appeal(decision, Appeal.Role.AFFECTED))
    form = AppealForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may_appeal:
            raise PermissionDenied("This decision cannot be appealed from here.")
        if form.is_valid():
            try:
                appeals.file_appeal(decision, form.cleaned_data["text"], account=me)
            except NoticeError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Your appeal was received. Another moderator "
                                            "will review the decision."))
                return redirect(request.get_full_path())
        status = 400
    return render(request, "web/statement.html", {
        "decision": decision, "case": decision.case,
        "lines": decisions.statement_lines(decision),
        "posts": list(decision.target_posts.select_related("account")),
        "appeals": list(decision.appeals.all()), "may_appeal": may_appeal, "form": form},
        status=status)
