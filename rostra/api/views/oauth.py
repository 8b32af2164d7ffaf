"""``/oauth/authorize`` (log-in and consent pages), ``/oauth/token``, ``/oauth/revoke``.

The authorize page is a session page (a logged-in web session is used, or the
form logs the user in), so it is CSRF-protected; the token endpoints are not
(client credentials authenticate them). No JavaScript is needed.
"""

from __future__ import annotations

import base64
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from rostra.accounts import totp
from rostra.api import oauth
from rostra.api import scopes as scope_rules
from rostra.api.auth import with_cors
from rostra.api.errors import ApiError
from rostra.api.models import Application
from rostra.api.oauth import OOB, OAuthError
from rostra.api.parsing import Params
from rostra.core import rate_limits, throttles
from rostra.core.links import absolute_url

BACKEND = "django.contrib.auth.backends.ModelBackend"
AUTH_PARAMS = ("response_type", "client_id", "redirect_uri", "scope", "state",
               "code_challenge", "code_challenge_method")
WRONG_CREDENTIALS = gettext_lazy(
    "The username or e-mail address and password do not match an account here.")
SCOPE_LABELS = {
    "read": gettext_lazy("read all your account's data"),
    "write": gettext_lazy("change your profile, post and act on your behalf"),
    "follow": gettext_lazy("follow, block and mute accounts for you"),
    "push": gettext_lazy("receive push notifications"),
    "profile": gettext_lazy("read only your profile's basic information"),
    scope_rules.PORTABILITY: gettext_lazy(
        "copy your account to another server: every post you wrote, "
        "including followers-only posts and direct messages"),
}


def _with_query(uri: str, params: dict) -> str:
    parts = urlsplit(uri)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _web_login_url() -> str:
    try:
        return reverse("web:login")
    except NoReverseMatch:
        return "/auth/login"


def _error_page(request, message: str, status: int = 400):
    return render(request, "api/oauth_error.html", {"message": message}, status=status)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def authorize(request):
    source = request.POST if request.method == "POST" else request.GET
    params = {k: source.get(k, "") for k in AUTH_PARAMS}
    app = Application.objects.filter(client_id=params["client_id"]).first()
    if app is None:
        return _error_page(request, _("This application is not registered here."))
    redirect_uri = params["redirect_uri"] or (
        app.redirect_uri_list[0] if len(app.redirect_uri_list) == 1 else "")
    if redirect_uri not in app.redirect_uri_list:
        # Never send the user to an address the application did not register.
        return _error_page(request,
                           _("The redirect URI is not registered for this application."))
    params["redirect_uri"] = redirect_uri

    def back(**query):
        if params["state"]:
            query["state"] = params["state"]
        return HttpResponseRedirect(_with_query(redirect_uri, query))

    if params["response_type"] != "code":
        if redirect_uri == OOB:
            return _error_page(request, _("Only response_type=code is supported."))
        return back(error="unsupported_response_type")
    try:
        wanted = oauth.requested_scopes(app, params["scope"] or None)
    except OAuthError as exc:
        if redirect_uri == OOB:
            return _error_page(request, exc.description)
        return back(error="invalid_scope", error_description=exc.description)
    method = params["code_challenge_method"]
    if params["code_challenge"] and (method or "S256") != "S256":
        return back(error="invalid_request",
                    error_description=_("Only S256 PKCE is supported."))
    context = {"app": app, "params": params, "scopes": wanted,
               "scope_labels": [SCOPE_LABELS.get(s, s) for s in wanted]}
    action = request.POST.get("action") if request.method == "POST" else None

    user = request.user if request.user.is_authenticated else None
    if user is not None and oauth.login_refusal(user):
        user = None
    if user is None:
        if action != "login":
            return render(request, "api/oauth_login.html", context)
        refusal = throttles.log_in(rate_limits.client_key(request),
                                   request.POST.get("login", ""))
        if refusal is not None:
            context["error"] = refusal.message
            context["login"] = request.POST.get("login", "")
            response = render(request, "api/oauth_login.html", context, status=429)
            response["Retry-After"] = str(refusal.retry_after)
            return response
        found = oauth.find_user(request.POST.get("login", ""))
        user = authenticate(request, username=found.username if found else "",
                            password=request.POST.get("password", ""))
        error = None
        if user is None or found is None:
            error = str(WRONG_CREDENTIALS)
        elif oauth.login_refusal(user):
            error = oauth.login_refusal(user)
        elif totp.is_enabled(user):
            # The two-factor step lives on the web log-in page; come back here after it.
            login_url = _web_login_url() + "?next=" + quote(
                request.path + "?" + urlencode(params))
            return HttpResponseRedirect(login_url)
        if error:
            context["error"] = error
            context["login"] = request.POST.get("login", "")
            return render(request, "api/oauth_login.html", context, status=400)
        auth_login(request, user, backend=BACKEND)
        return render(request, "api/oauth_consent.html", context)

    if action == "deny":
        if redirect_uri == OOB:
            return _error_page(request, _("You denied the application access."), status=403)
        return back(error="access_denied")
    if action != "approve":
        return render(request, "api/oauth_consent.html", context)
    code = oauth.create_code(app, user, redirect_uri, wanted, params["code_challenge"],
                             "S256" if params["code_challenge"] else "")
    if redirect_uri == OOB:
        return render(request, "api/oauth_code.html", {"app": app, "code": code})
    if scope_rules.PORTABILITY in wanted and user.account_id:
        # LOLA: the destination learns which actor the grant is for.
        return back(code=code,
                    activitypub_actor=absolute_url(f"/users/{user.account.username}"))
    return back(code=code)


