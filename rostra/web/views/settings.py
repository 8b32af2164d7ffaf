"""Settings pages: profile, account preferences, password, two-factor, the social
graph (follow requests, followers, blocks, blocked domains, mutes), invites and,
for staff, approvals and site settings.

Thin door: every change goes through ``accounts.services``, ``accounts.domain_blocks``
or ``accounts.totp``.
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from rostra.accounts import deletion, services, totp
from rostra.accounts import domain_blocks as domain_blocks_service
from rostra.accounts.errors import AccountError
from rostra.accounts.models import (
    Account,
    Block,
    Follow,
    FollowRequest,
    Invite,
    Mute,
    SiteSettings,
    User,
)
from rostra.core import i18n
from rostra.core.links import absolute_url
from rostra.web.forms.account import (
    DeleteAccountForm,
    InviteForm,
    PreferencesForm,
    ProfileForm,
    SiteSettingsForm,
    TwoFactorCodeForm,
    TwoFactorDisableForm,
    bound_data,
)

SETUP_SECRET_KEY = "rostra_2fa_setup_secret"


def staff_required(view):
    """Log-in required; a logged-in non-staff user gets 403, not a log-in loop."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied(_("Only staff can open this page."))
        return view(request, *args, **kwargs)

    return wrapper


def _render(request, template, context=None, *, section, status=None):
    context = dict(context or {}, section=section)
    if status is None:
        form = context.get("form")
        status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(request, template, context, status=status)


