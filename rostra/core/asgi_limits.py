"""A body-size cap applied before Django reads a request.

Under ASGI, Django spools a request body without ``Content-Length`` (chunked) to
a temporary file before any view runs, so a view cannot refuse a huge body early.
This wrapper caps the bodies of the paths that take small documents (the
federation inboxes): it answers 413 as soon as the declared or received size
passes the cap, having read no more than that.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]],
                   Awaitable[None]]


async def _too_large(send, limit: int) -> None:
    body = b'{"error": "The request body is larger than %d bytes."}' % limit
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def cap_bodies(app: ASGIApp, applies: Callable[[str], bool], limit: int) -> ASGIApp:
    """``app`` with POST bodies of the paths where ``applies(path)`` capped at ``limit``."""

    async def capped(scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST" or not applies(scope["path"]):
            return await app(scope, receive, send)
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                return await _too_large(send, limit)
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                return await _too_large(send, limit)
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        return await app(scope, replay, send)

    return capped
