"""Content Security Policy and the other browser-side guards of every HTML answer.

The web UI runs only its own scripts (``script-src 'self'``: no inline script, no
eval), so markup that slipped past the sanitizer still cannot run code. A page
with a ``<style>`` block marks it with the per-request nonce
(``{{ request.csp_nonce }}``). Style *attributes* stay allowed (``style-src-attr``:
bar widths of polls and charts, thread depth): they cannot run code. Images and
video may come from other servers (remote media, S3 storage) over https. Forms
post only here, except the OAuth consent page, whose answer redirects to the
application's own address (as Mastodon exempts its authorization page).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Paths whose forms end in a redirect to another origin (OAuth: the app's redirect URI).
FORM_ACTION_EXEMPT = ("/oauth/authorize",)


def policy(nonce: str, *, form_action: bool = True) -> str:
    remote = "https:" if not getattr(settings, "ROSTRA_FEDERATION_ALLOW_HTTP", False) \
        else "https: http:"
    parts = [
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' 'nonce-{nonce}'",
        "style-src-attr 'unsafe-inline'",
        f"img-src 'self' data: blob: {remote}",
        f"media-src 'self' blob: {remote}",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
    if form_action:
        parts.append("form-action 'self'")
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Sets ``request.csp_nonce`` and, on HTML answers, the policy, a
    ``Permissions-Policy`` that turns off powerful features the UI never uses, and
    ``Cross-Origin-Opener-Policy``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.setdefault("Content-Security-Policy", policy(
                request.csp_nonce,
                form_action=not request.path.startswith(FORM_ACTION_EXEMPT)))
            response.setdefault("Permissions-Policy",
                                "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
            response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
