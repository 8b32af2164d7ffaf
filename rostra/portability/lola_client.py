"""LOLA, destination side: the OAuth client and the HTTP calls this server makes to
the server an account moves away from (the source).

Every request goes through ``core.net`` (SSRF guard, size and time caps). Choices
where the LOLA draft is silent or leaves a choice:

* discovery: the actor document's ``accountPortabilityOauth`` or
  ``endpoints.oauthMigrationEndpoint`` names the authorize page; without either,
  Mastodon's ``/oauth/authorize``. The token endpoint is
  ``endpoints.oauthTokenEndpoint`` or ``/oauth/token``. Both, and the client
  registration (Mastodon's ``POST /api/v1/apps``), must be on the actor's own
  server: the grant is for that server's data;
* the client identifies itself with a ``client_id`` and secret from that
  registration (the draft allows it in place of DPoP);
* the token is sent only to the actor's own server, and never across a redirect
  (a 3xx is an error here), so it cannot leak to another host;
* a ``429`` answer raises ``RateLimited`` with the ``Retry-After`` delay.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from rostra.api.scopes import PORTABILITY
from rostra.core import net
from rostra.federation import policy, remote

MAX_DOCUMENT_BYTES = 4 * 1024 * 1024


class TransferError(Exception):
    """The source server cannot be used for a transfer; the message says why."""


class RateLimited(TransferError):
    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def origin_of(uri: str) -> str:
    scheme, __, rest = uri.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if rest else ""


def _on_source(url: str, actor_uri: str, what: str) -> str:
    if not (isinstance(url, str) and remote.same_origin(url, actor_uri)):
        raise TransferError(_("The old server's %(what)s is not on its own server.")
            % {"what": what})
    return url


def _answer(response: net.Response, url: str) -> dict:
    if response.status == 429:
        try:
            delay = int(response.headers.get("retry-after") or 60)
        except ValueError:
            delay = 60
        raise RateLimited(f"{url} asks us to slow down.", max(1, min(delay, 3600)))
    if 300 <= response.status < 400:
        raise TransferError(_("%(url)s redirected; the grant is not sent elsewhere.")
            % {"url": url})
    if response.status in (401, 403):
        raise TransferError(_("The old server refused the grant: authorize the transfer again."))
    if not response.ok:
        raise TransferError(_("%(url)s answered HTTP %(status)s.")
            % {"url": url, "status": response.status})
    try:
        document = response.json()
    except net.NetError as exc:
        raise TransferError(str(exc)) from exc
    if not isinstance(document, dict):
        raise TransferError(_("%(url)s did not answer with a JSON object.") % {"url": url})
    return document


def get_json(url: str, token: str = "") -> dict:
    """GET an ActivityStreams document (with the grant when ``token``)."""
    if policy.is_refused(policy.host_of(url)):
        raise TransferError(_("%(host)s is blocked here.") % {"host": policy.host_of(url)})
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = net.fetch(url, headers=headers, follow_redirects=not token,
                             max_bytes=MAX_DOCUMENT_BYTES, timeout=30)
    except net.NetError as exc:
        raise TransferError(str(exc)) from exc
    return _answer(response, url)


def _post(url: str, body: bytes, content_type: str, token: str = "") -> tuple[int, dict]:
    if policy.is_refused(policy.host_of(url)):
        raise TransferError(_("%(host)s is blocked here.") % {"host": policy.host_of(url)})
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = net.post(url, body, content_type=content_type, accept="application/json",
                            headers=headers, timeout=30)
    except net.NetError as exc:
        raise TransferError(str(exc)) from exc
    try:
        document = response.json()
    except net.NetError:
        document = {}
    return response.status, document if isinstance(document, dict) else {}


def _form(url: str, fields: dict, token: str = "") -> tuple[int, dict]:
    return _post(url, urlencode(fields).encode(), "application/x-www-form-urlencoded", token)


# --- discovery and the grant ---------------------------------------------------------

def discover(actor_uri: str) -> dict:
    """What the transfer needs from the old actor's document: its id, followers
    collection, authorize and token endpoints. Raises ``TransferError``."""
    document = get_json(actor_uri)
    if document.get("id") != actor_uri:
        raise TransferError(_("The old account's document names another actor."))
    endpoints = document.get("endpoints") if isinstance(document.get("endpoints"), dict) else {}
    origin = origin_of(actor_uri)
    authorize = (document.get("accountPortabilityOauth")
                 or endpoints.get("oauthMigrationEndpoint") or f"{origin}/oauth/authorize")
    token_url = endpoints.get("oauthTokenEndpoint") or f"{origin}/oauth/token"
    return {
        "actor": actor_uri,
        "origin": origin,
        "followers": str(document.get("followers") or ""),
        "authorize": _on_source(authorize, actor_uri, "authorization page"),
        "token_url": _on_source(token_url, actor_uri, "token endpoint"),
        "lola": bool(document.get("accountPortabilityOauth")
                     or endpoints.get("oauthMigrationEndpoint")),
    }


def register_client(origin: str, redirect_uri: str, name: str, website: str) -> tuple[str, str]:
    """Register this server as an OAuth client of ``origin``: (client_id, secret)."""
    status, body = _form(f"{origin}/api/v1/apps", {
        "client_name": name, "redirect_uris": redirect_uri, "scopes": PORTABILITY,
        "website": website})
    if status != 200 or not body.get("client_id") or not body.get("client_secret"):
        error = body.get("error") or f"HTTP {status}"
        raise TransferError(_("The old server does not let us register for a transfer "
          "(%(error)s).") % {"error": error})
    return str(body["client_id"]), str(body["client_secret"])


def authorize_url(source: dict, client_id: str, redirect_uri: str, state: str) -> str:
    query = urlencode({"response_type": "code", "client_id": client_id,
                       "redirect_uri": redirect_uri, "scope": PORTABILITY, "state": state})
    separator = "&" if "?" in source["authorize"] else "?"
    return f"{source['authorize']}{separator}{query}"


def exchange_code(source: dict, client_id: str, secret: str, code: str,
                  redirect_uri: str) -> str:
    """The access token for ``code`` (RFC 6749 4.1.3). Raises ``TransferError``."""
    status, body = _form(source["token_url"], {
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
        "client_id": client_id, "client_secret": secret})
    token = body.get("access_token")
    if status != 200 or not token:
        raise TransferError(_("The old server did not grant access: %(reason)s.")
            % {"reason": body.get("error_description") or body.get("error") or status})
    if PORTABILITY not in str(body.get("scope", PORTABILITY)).split():
        raise TransferError(_("The old server granted less than a transfer needs."))
    return str(token)


def report_moved(url: str, token: str, payload: dict) -> tuple[int, dict]:
    """POST the old→new mapping to the source's ``movedObjects`` endpoint."""
    return _post(url, json.dumps(payload).encode(), "application/json", token)


def revoke(source: dict, client_id: str, secret: str, token: str) -> None:
    """Give the grant back (best effort: a source that cannot is left alone)."""
    try:
        _form(f"{source['origin']}/oauth/revoke",
              {"token": token, "client_id": client_id, "client_secret": secret})
    except TransferError:
        pass
