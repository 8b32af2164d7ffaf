"""``/api/v1/apps``: register a client application, and check its credentials."""

from __future__ import annotations

from rostra.api.auth import endpoint
from rostra.api.errors import validation
from rostra.api.oauth import OAuthError, create_application
from rostra.api.serializers.application import serialize_application


@endpoint(["POST"], auth="none")
def create(request):
    p = request.params
    uris = p.get("redirect_uris")
    if isinstance(uris, list):
        uris = " ".join(uris)
    try:
        app, secret = create_application(
            p.str("client_name", ""), uris or "", p.str("scopes"), p.str("website", ""),
        )
    except OAuthError as exc:
        # The parameter at fault, from the request (the description may be translated).
        field = "scopes" if exc.code == "invalid_scope" else (
            "client_name" if not p.str("client_name", "").strip() else "redirect_uris")
        raise validation(exc.description, field) from exc
    return serialize_application(app, secret)


@endpoint(["GET"], auth="app")
def verify_credentials(request):
    return serialize_application(request.api_token.application)
