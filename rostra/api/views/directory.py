"""``GET /api/v1/directory``: discoverable profiles (``local``, ``order`` active or
new, ``offset``/``limit``); the rule is ``rostra.accounts.discovery.directory``."""

from __future__ import annotations

from rostra.accounts import discovery
from rostra.api.auth import endpoint
from rostra.api.serializers.account import serialize_account

DEFAULT_LIMIT, MAX_LIMIT = 40, 80


@endpoint(["GET"], auth="optional", scope="read:accounts")
def index(request):
    p = request.params
    limit = max(1, min(p.int("limit", DEFAULT_LIMIT) or DEFAULT_LIMIT, MAX_LIMIT))
    offset = max(0, min(p.int("offset", 0) or 0, 10_000))
    order = "new" if p.str("order") == "new" else "active"
    people = discovery.directory(request.api_account, order=order, local=bool(p.bool("local")),
                                 offset=offset, limit=limit)
    return [serialize_account(a) for a in people]
