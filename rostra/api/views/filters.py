"""``/api/v2/filters`` (with keywords and statuses; v1 is ``filters_v1.py``).
Filters are private: another reader's filter is a 404."""

from __future__ import annotations

from rostra.api.auth import by_method, endpoint
from rostra.api.errors import not_found
from rostra.api.serializers.filter import (
    serialize_filter,
    serialize_filter_status,
    serialize_keyword,
)
from rostra.api.views.lookups import as_id, get_post
from rostra.timelines import filters as domain
from rostra.timelines.models import Filter, FilterKeyword, FilterStatus

READ = "read:filters"
WRITE = "write:filters"


def _own(request, filter_id) -> Filter:
    found = domain.filters_of(request.api_account).filter(pk=as_id(filter_id)).first()
    if found is None:
        raise not_found()
    return found


def own_keyword(request, keyword_id) -> FilterKeyword:
    found = FilterKeyword.objects.filter(pk=as_id(keyword_id),
                                         filter__account=request.api_account).first()
    if found is None:
        raise not_found()
    return found


def _own_status(request, row_id) -> FilterStatus:
    found = FilterStatus.objects.filter(pk=as_id(row_id),
                                        filter__account=request.api_account).first()
    if found is None:
        raise not_found()
    return found


def _keyword_items(p) -> list[dict]:
    items = []
    for item in p.list("keywords_attributes"):
        if not isinstance(item, dict):
            continue
        destroy = str(item.get("_destroy", "")).lower() in ("1", "true", "on")
        whole = item.get("whole_word")
        items.append({"id": item.get("id"), "keyword": item.get("keyword"),
                      "whole_word": None if whole is None
                      else str(whole).lower() in ("1", "true", "on"),
                      "destroy": destroy})
    return items


@endpoint(["GET"], scope=READ)
def _index(request):
    return [serialize_filter(f) for f in domain.filters_of(request.api_account)]


@endpoint(["POST"], scope=WRITE)
def _create(request):
    p = request.params
    keywords = [(i["keyword"], True if i["whole_word"] is None else i["whole_word"])
                for i in _keyword_items(p) if not i["destroy"]]
    created = domain.create_filter(request.api_account, p.str("title", ""), p.list("context"),
                                   filter_action=p.str("filter_action", "warn"),
                                   expires_in=p.str("expires_in"), keywords=keywords)
    return serialize_filter(_own(request, created.pk))


@endpoint(["GET"], scope=READ)
def _show(request, filter_id):
    return serialize_filter(_own(request, filter_id))


@endpoint(["PUT", "PATCH"], scope=WRITE)
def _update(request, filter_id):
    p = request.params
    found = _own(request, filter_id)
    domain.update_filter(
        found, title=p.str("title"),
        context=p.list("context") if p.has("context") else None,
        filter_action=p.str("filter_action"),
        keywords=_keyword_items(p),
        **({"expires_in": p.str("expires_in")} if p.has("expires_in") else {}),
    )
    return serialize_filter(_own(request, filter_id))


@endpoint(["DELETE"], scope=WRITE)
def _delete(request, filter_id):
    domain.delete_filter(_own(request, filter_id))
    return {}


@endpoint(["GET"], scope=READ)
def _keywords_index(request, filter_id):
    return [serialize_keyword(k) for k in _own(request, filter_id).keywords.all()]


@endpoint(["POST"], scope=WRITE)
def _keywords_add(request, filter_id):
    p = request.params
    row = domain.add_keyword(_own(request, filter_id), p.str("keyword", ""),
                             p.bool("whole_word", True))
    return serialize_keyword(row)


@endpoint(["GET"], scope=READ)
def _keyword_show(request, keyword_id):
    return serialize_keyword(own_keyword(request, keyword_id))


@endpoint(["PUT", "PATCH"], scope=WRITE)
def _keyword_update(request, keyword_id):
    p = request.params
    row = domain.update_keyword(own_keyword(request, keyword_id), keyword=p.str("keyword"),
                                whole_word=p.bool("whole_word", None))
    return serialize_keyword(row)


@endpoint(["DELETE"], scope=WRITE)
def _keyword_delete(request, keyword_id):
    own_keyword(request, keyword_id).delete()
    return {}


@endpoint(["GET"], scope=READ)
def _statuses_index(request, filter_id):
    return [serialize_filter_status(s) for s in _own(request, filter_id).statuses.all()]


@endpoint(["POST"], scope=WRITE)
def _statuses_add(request, filter_id):
    found = _own(request, filter_id)
    post = get_post(request.params.str("status_id", ""), request.api_account)
    return serialize_filter_status(domain.add_status(found, post))


@endpoint(["GET"], scope=READ)
def _status_show(request, row_id):
    return serialize_filter_status(_own_status(request, row_id))


@endpoint(["DELETE"], scope=WRITE)
def _status_delete(request, row_id):
    _own_status(request, row_id).delete()
    return {}


index = by_method(GET=_index, POST=_create)
one = by_method(GET=_show, PUT=_update, PATCH=_update, DELETE=_delete)
keywords = by_method(GET=_keywords_index, POST=_keywords_add)
keyword = by_method(GET=_keyword_show, PUT=_keyword_update, PATCH=_keyword_update,
                    DELETE=_keyword_delete)
statuses = by_method(GET=_statuses_index, POST=_statuses_add)
status = by_method(GET=_status_show, DELETE=_status_delete)

