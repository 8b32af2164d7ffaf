"""A fake remote server for inbound federation tests: actor documents (with real
keys) served by the loopback ``http_server``, and signed POSTs to our inboxes."""

from __future__ import annotations

import json
from datetime import datetime

from django.conf import settings

from rostra.federation.signatures import sign_request

AS2 = "application/activity+json"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


class FakeRemote:
    def __init__(self, server, private_pem: str, public_pem: str):
        self.server = server
        self.base = server.base
        self.domain = server.base.split("://", 1)[1]
        self.private_pem, self.public_pem = private_pem, public_pem
        self.keys: dict[str, tuple[str, str]] = {}
        self._ids = 0

    def uri(self, name: str) -> str:
        return f"{self.base}/users/{name}"

    def serve(self, path: str, document: dict, status: int = 200) -> None:
        self.server.routes[path] = (status, {"Content-Type": AS2}, json.dumps(document).encode())

    def actor(self, username: str, *, keys: tuple[str, str] | None = None, **extra) -> dict:
        """Publish the actor ``username`` (with ``keys`` = (private, public) PEM)."""
        private_pem, public_pem = keys or (self.private_pem, self.public_pem)
        self.keys[username] = (private_pem, public_pem)
        uri = self.uri(username)
        document = {
            "@context": ["https://www.w3.org/ns/activitystreams"],
            "id": uri, "type": "Person", "preferredUsername": username, "name": username.title(),
            "summary": "<p>Hi<script>alert(1)</script></p>",
            "inbox": f"{uri}/inbox", "outbox": f"{uri}/outbox",
            "followers": f"{uri}/followers", "following": f"{uri}/following",
            "featured": f"{uri}/collections/featured",
            "endpoints": {"sharedInbox": f"{self.base}/inbox"},
            "icon": {"type": "Image", "url": f"{self.base}/avatar.png"},
            "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": public_pem},
            **extra,
        }
        self.serve(f"/users/{username}", document)
        return document

    def webfinger(self, name: str) -> None:
        resource = f"acct:{name}@{self.domain}"
        jrd = {"subject": resource, "links": [
            {"rel": "self", "type": AS2, "href": self.uri(name)}]}
        self.server.routes[f"/.well-known/webfinger?resource={resource}"] = (
            200, {"Content-Type": "application/jrd+json"}, json.dumps(jrd).encode())

    def new_id(self, name: str, kind: str = "activity") -> str:
        self._ids += 1
        return f"{self.uri(name)}/{kind}/{self._ids}"

    def note(self, name: str, content: str = "<p>Hello</p>", **extra) -> dict:
        note_id = self.new_id(name, "statuses")
        return {"id": note_id, "type": "Note", "attributedTo": self.uri(name),
                "content": content, "published": "2024-05-01T12:00:00Z",
                "to": [PUBLIC], "cc": [f"{self.uri(name)}/followers"], **extra}

    def activity(self, name: str, kind: str, obj, **extra) -> dict:
        return {"@context": "https://www.w3.org/ns/activitystreams",
                "id": self.new_id(name), "type": kind, "actor": self.uri(name),
                "object": obj, **extra}

    def deliver(self, client, activity: dict | bytes, *, name: str | None = None,
                path: str = "/inbox", keys: tuple[str, str] | None = None,
                key_id: str | None = None, now: datetime | None = None,
                body: bytes | None = None, tamper: bool = False):
        """POST ``activity`` to our ``path``, signed as ``name`` (default: its actor)."""
        raw = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
        if name is None:
            name = activity["actor"].rsplit("/", 1)[1]
        private_pem = (keys or self.keys.get(name) or (self.private_pem,))[0]
        host = settings.ROSTRA_DOMAIN
        headers = {"Content-Type": AS2, "Host": host}
        signed = sign_request("POST", f"{settings.ROSTRA_SCHEME}://{host}{path}", headers,
                              raw, key_id=key_id or f"{self.uri(name)}#main-key",
                              private_key_pem=private_pem, now=now)
        if tamper:
            raw = raw.replace(b"Hello", b"Hullo")
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed.items()
                 if k != "Host"}
        return client.post(path, body if body is not None else raw, content_type=AS2,
                           HTTP_HOST=host, secure=settings.ROSTRA_SCHEME == "https", **extra)
