"""``/api/v1/featured_tags`` (own, feature, unfeature, suggestions) and
``/api/v1/accounts/:id/featured_tags``."""

from __future__ import annotations

from rostra.accounts.models import Account
from rostra.api.auth import by_method, endpoint
from rostra.api.errors import from_domain, not_found
from rostra.api.serializers.featured_tag import serialize_featured_tag
from rostra.api.serializers.tag import serialize_tags
from rostra.api.views.lookups import as_id, get_account
from rostra.posts import featured_tags
from rostra.posts.errors import PostError


def _list(account: Account) -> list[dict]:
    return [serialize_featured_tag(f, account) for f in featured_tags.featured_tags_of(account)]


@endpoint(["GET"], scope="read:accounts")
def _own(request):
    return _list(request.api_account)


@endpoint(["POST"], scope="write:accounts")
def _create(request):
    try:
        item = featured_tags.feature_tag(request.api_account, request.params.str("name") or "")
    except PostError as exc:
        raise from_domain(exc) from exc
    item = next(f for f in featured_tags.featured_tags_of(request.api_account)
                if f.pk == item.pk)
    return serialize_featured_tag(item, request.api_account)


index = by_method(GET=_own, POST=_create)


@endpoint(["DELETE"], scope="write:accounts")
def remove(request, featured_id):
    if not featured_tags.unfeature_tag(request.api_account, as_id(featured_id)):
        raise not_found()
    return {}


@endpoint(["GET"], scope="read:accounts")
def suggestions(request):
    return serialize_tags(featured_tags.suggestions(request.api_account))


@endpoint(["GET"], auth="optional")
def of_account(request, account_id):
    return _list(get_account(account_id))
