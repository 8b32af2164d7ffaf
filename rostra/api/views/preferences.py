"""``/api/v1/preferences``: the user's posting defaults."""

from __future__ import annotations

from rostra.api.auth import endpoint
from rostra.api.serializers.preferences import serialize_preferences


@endpoint(["GET"], scope="read:accounts")
def preferences(request):
    return serialize_preferences(request.api_user)
