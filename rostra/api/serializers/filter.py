"""Mastodon's Filter (v2), FilterKeyword, FilterStatus and FilterResult entities,
and the v1 filter (one per keyword) for older clients."""

from __future__ import annotations

from rostra.api.serializers.common import iso


def serialize_keyword(row) -> dict:
    return {"id": str(row.pk), "keyword": row.keyword, "whole_word": row.whole_word}


def serialize_filter_status(row) -> dict:
    return {"id": str(row.pk), "status_id": str(row.post_id)}


def serialize_filter(found, *, with_children: bool = True) -> dict:
    data = {
        "id": str(found.pk),
        "title": found.title,
        "context": list(found.context or []),
        "expires_at": iso(found.expires_at),
        "filter_action": found.filter_action,
    }
    if with_children:
        data["keywords"] = [serialize_keyword(k) for k in found.keywords.all()]
        data["statuses"] = [serialize_filter_status(s) for s in found.statuses.all()]
    return data


def serialize_filter_result(result) -> dict:
    """A ``timelines.filters.FilterResult``; the filter is given without its
    keywords and statuses, as Mastodon does."""
    return {"filter": serialize_filter(result.filter, with_children=False),
            "keyword_matches": result.keyword_matches,
            "status_matches": result.status_matches}


def serialize_v1_filters(found) -> list[dict]:
    """A v2 filter as v1 filters: one per keyword (v1 has no statuses)."""
    return [
        {"id": str(k.pk), "phrase": k.keyword, "context": list(found.context or []),
         "whole_word": k.whole_word, "expires_at": iso(found.expires_at),
         "irreversible": found.filter_action == "hide"}
        for k in found.keywords.all()
    ]
