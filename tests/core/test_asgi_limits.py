"""The body cap in front of Django: a chunked body over the cap is refused early."""

import asyncio

from rostra.core.asgi_limits import cap_bodies

CHUNK = b"x" * 65536


def _run(app, path, chunks, headers=()):
    sent, received = [], []
    pending = list(chunks)

    async def receive():
        chunk = pending.pop(0)
        received.append(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "headers": list(headers)}
    asyncio.run(app(scope, receive, send))
    return sent, received


async def _echo_app(scope, receive, send):
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(len(body)).encode()})


def _capped():
    return cap_bodies(_echo_app, lambda path: path.endswith("/inbox"), 1024 * 1024)


def test_chunked_body_over_the_cap_is_refused_before_it_is_all_read():
    sent, received = _run(_capped(), "/inbox", [CHUNK] * 800)  # 50 MB offered
    assert sent[0]["status"] == 413
    assert sum(map(len, received)) <= 1024 * 1024 + len(CHUNK)


def test_declared_length_over_the_cap_is_refused_without_reading():
    sent, received = _run(_capped(), "/users/a/inbox", [CHUNK],
                          headers=[(b"content-length", b"52428800")])
    assert sent[0]["status"] == 413
    assert received == []


def test_body_under_the_cap_reaches_the_app_whole():
    sent, _ = _run(_capped(), "/inbox", [CHUNK] * 3)
    assert sent[0]["status"] == 200
    assert sent[1]["body"] == str(3 * len(CHUNK)).encode()


def test_other_paths_are_not_capped():
    sent, _ = _run(_capped(), "/api/v2/media", [CHUNK] * 20)
    assert sent[0]["status"] == 200
