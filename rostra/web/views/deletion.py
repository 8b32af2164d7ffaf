"""Signing in while one's account awaits deletion (``accounts.deletion``).

The owner's password (and two-factor code) are right, but the account is hidden:
nobody is logged in. The session only remembers, for a few minutes, whose pending
deletion this browser may see and cancel, as the two-factor step remembers whose
code it waits for. Cancelling logs the owner in.
"""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from rostra.accounts import deletion
from rostra.accounts.errors import AccountError
from rostra.accounts.models import User

HELD_KEY = "rostra_deletion_pending"
HELD_TTL = 900  # seconds the page stays open after the password was right
BACKEND = "django.contrib.auth.backends.ModelBackend"


def hold(request, user: User):
    """Instead of logging ``user`` in, show the page where they can cancel."""
    request.session[HELD_KEY] = {"user": user.pk, "at": time.time()}
    return redirect("web:deletion_pending")


def _held_user(request) -> User | None:
    held = request.session.get(HELD_KEY)
    if not held or time.time() - held.get("at", 0) > HELD_TTL:
        return None
    user = User.objects.select_related("account").filter(pk=held.get("user")).first()
    if user is None or not user.is_active or user.account is None:
        return None
    return user if deletion.awaiting_deletion(user.account) else None


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def deletion_pending(request):
    """"Your account will be deleted on DATE", with the button that cancels it."""
    user = _held_user(request)
    if user is None:
        request.session.pop(HELD_KEY, None)
        return redirect("web:login")
    if request.method == "POST":
        request.session.pop(HELD_KEY, None)
        try:
            deletion.cancel_deletion(user.account)
        except AccountError as exc:
            messages.error(request, str(exc))
            return redirect("web:login")
        auth_login(request, user, backend=BACKEND)
        messages.success(request, _("The deletion is cancelled: your account is back."))
        return redirect("/")
    return render(request, "web/auth/deletion_pending.html",
                  {"held": user, "due": deletion.when(user.account.delete_after)})