# --- profile and account ------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    account = request.user.account
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            # A fresh copy: on error nothing is saved and the page's header keeps the old name.
            target = Account.objects.get(pk=account.pk)
            try:
                services.update_profile(
                    target,
                    display_name=data["display_name"],
                    note=data["note"],
                    fields=form.profile_fields(),
                    locked=data["locked"],
                    bot=data["bot"],
                    discoverable=data["discoverable"],
                    avatar=data["avatar"].read() if data.get("avatar") else None,
                    header=data["header"].read() if data.get("header") else None,
                )
            except AccountError as exc:
                form.add_account_error(exc)
            else:
                messages.success(request, _("Your profile was saved."))
                return redirect("web:settings_profile")
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(account))
    return _render(request, "web/settings/profile.html",
                   {"form": form, "account": account}, section="profile")


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    user = request.user
    initial = {"default_visibility": user.default_visibility,
               "default_sensitive": user.default_sensitive,
               "locale": i18n.supported(user.locale) or ""}
    form = PreferencesForm(bound_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_preferences(user, **form.cleaned_data)
        except AccountError as exc:
            form.add_account_error(exc)
        else:
            # the confirmation already speaks the language just chosen
            translation.activate(i18n.supported(user.locale)
                                 or translation.get_language_from_request(request))
            messages.success(request, _("Your preferences were saved."))
            return redirect("web:settings_account")
    return _render(request, "web/settings/account.html",
                   {"form": form, "two_factor": totp.is_enabled(user)}, section="account")


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    """Ask for the account's deletion, after the password and a tick: hidden now,
    deleted after the grace period unless cancelled (see ``accounts.deletion``)."""
    user = request.user
    form = DeleteAccountForm(bound_data(request), user=user)
    if request.method == "POST" and form.is_valid():
        try:
            due = deletion.request_deletion(user.account)
        except AccountError as exc:
            form.add_account_error(exc)
        else:
            if user.account.deleted_at is None:
                # The same password hashed anew ends every other session of the account.
                user.set_password(form.cleaned_data["password"])
                user.save(update_fields=["password"])
                messages.success(request, _(
                    "Your account will be deleted on %(date)s. Until then it is hidden; "
                    "sign in before that date to cancel.") % {"date": deletion.when(due)})
            else:
                messages.success(request, _("Your account was deleted. Servers that knew it "
                                            "are being told to remove it too."))
            logout(request)
            return redirect("/")
    return _render(request, "web/settings/delete_account.html",
                   {"form": form, "grace_days": deletion.grace_period().days},
                   section="account")


@method_decorator(login_required, name="dispatch")
class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    """Django's view (it keeps this session logged in) with our template."""

    template_name = "web/settings/password.html"
    success_url = reverse_lazy("web:password_change")
    success_message = gettext_lazy("Your password was changed.")
    extra_context = {"section": "password"}


# --- two-factor ---------------------------------------------------------------------

def _qr_svg(uri: str) -> str:
    # segno output is generated from our own URI only; it is safe markup.
    return mark_safe(segno.make(uri, error="m").svg_inline(scale=4, border=2, title=_("QR code")))


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    user = request.user
    if totp.is_enabled(user):
        return _two_factor_disable(request, user)
    secret = request.session.get(SETUP_SECRET_KEY)
    if not secret:
        secret = request.session[SETUP_SECRET_KEY] = totp.generate_secret()
    form = TwoFactorCodeForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            totp.enable(user, secret, form.cleaned_data["code"])
        except AccountError as exc:
            form.add_account_error(exc, "code")
        else:
            request.session.pop(SETUP_SECRET_KEY, None)
            messages.success(request,
                             _("Two-factor log-in is on. You will need a code each time."))
            return redirect("web:two_factor")
    uri = totp.provisioning_uri(secret, user.username)
    context = {"form": form, "secret": secret, "uri": uri, "qr_svg": _qr_svg(uri),
               "enabled": False}
    return _render(request, "web/settings/two_factor.html", context, section="two_factor")


def _two_factor_disable(request, user: User):
    form = TwoFactorDisableForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        code, password = form.cleaned_data["code"], form.cleaned_data["password"]
        if (code and totp.verify(user.totp_secret, code)) or (
            password and user.check_password(password)
        ):
            totp.disable(user)
            messages.success(request, _("Two-factor log-in is off."))
            return redirect("web:two_factor")
        form.add_error(None, _("That code or password is not right; "
                               "two-factor log-in stays on."))
        form.mark_invalid()
    return _render(request, "web/settings/two_factor.html", {"form": form, "enabled": True},
                   section="two_factor")


# --- social graph -------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def follow_requests(request):
    me = request.user.account
    if request.method == "POST":
        follow_request = get_object_or_404(
            FollowRequest, pk=request.POST.get("request"), target_account=me
        )
        who = follow_request.account.acct
        if request.POST.get("action") == "accept":
            services.accept_follow_request(me, follow_request)
            messages.success(request, _("@%(acct)s now follows you.") % {"acct": who})
        elif request.POST.get("action") == "reject":
            services.reject_follow_request(me, follow_request)
            messages.success(request, _("You rejected @%(acct)s's request.") % {"acct": who})
        return redirect("web:follow_requests")
    requests_ = (FollowRequest.objects.filter(target_account=me)
                 .select_related("account").order_by("-created_at"))
    return _render(request, "web/settings/follow_requests.html",
                   {"requests": requests_}, section="follow_requests")


@login_required
@require_http_methods(["GET", "POST"])
def followers(request):
    me = request.user.account
    if request.method == "POST":
        follower = get_object_or_404(Account, pk=request.POST.get("account"))
        services.remove_follower(me, follower)
        messages.success(request,
                         _("@%(acct)s no longer follows you.") % {"acct": follower.acct})
        return redirect("web:settings_followers")
    rows = (Follow.objects.filter(target_account=me).select_related("account")
            .order_by("-created_at"))
    return _render(request, "web/settings/followers.html", {"follows": rows},
                   section="followers")


@login_required
@require_http_methods(["GET", "POST"])
def blocks(request):
    me = request.user.account
    if request.method == "POST":
        target = get_object_or_404(Account, pk=request.POST.get("account"))
        services.unblock(me, target)
        messages.success(request, _("You unblocked @%(acct)s.") % {"acct": target.acct})
        return redirect("web:blocks")
    rows = (Block.objects.filter(account=me).select_related("target_account")
            .order_by("-created_at"))
    return _render(request, "web/settings/blocks.html", {"blocks": rows}, section="blocks")


@login_required
@require_http_methods(["GET", "POST"])
def domain_blocks(request):
    """The servers the user blocked, an Unblock button for each and a form to block
    one (``accounts.domain_blocks`` says what a block does)."""
    me = request.user.account
    error, typed = "", ""
    if request.method == "POST":
        typed = (request.POST.get("domain") or "").strip()
        try:
            if request.POST.get("action") == "unblock":
                domain_blocks_service.unblock_domain(me, typed)
                messages.success(request, _("You unblocked %(domain)s.") % {"domain": typed})
            else:
                block = domain_blocks_service.block_domain(me, typed)
                messages.success(request,
                                 _("You blocked %(domain)s.") % {"domain": block.domain})
            return redirect("web:domain_blocks")
        except AccountError as exc:
            error = str(exc)
    return _render(request, "web/settings/domain_blocks.html",
                   {"domain_blocks": domain_blocks_service.blocked_domains(me),
                    "error": error, "typed": typed},
                   section="domain_blocks", status=400 if error else None)


@login_required
@require_http_methods(["GET", "POST"])
def mutes(request):
    me = request.user.account
    if request.method == "POST":
        target = get_object_or_404(Account, pk=request.POST.get("account"))
        services.unmute(me, target)
        messages.success(request, _("You unmuted @%(acct)s.") % {"acct": target.acct})
        return redirect("web:mutes")
    rows = (Mute.objects.filter(services.active_mutes_q(), account=me)
            .select_related("target_account").order_by("-created_at"))
    return _render(request, "web/settings/mutes.html", {"mutes": rows}, section="mutes")


# --- invites, approvals, site -------------------------------------------------------

def can_invite(user: User) -> bool:
    return user.is_staff or services.registration_mode() != "open"


@login_required
@require_http_methods(["GET", "POST"])
def invites(request):
    user = request.user
    allowed = can_invite(user)
    form = InviteForm(bound_data(request))
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied(_("Anyone can sign up here; invites are not needed."))
        if form.is_valid():
            seconds = form.cleaned_data["expires_in"]
            invite = services.create_invite(
                user, max_uses=form.cleaned_data["max_uses"],
                expires_in=timedelta(seconds=seconds) if seconds else None,
            )
            messages.success(request, _("Invite link created: %(url)s")
                             % {"url": _invite_url(invite)})
            return redirect("web:invites")
    rows = [(invite, _invite_url(invite))
            for invite in Invite.objects.filter(created_by=user).order_by("-created_at")]
    return _render(request, "web/settings/invites.html",
                   {"form": form, "invites": rows, "allowed": allowed,
                    "mode": services.registration_mode()}, section="invites")


def _invite_url(invite: Invite) -> str:
    return absolute_url(reverse("web:invite", kwargs={"code": invite.code}))


@staff_required
@require_http_methods(["GET", "POST"])
def approvals(request):
    if request.method == "POST":
        pending = get_object_or_404(User, pk=request.POST.get("user"), approved=False)
        services.approve(pending)
        messages.success(request,
                         _("@%(username)s can now log in.") % {"username": pending.username})
        return redirect("web:approvals")
    rows = User.objects.filter(approved=False).order_by("date_joined")
    return _render(request, "web/settings/approvals.html", {"pending": rows},
                   section="approvals")


@staff_required
@require_http_methods(["GET", "POST"])
def site(request):
    current = SiteSettings.current()
    initial = SiteSettingsForm.initial_for(current)
    initial["registration_mode"] = services.registration_mode()
    form = SiteSettingsForm(bound_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_site_settings(**form.cleaned_data)
        except AccountError as exc:
            form.add_account_error(exc)
        else:
            messages.success(request, _("The site settings were saved."))
            return redirect("web:site_settings")
    return _render(request, "web/settings/site.html", {"form": form}, section="site")

