"""Actor documents: local accounts (``Person``, or ``Service`` for bots) and the
instance actor (``Application``), shaped as Mastodon serves them."""

from __future__ import annotations

from html import escape

from rostra.accounts.models import Account
from rostra.core import text as text_mod
from rostra.core.links import absolute_url
from rostra.federation import keys, uris
from rostra.federation.serializers.common import absolute_html, image, iso
from rostra.federation.serializers.context import CONTEXT, with_context
from rostra.integrity.labels import labels_of

# Account labels set by this server's moderators (no FEP covers them): Rostra's own
# terms. Receivers may show them as this server's statement about its account; we
# never read them from others (docs/api-compat.md, "Account labels").
ROSTRA_NS = "https://rostra.social/ns#"
LABEL_CONTEXT = {
    "rostra": ROSTRA_NS,
    "AccountLabel": "rostra:AccountLabel",
    "accountLabels": {"@id": "rostra:accountLabels", "@container": "@set"},
    "labelKind": "rostra:labelKind",
    "country": "rostra:country",
    "labelSource": {"@id": "rostra:labelSource", "@type": "@id"},
    "sourceNote": "rostra:sourceNote",
    "since": {"@id": "rostra:since", "@type": "http://www.w3.org/2001/XMLSchema#date"},
}


def _labels(account: Account) -> list[dict]:
    return [{"type": "AccountLabel", "labelKind": label.kind, "name": label.name,
             "country": label.country or None, "labelSource": label.source_url or None,
             "sourceNote": label.source_note or None, "since": label.since.isoformat(),
             "attributedTo": uris.instance_actor_uri()}
            for label in labels_of(account)]


def _field_value_html(value: str) -> str:
    """A profile field's value as HTML: a link when it is a URL, escaped text otherwise."""
    html = text_mod.render(value, lambda _ref: None, uris.tag_url)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html or escape(value)


def serialize_actor(account: Account) -> dict:
    """The full actor document of a local ``account`` (keys are made on first need)."""
    keys.ensure_keys(account)
    actor_id = uris.actor_uri(account)
    document = {
        "id": actor_id,
        "type": "Service" if account.bot else "Person",
        "following": uris.actor_path(account, "/following"),
        "followers": uris.actor_path(account, "/followers"),
        "inbox": uris.actor_path(account, "/inbox"),
        "outbox": uris.actor_path(account, "/outbox"),
        "featured": uris.actor_path(account, "/collections/featured"),
        "preferredUsername": account.username,
        "name": account.display_name,
        "summary": absolute_html(account.note_html or ""),
        "url": uris.profile_url(account),
        "manuallyApprovesFollowers": account.locked,
        "discoverable": account.discoverable,
        "indexable": account.discoverable,
        "published": iso(account.created_at.replace(hour=0, minute=0, second=0, microsecond=0)),
        # the owner's other accounts, which may move here (portability.move)
        "alsoKnownAs": list(account.also_known_as or []),
        "publicKey": {
            "id": keys.key_id(account),
            "owner": actor_id,
            "publicKeyPem": account.public_key,
        },
        "tag": [],
        "attachment": [
            {
                "type": "PropertyValue",
                "name": field.get("name", ""),
                "value": _field_value_html(field.get("value", "")),
            }
            for field in (account.fields or [])
            if isinstance(field, dict)
        ],
        "endpoints": {"sharedInbox": absolute_url("/inbox")},
    }
    if account.moved_to_id:
        document["movedTo"] = uris.actor_uri(account.moved_to)
    labels = _labels(account)
    if labels:
        document["accountLabels"] = labels
    icon, header = image(account.avatar), image(account.header)
    if icon:
        document["icon"] = icon
    if header:
        document["image"] = header
    if account.suspended_at:
        # As Mastodon serves a suspended account: the flag, and nothing of the profile.
        for name in ("icon", "image", "accountLabels"):
            document.pop(name, None)
        document.update(suspended=True, name="", summary="", attachment=[], tag=[])
        return with_context(document)
    if labels:
        return {"@context": [*CONTEXT, LABEL_CONTEXT], **document}
    return with_context(document)


def serialize_instance_actor() -> dict:
    """The server's own actor: it signs fetches and is followed by relays."""
    from django.conf import settings

    actor = keys.instance_actor()
    actor_id = uris.instance_actor_uri()
    host = settings.ROSTRA_DOMAIN.split(":")[0]
    return with_context({
        "id": actor_id,
        "type": "Application",
        "preferredUsername": host,
        "name": host,
        "inbox": f"{actor_id}/inbox",
        "outbox": f"{actor_id}/outbox",
        "url": absolute_url("/"),
        "manuallyApprovesFollowers": True,
        "publicKey": {
            "id": f"{actor_id}#main-key",
            "owner": actor_id,
            "publicKeyPem": actor.public_key,
        },
        "endpoints": {"sharedInbox": absolute_url("/inbox")},
    })
