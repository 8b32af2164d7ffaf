"""``/api/v1/streaming`` over WebSocket (an ASGI app; rostra/asgi.py routes the
``websocket`` scope here). Mastodon's protocol: ``?stream=`` (with ``tag`` or
``list``) subscribes at once; ``{"type": "subscribe"|"unsubscribe", "stream":
..., "tag"/"list": ...}`` messages change the subscriptions; every event is sent
as ``{"stream": [...], "event": ..., "payload": "<JSON string>"}``. The token
comes as ``access_token``, an ``Authorization: Bearer`` header, or the
``Sec-WebSocket-Protocol`` header (as browsers cannot set headers)."""

from __future__ import annotations

import asyncio
import json
import logging
from urllib.parse import parse_qs

from rostra.api.streaming.channels import StreamError, authenticate, resolve
from rostra.api.streaming.hub import db
from rostra.api.streaming.session import Session

log = logging.getLogger(__name__)

PATH = "/api/v1/streaming"
IDLE = 30.0


def _token(scope, query: dict) -> tuple[str | None, str | None]:
    """(token, the subprotocol to echo when the token came that way)."""
    if query.get("access_token"):
        return query["access_token"][-1], None
    headers = {k.decode("latin-1").lower(): v.decode("latin-1")
               for k, v in scope.get("headers", [])}
    kind, _, value = headers.get("authorization", "").partition(" ")
    if kind.lower() == "bearer" and value.strip():
        return value.strip(), None
    protocols = scope.get("subprotocols") or []
    if protocols:
        return protocols[0], protocols[0]
    return None, None


async def _send_json(send, data: dict) -> None:
    await send({"type": "websocket.send", "text": json.dumps(data)})


async def _handle(message: dict, session: Session, send) -> None:
    try:
        data = json.loads(message.get("text") or message.get("bytes") or b"")
    except ValueError:
        await _send_json(send, {"error": "Invalid JSON", "status": 400})
        return
    if not isinstance(data, dict) or data.get("type") not in ("subscribe", "unsubscribe"):
        await _send_json(send, {"error": "Unknown message type", "status": 400})
        return
    try:
        channel = await db(resolve, str(data.get("stream") or ""), session.viewer,
                           tag=data.get("tag"), list_id=data.get("list"))
    except StreamError as exc:
        await _send_json(send, {"error": exc.message, "status": exc.status})
        return
    if data["type"] == "subscribe":
        await session.subscribe(channel)
    else:
        session.unsubscribe(channel)


async def _reader(receive, session: Session, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message["type"] == "websocket.receive":
            await _handle(message, session, send)


async def _writer(session: Session, send) -> None:
    while True:
        for name, event, payload in await session.next_events(IDLE):
            await _send_json(send, {"stream": list(name), "event": event, "payload": payload})


async def websocket_app(scope, receive, send) -> None:
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    path = scope.get("path", "").rstrip("/")
    if path != PATH and not path.startswith(PATH + "/"):
        await send({"type": "websocket.close", "code": 4404})
        return
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    token, subprotocol = _token(scope, query)
    try:
        viewer = await db(authenticate, token)
        first = None
        if query.get("stream"):
            first = await db(resolve, query["stream"][-1], viewer,
                             tag=(query.get("tag") or [None])[-1],
                             list_id=(query.get("list") or [None])[-1])
    except StreamError as exc:
        log.info("Streaming connection refused: %s", exc.message)
        await send({"type": "websocket.close", "code": 4000 + exc.status})
        return
    await send({"type": "websocket.accept", "subprotocol": subprotocol})
    session = Session(viewer)
    tasks = []
    try:
        if first is not None:
            await session.subscribe(first)
        loop = asyncio.get_running_loop()
        tasks = [loop.create_task(_reader(receive, session, send)),
                 loop.create_task(_writer(session, send))]
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task.exception() is not None and not isinstance(task.exception(), OSError):
                log.warning("Streaming connection ended: %r", task.exception())
    finally:
        for task in tasks:
            task.cancel()
        session.close()
