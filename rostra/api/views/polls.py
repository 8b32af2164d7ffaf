"""``/api/v1/polls/:id`` and voting. A poll is visible when its status is."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rostra.api.auth import endpoint
from rostra.api.errors import not_found, validation
from rostra.api.serializers.poll import serialize_poll
from rostra.api.views.lookups import as_id
from rostra.posts import services as posts
from rostra.posts.models import Poll
from rostra.posts.visibility import can_see


def _poll(request, poll_id) -> Poll:
    poll = Poll.objects.select_related("post__account").filter(pk=as_id(poll_id)).first()
    if poll is None or not can_see(request.api_account, poll.post):
        raise not_found()
    return poll


@endpoint(["GET"], auth="optional", scope="read:statuses")
def show(request, poll_id):
    return serialize_poll(_poll(request, poll_id), request.api_account)


@endpoint(["POST"], scope="write:statuses")
def vote(request, poll_id):
    poll = _poll(request, poll_id)
    try:
        choices = [int(c) for c in request.params.list("choices")]
    except (TypeError, ValueError) as exc:
        raise validation(_("choices must be option indices."), "choices") from exc
    posts.vote(request.api_account, poll, choices)
    return serialize_poll(poll, request.api_account)
