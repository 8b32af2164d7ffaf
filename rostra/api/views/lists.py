"""``/api/v1/lists``: the reader's lists, their members, the lists an account is
in, and ``/api/v1/timelines/list/:id``. Lists are private: another reader's list
is a 404.

The reader's pinned feeds (``timelines.feeds``) show here too, as read-only lists
so that Mastodon apps can show them: their ids are ``feed-<key>`` (``feed-catch_up``,
``feed-topic:tag:news``), which no real list id (a number) can be. Reading one
works as for a list (a ranked feed pages with ``max_id``/``min_id`` as cursors into
its ranking); changing one, or its members, is an honest 422."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rostra.api.auth import by_method, endpoint
from rostra.api.errors import not_found, validation
from rostra.api.pagination import page_of, paged
from rostra.api.serializers.account import serialize_account
from rostra.api.serializers.list import serialize_list
from rostra.api.serializers.status import serialize_statuses
from rostra.api.views.lookups import as_id, get_account
from rostra.timelines import filters
from rostra.timelines import lists as lists_domain
from rostra.timelines import services as timelines
from rostra.timelines.feeds import FeedError
from rostra.timelines.feeds import services as feeds
from rostra.timelines.pagination import paginate

READ = "read:lists"
WRITE = "write:lists"
FEED_PREFIX = "feed-"


def _serialize_feed(choice) -> dict:
    return {"id": FEED_PREFIX + choice.key, "title": choice.title, "replies_policy": "none",
            "exclusive": False}


def _pinned_feed(request, list_id: str):
    """The reader's pinned feed named by a ``feed-<key>`` list id, else a 404."""
    try:
        choice = feeds.resolve(request.api_account, list_id.removeprefix(FEED_PREFIX))
    except FeedError:
        raise not_found() from None
    if not feeds.is_pinned(request.api_account, choice):
        raise not_found()
    return choice


def _refuse_feed(request, list_id):
    """Writes to a feed-list: 404 if the reader has no such feed, else a 422 saying why."""
    if str(list_id).startswith(FEED_PREFIX):
        choice = _pinned_feed(request, str(list_id))
        raise validation(_("%(title)s is a feed, not a list: it is read-only here. Pin or "
                           "unpin feeds in this server's settings, under Feeds.")
                         % {"title": choice.title}, "id",
                         code="ERR_READ_ONLY")


def _own_list(request, list_id):
    _refuse_feed(request, list_id)
    found = lists_domain.get_list(request.api_account, as_id(list_id))
    if found is None:
        raise not_found()
    return found


def _members(request):
    return [get_account(i) for i in request.params.list("account_ids")]


@endpoint(["GET"], scope=READ)
def _index(request):
    viewer = request.api_account
    return ([serialize_list(x) for x in lists_domain.lists_of(viewer)]
            + [_serialize_feed(c) for c in feeds.pinned(viewer)])


@endpoint(["POST"], scope=WRITE)
def _create(request):
    p = request.params
    created = lists_domain.create_list(request.api_account, p.str("title", ""),
                                       replies_policy=p.str("replies_policy", "list"),
                                       exclusive=bool(p.bool("exclusive")))
    return serialize_list(created)


@endpoint(["GET"], scope=READ)
def _show(request, list_id):
    if str(list_id).startswith(FEED_PREFIX):
        return _serialize_feed(_pinned_feed(request, str(list_id)))
    return serialize_list(_own_list(request, list_id))


@endpoint(["PUT", "PATCH"], scope=WRITE)
def _update(request, list_id):
    p = request.params
    found = lists_domain.update_list(_own_list(request, list_id), title=p.str("title"),
                                     replies_policy=p.str("replies_policy"),
                                     exclusive=p.bool("exclusive", None))
    return serialize_list(found)


@endpoint(["DELETE"], scope=WRITE)
def _delete(request, list_id):
    lists_domain.delete_list(_own_list(request, list_id))
    return {}


@endpoint(["GET"], scope=READ)
def _members_index(request, list_id):
    """Paged by membership row; ``limit=0`` returns every member, as Mastodon. A feed
    has no members: its list of them is truly empty."""
    if str(list_id).startswith(FEED_PREFIX):
        _pinned_feed(request, str(list_id))
        return paged(request, [], [])
    rows = lists_domain.member_rows(_own_list(request, list_id))
    if request.params.int("limit") == 0:
        rows = list(rows.order_by("-id"))
    else:
        rows = paginate(rows, page_of(request, 40))
    return paged(request, [serialize_account(r.account) for r in rows], [r.pk for r in rows])


@endpoint(["POST"], scope=WRITE)
def _members_add(request, list_id):
    lists_domain.add_accounts(_own_list(request, list_id), _members(request))
    return {}


@endpoint(["DELETE"], scope=WRITE)
def _members_remove(request, list_id):
    lists_domain.remove_accounts(_own_list(request, list_id), _members(request))
    return {}


index = by_method(GET=_index, POST=_create)
one = by_method(GET=_show, PUT=_update, PATCH=_update, DELETE=_delete)
members = by_method(GET=_members_index, POST=_members_add, DELETE=_members_remove)


@endpoint(["GET"], scope=READ)
def account_lists(request, account_id):
    """The reader's lists that hold ``account_id``."""
    member = get_account(account_id)
    return [serialize_list(x) for x in lists_domain.lists_containing(request.api_account, member)]


@endpoint(["GET"], scope=READ)
def timeline(request, list_id):
    viewer = request.api_account
    if str(list_id).startswith(FEED_PREFIX):
        choice = _pinned_feed(request, str(list_id))
        result = feeds.read(viewer, choice.key, page_of(request))
        shown = filters.apply(viewer, result.posts, "home")
        return paged(request, serialize_statuses(shown, viewer), result.page_ids)
    posts = timelines.list_timeline(viewer, _own_list(request, list_id), page_of(request))
    ids = [x.pk for x in posts]
    shown = filters.apply(viewer, posts, "home")
    return paged(request, serialize_statuses(shown, viewer), ids)
