"""Account migration pages: ``/settings/aliases`` (accounts that may move here) and
``/settings/migration`` (move this account's followers to another, or cancel the
redirect). Thin door over ``portability.move``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rostra.accounts.models import Account
from rostra.portability import move as moving
from rostra.web.forms.account import bound_data
from rostra.web.forms.migration import AliasForm, MoveForm


def _me(request) -> Account:
    return Account.objects.select_related("moved_to").get(pk=request.user.account_id)


def _render(request, template: str, context: dict, form) -> object:
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, {**context, "form": form, "section": "migration"},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def aliases(request):
    """List, add (``acct``) and remove (``remove`` = an alias's actor id) aliases."""
    me = _me(request)
    form = AliasForm(None)
    if request.method == "POST" and "remove" in request.POST:
        try:
            moving.remove_alias(me, request.POST["remove"])
            messages.success(request, _("The alias was removed."))
        except moving.MoveError as exc:
            messages.error(request, str(exc))
        return redirect("web:settings_aliases")
    if request.method == "POST":
        form = AliasForm(bound_data(request))
        if form.is_valid():
            try:
                other = moving.add_alias(me, form.cleaned_data["acct"])
            except moving.MoveError as exc:
                form.add_account_error(exc, "acct")
            else:
                messages.success(request, _("@%(acct)s may now move to this account.")
                                 % {"acct": other.acct})
                return redirect("web:settings_aliases")
    known = {a.uri: a for a in Account.objects.filter(uri__in=me.also_known_as or [])}
    rows = [(uri, known.get(uri)) for uri in me.also_known_as or []]
    return _render(request, "web/settings/aliases.html", {"me": me, "aliases": rows}, form)


@login_required
@require_http_methods(["GET", "POST"])
def migration(request):
    """Move to another account (its handle and the password), and the move's status."""
    me = _me(request)
    form = MoveForm(bound_data(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            target = moving.move_account(me, form.cleaned_data["acct"])
        except moving.MoveError as exc:
            form.add_account_error(exc, "acct")
        else:
            messages.success(request, _("Your account moved to @%(acct)s; your "
                                        "followers are being moved there.")
                             % {"acct": target.acct})
            return redirect("web:settings_migration")
    context = {"me": me, "next_move": moving.next_move_allowed(me),
               "cooldown_days": moving.COOLDOWN.days}
    return _render(request, "web/settings/migration.html", context, form)


@login_required
@require_POST
def migration_cancel(request):
    try:
        moving.cancel_move(_me(request))
        messages.success(request, _("The redirect was cancelled: your profile no longer "
                                    "points to the other account."))
    except moving.MoveError as exc:
        messages.error(request, str(exc))
    return redirect("web:settings_migration")
