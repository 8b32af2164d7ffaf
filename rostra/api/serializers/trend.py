"""Trend entities: a trending Tag (a Tag with its history) and a trending link
(Mastodon's PreviewCard with ``history``). Rostra does not fetch linked pages, so a
card carries its URL as its title and no description or image."""

from __future__ import annotations

from urllib.parse import urlsplit

from rostra.api.serializers.tag import serialize_tag


def serialize_trend_tag(trend) -> dict:
    return serialize_tag(trend.subject, trend.history)


def serialize_link(trend) -> dict:
    url = trend.subject
    host = urlsplit(url).hostname or ""
    return {
        "url": url, "title": url, "description": "", "type": "link",
        "author_name": "", "author_url": "", "provider_name": host,
        "provider_url": f"https://{host}" if host else "", "html": "",
        "width": 0, "height": 0, "image": None, "image_description": "",
        "embed_url": "", "blurhash": None, "published_at": None, "authors": [],
        "history": trend.history,
    }
