"""Server information: ``/api/v1/instance``, ``/api/v2/instance``, custom emojis, and
the OAuth server metadata (RFC 8414)."""

from __future__ import annotations

from rostra.api import scopes
from rostra.api.auth import endpoint
from rostra.api.serializers.instance import serialize_instance_v1, serialize_instance_v2
from rostra.core.links import absolute_url


@endpoint(["GET"], auth="none")
def instance_v1(request):
    return serialize_instance_v1()


@endpoint(["GET"], auth="none")
def instance_v2(request):
    return serialize_instance_v2()


@endpoint(["GET"], auth="none")
def custom_emojis(request):
    """Rostra has no custom emojis: the empty list is the truth."""
    return []


@endpoint(["GET"], auth="none")
def oauth_metadata(request):
    return {
        "issuer": absolute_url("/"),
        "authorization_endpoint": absolute_url("/oauth/authorize"),
        "token_endpoint": absolute_url("/oauth/token"),
        "revocation_endpoint": absolute_url("/oauth/revoke"),
        "app_registration_endpoint": absolute_url("/api/v1/apps"),
        "scopes_supported": sorted(scopes.ALL),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": ["authorization_code", "password", "client_credentials",
                                  "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post",
                                                  "none"],
        "code_challenge_methods_supported": ["S256"],
        "service_documentation": "https://docs.joinmastodon.org/",
    }
