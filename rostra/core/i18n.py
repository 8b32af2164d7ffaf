"""The interface language: the browser's Accept-Language, unless the user chose one.

Django's LocaleMiddleware reads the browser's choice; a signed-in user's own setting
(``User.locale``, the same field Mastodon's API calls ``locale``) then wins, on the web
through :class:`UserLanguageMiddleware` and in the API once its token is read.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def supported(code: str) -> str | None:
    """The supported language closest to ``code`` ("pt-BR" → "pt"), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code.replace("_", "-").lower())
    except LookupError:
        return None


def activate_for(request, user) -> None:
    """Speak ``user``'s chosen language for the rest of this request, if they chose one."""
    code = supported(getattr(user, "locale", "") or "")
    if code:
        translation.activate(code)
        request.LANGUAGE_CODE = code


def choices() -> list[tuple[str, str]]:
    """The languages a user can pick, each named in itself."""
    return list(settings.LANGUAGES)


class UserLanguageMiddleware:
    """After authentication: a signed-in user's setting overrides the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            activate_for(request, user)
        return self.get_response(request)
