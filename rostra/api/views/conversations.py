"""``/api/v1/conversations``: direct-message threads; remove one, mark one read."""

from __future__ import annotations

from rostra.api.auth import endpoint
from rostra.api.errors import not_found
from rostra.api.pagination import page_of, paged
from rostra.api.serializers.conversation import serialize_conversation
from rostra.api.views.lookups import as_id
from rostra.posts import conversations
from rostra.timelines.pagination import paginate


@endpoint(["GET"], scope="read:statuses")
def index(request):
    viewer = request.api_account
    rows = paginate(conversations.for_account(viewer), page_of(request), field="last_post_id")
    return paged(request, [serialize_conversation(c, viewer) for c in rows],
                 [c.last_post_id for c in rows])


@endpoint(["DELETE"], scope="write:conversations")
def remove(request, conversation_id):
    if not conversations.remove(request.api_account, as_id(conversation_id)):
        raise not_found()
    return {}


@endpoint(["POST"], scope="write:conversations")
def read(request, conversation_id):
    conv = conversations.mark_read(request.api_account, as_id(conversation_id))
    if conv is None:
        raise not_found()
    return serialize_conversation(conv, request.api_account)
