"""Mastodon's Application entity."""

from __future__ import annotations

from rostra.api.models import Application
from rostra.notifications import push


def serialize_application(app: Application, client_secret: str | None = None) -> dict:
    """With ``client_secret`` (only right after registration) the credentials too."""
    data = {
        "id": str(app.pk),
        "name": app.name,
        "website": app.website or None,
        "scopes": app.scope_list,
        "redirect_uri": "\n".join(app.redirect_uri_list),
        "redirect_uris": app.redirect_uri_list,
        "vapid_key": push.server_key(),
    }
    if client_secret is not None:
        data["client_id"] = app.client_id
        data["client_secret"] = client_secret
        data["client_secret_expires_at"] = 0
    return data
