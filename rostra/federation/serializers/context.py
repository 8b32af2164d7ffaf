"""The JSON-LD ``@context`` documents carry, as Mastodon writes it (so every
implementation that special-cases Mastodon's terms understands ours)."""

from __future__ import annotations

AS = "https://www.w3.org/ns/activitystreams"
SECURITY = "https://w3id.org/security/v1"

EXTENSIONS = {
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "toot": "http://joinmastodon.org/ns#",
    "featured": {"@id": "toot:featured", "@type": "@id"},
    "featuredTags": {"@id": "toot:featuredTags", "@type": "@id"},
    "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
    "movedTo": {"@id": "as:movedTo", "@type": "@id"},
    "schema": "http://schema.org#",
    "PropertyValue": "schema:PropertyValue",
    "value": "schema:value",
    "discoverable": "toot:discoverable",
    "indexable": "toot:indexable",
    "suspended": "toot:suspended",
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "blurhash": "toot:blurhash",
    "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
    "votersCount": "toot:votersCount",
    "Emoji": "toot:Emoji",
    # An attachment's IPTC digital source type (schema.org's property; the value is
    # a term of http://cv.iptc.org/newscodes/digitalsourcetype/): how we say
    # "AI-generated". Full IRI: Mastodon's "schema" prefix above is not schema.org's.
    "digitalSourceType": {"@id": "https://schema.org/digitalSourceType", "@type": "@id"},
}

CONTEXT = [AS, SECURITY, EXTENSIONS]


def with_context(document: dict) -> dict:
    """``document`` with the ``@context`` first (top-level documents only)."""
    return {"@context": CONTEXT, **document}
