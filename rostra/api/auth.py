"""The door of every API view: CORS, methods, the Bearer token, scopes, errors.

``@endpoint(...)`` sets ``request.api_token``, ``request.api_user``,
``request.api_account`` and ``request.api_scopes`` and ``request.params`` (see
parsing.py), checks the scope the way Mastodon does (``read`` covers
``read:statuses``), and turns ``ApiError`` and domain errors into JSON.
"""

from __future__ import annotations

import contextlib
import functools
import logging

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from rostra.accounts.errors import AccountError
from rostra.api import errors, oauth, ratelimit
from rostra.api import scopes as scope_rules
from rostra.api.errors import ApiError
from rostra.api.parsing import Params
from rostra.core import i18n
from rostra.posts.errors import NotVisible, PostError
from rostra.timelines.errors import TimelineError

log = logging.getLogger(__name__)

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key",
    "Access-Control-Expose-Headers": "Link, X-RateLimit-Reset, X-RateLimit-Limit, "
                                     "X-RateLimit-Remaining, X-Request-Id, Idempotency-Key",
    "Access-Control-Max-Age": "86400",
}


def with_cors(response: HttpResponse, methods) -> HttpResponse:
    for name, value in CORS_HEADERS.items():
        response[name] = value
    response["Access-Control-Allow-Methods"] = ", ".join([*methods, "OPTIONS"])
    return response


def bearer_token(request) -> str | None:
    header = request.headers.get("Authorization", "")
    kind, __, value = header.partition(" ")
    if kind.lower() == "bearer" and value.strip():
        return value.strip()
    return request.GET.get("access_token") or None


def _authenticate(request, auth: str, scope: tuple[str, ...]) -> None:
    request.api_token = request.api_user = request.api_account = None
    request.api_scopes = []
    plain = bearer_token(request)
    if plain is None and request.method == "POST":
        plain = request.params.str("access_token")
    token = oauth.find_token(plain) if plain else None
    if plain and token is None:
        raise ApiError(401, errors.INVALID_TOKEN)
    if token is None:
        if auth in ("user", "app"):
            raise ApiError(401, errors.INVALID_TOKEN)
        return
    if token.user is not None:
        # From here on the token's owner reads the answer: their language, if they chose one.
        i18n.activate_for(request, token.user)
        refusal = oauth.login_refusal(token.user)
        if refusal:
            raise ApiError(403, refusal)
    request.api_token = token
    request.api_user = token.user
    request.api_account = token.user.account if token.user else None
    request.api_scopes = token.scope_list
    if scope and not scope_rules.allows(token.scope_list, *scope):
        raise ApiError(403, errors.OUT_OF_SCOPE)
    if auth == "user" and token.user is None:
        raise ApiError(422, errors.USER_REQUIRED)


@contextlib.contextmanager
def _language_of_this_request():
    """The token owner's language (``_authenticate``) lasts for this request only.

    The answer is labelled with the language it speaks (``Content-Language``, which
    LocaleMiddleware then leaves alone); afterwards the thread speaks again what it
    spoke before, so nothing else run in it (a task, the next request before its
    middleware) inherits the user's language.
    """
    before = translation.get_language()

    def speak(response: HttpResponse) -> HttpResponse:
        response["Content-Language"] = translation.get_language()
        return response

    try:
        yield speak
    finally:
        if before:
            translation.activate(before)
        else:
            translation.deactivate()


def endpoint(methods=("GET",), *, auth: str = "user", scope: str | tuple[str, ...] = ()):
    """Wrap an API view.

    ``auth``: "user" (a user token), "app" (any token, app-only included),
    "optional" (anonymous allowed; a bad token is still a 401) or "none".
    ``scope``: the scope needed (or alternatives, any one suffices).
    """
    methods = tuple(m.upper() for m in methods)
    needed = (scope,) if isinstance(scope, str) else tuple(scope)

    def wrap(view):
        @csrf_exempt
        @functools.wraps(view)
        def inner(request, *args, **kwargs):
            if request.method == "OPTIONS":
                return with_cors(HttpResponse(status=204), methods)
            with _language_of_this_request() as speak:
                return speak(answer(request, *args, **kwargs))

        def answer(request, *args, **kwargs):
            usage = None
            try:
                if request.method not in methods:
                    raise ApiError(405, _("Method %(method)s is not allowed here.")
                        % {"method": request.method})
                request.params = Params(request)
                try:
                    if auth != "none":
                        _authenticate(request, auth, needed)
                finally:  # refused log-ins count too (by IP)
                    usage = ratelimit.hit(request)
                response = view(request, *args, **kwargs)
                if not isinstance(response, HttpResponse):
                    response = JsonResponse(response, safe=False)
            except ratelimit.RateLimited as exc:
                response, usage = exc.response(), exc.usage
            except ApiError as exc:
                response = exc.response()
            except NotVisible:
                response = errors.not_found().response()
            except (AccountError, PostError, TimelineError) as exc:
                response = errors.from_domain(exc).response()
            except (Http404, ObjectDoesNotExist):
                response = errors.not_found().response()
            ratelimit.add_headers(response, usage)
            return with_cors(response, methods)

        inner.api_methods = methods  # read by openapi.py
        inner.api_auth = auth
        inner.api_scopes = needed
        return inner

    return wrap


def require_scope(request, *alternatives: str) -> None:
    """A second scope check inside a view serving several methods."""
    if request.api_token is None or not scope_rules.allows(request.api_scopes, *alternatives):
        raise ApiError(403, errors.OUT_OF_SCOPE)


def by_method(**views):
    """One URL, one decorated view per HTTP method: ``by_method(GET=show, DELETE=delete)``."""
    methods = tuple(views)

    @csrf_exempt
    def inner(request, *args, **kwargs):
        if request.method == "OPTIONS":
            return with_cors(HttpResponse(status=204), methods)
        view = views.get(request.method)
        if view is None:
            error = ApiError(405, _("Method %(method)s is not allowed here.")
                % {"method": request.method})
            return with_cors(error.response(), methods)
        return view(request, *args, **kwargs)

    inner.api_views = views  # read by openapi.py
    return inner
