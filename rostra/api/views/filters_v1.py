"""``/api/v1/filters``: the v1 filter API over v2 filters. A v1 filter is one
keyword of a v2 filter (its id is the keyword's id): creating one makes a v2
filter titled with the phrase holding that keyword; ``irreversible`` is the
``hide`` action; deleting the last keyword deletes the v2 filter."""

from __future__ import annotations

from rostra.api.auth import by_method, endpoint
from rostra.api.serializers.filter import serialize_v1_filters
from rostra.api.views.filters import READ, WRITE, own_keyword
from rostra.timelines import filters as domain


def _v1(row) -> dict:
    return next(v for v in serialize_v1_filters(row.filter) if v["id"] == str(row.pk))


@endpoint(["GET"], scope=READ)
def _index(request):
    return [v1 for f in domain.filters_of(request.api_account) for v1 in serialize_v1_filters(f)]


@endpoint(["POST"], scope=WRITE)
def _create(request):
    p = request.params
    phrase = p.str("phrase", "") or ""
    created = domain.create_filter(
        request.api_account, phrase, p.list("context"),
        filter_action="hide" if p.bool("irreversible") else "warn",
        expires_in=p.str("expires_in"), keywords=[(phrase, bool(p.bool("whole_word", True)))])
    return _v1(created.keywords.get())


@endpoint(["GET"], scope=READ)
def _show(request, keyword_id):
    return _v1(own_keyword(request, keyword_id))


@endpoint(["PUT"], scope=WRITE)
def _update(request, keyword_id):
    p = request.params
    row = domain.update_v1_filter(
        own_keyword(request, keyword_id), phrase=p.str("phrase"),
        whole_word=p.bool("whole_word", None),
        context=p.list("context") if p.has("context") else None,
        irreversible=p.bool("irreversible", None),
        **({"expires_in": p.str("expires_in")} if p.has("expires_in") else {}))
    return _v1(own_keyword(request, row.pk))


@endpoint(["DELETE"], scope=WRITE)
def _delete(request, keyword_id):
    domain.delete_v1_filter(own_keyword(request, keyword_id))
    return {}


index = by_method(GET=_index, POST=_create)
one = by_method(GET=_show, PUT=_update, DELETE=_delete)
