"""Sign-up, log-in (with the two-factor step), log-out and password reset pages.

Thin door: accounts are created by ``accounts.services.register`` and codes are
checked by ``accounts.totp``; Django's auth machinery holds the session.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from rostra.accounts import deletion, services, totp
from rostra.accounts.errors import AccountError
from rostra.accounts.models import Invite, User
from rostra.core import i18n, rate_limits, throttles
from rostra.web.forms.account import LoginForm, SignupForm, TwoFactorCodeForm, bound_data
from rostra.web.views import deletion as deletion_views
from rostra.web.views.common import refused, safe_next, throttled

BACKEND = "django.contrib.auth.backends.ModelBackend"
PENDING_KEY = "rostra_2fa_pending"
TWO_FACTOR_MAX_ATTEMPTS = 5
TWO_FACTOR_TTL = 300  # seconds to type the code after the password was right

AWAITING_APPROVAL = gettext_lazy(
    "Your account is waiting for a moderator's approval. You can log in once it is approved."
)
SUSPENDED = gettext_lazy("This account has been suspended and cannot log in.")
WRONG_CREDENTIALS = gettext_lazy(
    "The username or e-mail address and password do not match an account here."
)


def home_url() -> str:
    try:
        return reverse("web:home")
    except NoReverseMatch:
        return "/home"


# --- sign-up --------------------------------------------------------------------

def _rules(site) -> list[str]:
    return [line.strip() for line in (site.rules or "").splitlines() if line.strip()]


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request, code: str = ""):
    """The sign-up form; ``code`` comes from an invite link (``/invite/<code>``)."""
    if request.user.is_authenticated:
        return redirect(home_url())
    from rostra.accounts.models import SiteSettings

    site = SiteSettings.current()
    mode = services.registration_mode()
    invite = Invite.objects.filter(code=code).first() if code else None
    context = {"mode": mode, "invite": invite, "code": code, "rules": _rules(site)}
    if code and (invite is None or not invite.usable()):
        return render(request, "web/auth/invite_invalid.html", context, status=404)
    if mode == "closed" and invite is None:
        return render(request, "web/auth/signup_closed.html", context)
    ask_reason = mode == "approval" and invite is None
    form = SignupForm(bound_data(request), ask_reason=ask_reason)
    limited = throttled(request, "sign_up") if request.method == "POST" else None
    if limited is not None:
        form.is_valid()
        form.add_error(None, limited.message)
        context["form"] = form
        return refused(render(request, "web/auth/signup.html", context), limited)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.register(
                data["username"], data["email"], data["password1"],
                invite_code=code, reason=data.get("reason", ""),
                locale=getattr(request, "LANGUAGE_CODE", ""),
            )
        except AccountError as exc:
            form.add_account_error(exc)
        else:
            if not user.approved:
                return redirect("web:awaiting_approval")
            auth_login(request, user, backend=BACKEND)
            messages.success(request, _("Welcome to %(site)s, @%(username)s!")
                             % {"site": site.title, "username": user.username})
            return redirect(home_url())
    context["form"] = form
    return render(request, "web/auth/signup.html", context, status=400 if form.errors else 200)


def awaiting_approval(request):
    return render(request, "web/auth/awaiting_approval.html")


# --- log-in ---------------------------------------------------------------------

def _find_user(login: str) -> User | None:
    login = login.strip()
    if "@" in login:
        return User.objects.filter(email__iexact=login).first()
    return User.objects.filter(username__iexact=login).first()


def refusal(user: User) -> str | None:
    """Why ``user`` (whose password was right) may not log in, or None."""
    if not user.approved:
        return str(AWAITING_APPROVAL)
    if (user.account_id and user.account.suspended_at
            and not deletion.awaiting_deletion(user.account)):
        return str(SUSPENDED)
    return None


def _sign_in(request, user: User, next_url: str):
    """Log ``user`` in; an account awaiting deletion gets only the page to cancel it."""
    if user.account_id and deletion.awaiting_deletion(user.account):
        return deletion_views.hold(request, user)
    auth_login(request, user, backend=BACKEND)
    return redirect(next_url or home_url())


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login(request):
    """Step one: username or e-mail and password. Step two (if enabled): a TOTP code."""
    form = LoginForm(bound_data(request))
    next_url = safe_next(request, "")
    limited = None
    if request.method == "POST":
        limited = throttles.log_in(rate_limits.client_key(request),
                                   request.POST.get("login", ""))
    if limited is not None:
        form.is_valid()
        form.add_error(None, limited.message)
        return refused(render(request, "web/auth/login.html", {"form": form, "next": next_url}),
                       limited)
    if request.method == "POST" and form.is_valid():
        found = _find_user(form.cleaned_data["login"])
        # Authenticate even when nobody matched, so timing does not reveal who exists.
        user = authenticate(
            request,
            username=found.username if found else form.cleaned_data["login"],
            password=form.cleaned_data["password"],
        )
        if user is None:
            form.add_error(None, WRONG_CREDENTIALS)
        elif reason := refusal(user):
            form.add_error(None, reason)
        elif totp.is_enabled(user):
            request.session[PENDING_KEY] = {
                "user": user.pk, "at": time.time(), "attempts": 0, "next": next_url,
            }
            return redirect("web:login_two_factor")
        else:
            return _sign_in(request, user, next_url)
    return render(request, "web/auth/login.html", {"form": form, "next": next_url},
                  status=400 if form.errors else 200)


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_two_factor(request):
    """Step two: nobody is logged in until the code for the pending user is right."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > TWO_FACTOR_TTL:
        request.session.pop(PENDING_KEY, None)
        messages.error(request, _("Your log-in timed out. Enter your password again."))
        return redirect("web:login")
    user = User.objects.filter(pk=pending["user"]).first()
    if user is None or refusal(user) or not totp.is_enabled(user):
        request.session.pop(PENDING_KEY, None)
        return redirect("web:login")
    form = TwoFactorCodeForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        if totp.verify_for_user(user, form.cleaned_data["code"]):
            request.session.pop(PENDING_KEY, None)
            return _sign_in(request, user, pending.get("next") or "")
        pending["attempts"] = pending.get("attempts", 0) + 1
        if pending["attempts"] >= TWO_FACTOR_MAX_ATTEMPTS:
            request.session.pop(PENDING_KEY, None)
            messages.error(request, _("Too many wrong codes. Enter your password again."))
            return redirect("web:login")
        request.session[PENDING_KEY] = pending
        left = TWO_FACTOR_MAX_ATTEMPTS - pending["attempts"]
        form.add_error("code", ngettext("That code is not right. %(left)s attempt(s) left.",
                                         "That code is not right. %(left)s attempt(s) left.",
                                         left) % {"left": left})
        form.mark_invalid()
    return render(request, "web/auth/login_two_factor.html", {"form": form},
                  status=400 if form.errors else 200)


class LogoutView(auth_views.LogoutView):
    """POST only (Django's own rule), so a link or image cannot log anyone out."""

    http_method_names = ["post", "options"]


# --- password reset (Django's views, our templates and namespaced URLs) -----------

class RecipientLanguagePasswordResetForm(PasswordResetForm):
    """Django's reset form; each mail goes out in its recipient's own language."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        user = context.get("user")
        language = i18n.supported(getattr(user, "locale", "") or "") or settings.LANGUAGE_CODE
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context,
                              *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = RecipientLanguagePasswordResetForm
    template_name = "web/auth/password_reset.html"
    email_template_name = "web/auth/password_reset_email.txt"
    subject_template_name = "web/auth/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")

    def form_valid(self, form):
        # Links in the mail name our configured domain, not whatever Host was sent.
        self.domain_override = settings.ROSTRA_DOMAIN
        self.extra_email_context = {"protocol": settings.ROSTRA_SCHEME}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/auth/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/auth/password_reset_confirm.html"
    success_url = reverse_lazy("web:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/auth/password_reset_complete.html"