def _oauth_error(exc: OAuthError):
    response = JsonResponse({"error": exc.code, "error_description": exc.description},
                            status=exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Basic realm="oauth"'
    if exc.retry_after is not None:
        response["Retry-After"] = str(exc.retry_after)
    return response



def _client_credentials(request, p: Params) -> tuple[str | None, str | None]:
    header = request.headers.get("Authorization", "")
    kind, _, value = header.partition(" ")
    if kind.lower() == "basic" and value:
        try:
            client_id, __, secret = base64.b64decode(value).decode().partition(":")
            return client_id, secret
        except (ValueError, UnicodeDecodeError):
            return None, None
    return p.str("client_id"), p.str("client_secret")


@sensitive_post_parameters("password", "client_secret")
@csrf_exempt
@never_cache
def token(request):
    methods = ("POST",)
    if request.method == "OPTIONS":
        return with_cors(JsonResponse({}, status=200), methods)
    if request.method != "POST":
        return with_cors(JsonResponse({"error": "invalid_request"}, status=405), methods)
    try:
        response = JsonResponse(_grant(request).as_json())
    except OAuthError as exc:
        response = _oauth_error(exc)
    except ApiError as exc:  # an unreadable body (found by schemathesis: was a 500)
        response = JsonResponse({"error": "invalid_request", "error_description": exc.message},
                                status=400)
    response["Cache-Control"] = "no-store"
    return with_cors(response, methods)


def _grant(request) -> oauth.IssuedToken:
    p = Params(request)
    client_id, secret = _client_credentials(request, p)
    grant = p.str("grant_type", "")
    if grant == "authorization_code":
        return oauth.exchange_code(client_id, secret, p.str("code", ""),
                                   p.str("redirect_uri"), p.str("code_verifier"))
    if grant == "refresh_token":
        return oauth.refresh(client_id, secret, p.str("refresh_token", ""), p.str("scope"))
    app = oauth.authenticate_client(client_id, secret)
    wanted = oauth.requested_scopes(app, p.str("scope"))
    if grant == "client_credentials":
        return oauth.issue_token(app, None, wanted)
    if grant == "password":
        refusal = throttles.log_in(rate_limits.client_key(request), p.str("username", ""))
        if refusal is not None:
            raise OAuthError("invalid_request", refusal.message, status=429,
                             retry_after=refusal.retry_after)
        found = oauth.find_user(p.str("username", ""))
        user = authenticate(request, username=found.username if found else "",
                            password=p.str("password", ""))
        if user is None or found is None:
            raise OAuthError("invalid_grant", str(WRONG_CREDENTIALS))
        refusal = oauth.login_refusal(user)
        if refusal:
            raise OAuthError("invalid_grant", refusal)
        if totp.is_enabled(user):
            raise OAuthError("invalid_grant",
                             _("This account uses two-factor log-in; use the browser flow."))
        return oauth.issue_token(app, user, wanted)
    raise OAuthError("unsupported_grant_type", _("Unsupported grant_type: %(grant)s")
                     % {"grant": grant or "(none)"})


@csrf_exempt
def revoke(request):
    methods = ("POST",)
    if request.method == "OPTIONS":
        return with_cors(JsonResponse({}, status=200), methods)
    if request.method != "POST":
        return with_cors(JsonResponse({"error": "invalid_request"}, status=405), methods)
    try:
        p = Params(request)
        client_id, secret = _client_credentials(request, p)
        app = oauth.authenticate_client(client_id, secret)
    except OAuthError as exc:
        return with_cors(_oauth_error(exc), methods)
    except ApiError as exc:  # an unreadable body: a 400, not a 500
        return with_cors(JsonResponse({"error": "invalid_request",
                                       "error_description": exc.message}, status=400), methods)
    oauth.revoke(app, p.str("token", ""))
    return with_cors(JsonResponse({}), methods)
