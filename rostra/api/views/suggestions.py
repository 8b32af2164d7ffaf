"""Follow suggestions: ``GET /api/v2/suggestions`` (Suggestion entities),
``GET /api/v1/suggestions`` (accounts) and ``DELETE /api/v1/suggestions/:id``.
The rule is ``rostra.accounts.discovery``: the follow graph only."""

from __future__ import annotations

from rostra.accounts import discovery
from rostra.api.auth import endpoint
from rostra.api.serializers.account import serialize_account
from rostra.api.serializers.suggestion import serialize_suggestion
from rostra.api.views.lookups import get_account

DEFAULT_LIMIT, MAX_LIMIT = 40, 80


def _limit(request) -> int:
    return max(1, min(request.params.int("limit", DEFAULT_LIMIT) or DEFAULT_LIMIT, MAX_LIMIT))


@endpoint(["GET"], scope="read")
def v2(request):
    return [serialize_suggestion(s)
            for s in discovery.suggestions(request.api_account, _limit(request))]


@endpoint(["GET"], scope="read")
def v1(request):
    return [serialize_account(s.account)
            for s in discovery.suggestions(request.api_account, _limit(request))]


@endpoint(["DELETE"], scope="read")
def dismiss(request, account_id):
    discovery.dismiss_suggestion(request.api_account, get_account(account_id))
    return {}
