"""Featuring accounts on one's profile (``POST /api/v1/accounts/:id/pin`` and
``unpin``, ``GET /api/v1/endorsements``, ``GET /api/v1/accounts/:id/endorsements``)
and ``GET /api/v1/accounts/familiar_followers``."""

from __future__ import annotations

from rostra.accounts import endorsements
from rostra.api.auth import endpoint
from rostra.api.errors import ApiError
from rostra.api.pagination import page_of, paged
from rostra.api.serializers.account import serialize_account
from rostra.api.serializers.relationship import serialize_relationship
from rostra.api.views.lookups import get_account
from rostra.timelines.pagination import paginate

MAX_FAMILIAR_IDS = 40


@endpoint(["POST"], scope=("write:accounts", "follow"))
def pin(request, account_id):
    target = get_account(account_id)
    endorsements.endorse(request.api_account, target)
    return serialize_relationship(request.api_account, target)


@endpoint(["POST"], scope=("write:accounts", "follow"))
def unpin(request, account_id):
    target = get_account(account_id)
    endorsements.unendorse(request.api_account, target)
    return serialize_relationship(request.api_account, target)


@endpoint(["GET"], scope="read:accounts")
def index(request):
    rows = paginate(endorsements.endorsement_rows(request.api_account), page_of(request, 40))
    return paged(request, [serialize_account(r.target_account) for r in rows],
                 [r.pk for r in rows])


@endpoint(["GET"], auth="optional", scope="read:accounts")
def of_account(request, account_id):
    """The accounts ``account_id`` features on its profile (Mastodon 4.4), newest first."""
    rows = paginate(endorsements.endorsement_rows(get_account(account_id)),
                    page_of(request, 40))
    return paged(request, [serialize_account(r.target_account) for r in rows],
                 [r.pk for r in rows])


@endpoint(["GET"], scope="read:follows")
def familiar_followers(request):
    """``[{id, accounts}]`` for each ``id[]`` asked (unknown ids are left out)."""
    out = []
    for raw in request.params.list("id")[:MAX_FAMILIAR_IDS]:
        try:
            target = get_account(raw)
        except ApiError:  # an unknown id is left out, as Mastodon does
            continue
        people = endorsements.familiar_followers(request.api_account, target)
        out.append({"id": str(target.pk), "accounts": [serialize_account(a) for a in people]})
    return out
