"""Server-Sent Events: ``/api/v1/streaming/user``, ``/user/notification``,
``/public``, ``/public/local``, ``/public/remote``, ``/hashtag?tag=``,
``/hashtag/local?tag=``, ``/list?list=``, ``/direct``, and ``/health``."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse

from rostra.api.auth import bearer_token, with_cors
from rostra.api.streaming.channels import StreamError, authenticate, resolve
from rostra.api.streaming.hub import db
from rostra.api.streaming.session import Session

HEARTBEAT = 15.0
METHODS = ("GET",)


async def _stream(request, name: str):
    if request.method == "OPTIONS":
        return with_cors(HttpResponse(status=204), METHODS)
    if request.method != "GET":
        return with_cors(JsonResponse({"error": "Method not allowed"}, status=405), METHODS)
    try:
        viewer = await db(authenticate, bearer_token(request))
        channel = await db(resolve, name, viewer, tag=request.GET.get("tag"),
                           list_id=request.GET.get("list"))
    except StreamError as exc:
        return with_cors(JsonResponse({"error": exc.message}, status=exc.status), METHODS)
    session = Session(viewer)
    await session.subscribe(channel)

    async def events():
        try:
            yield ":)\n\n"
            while True:
                batch = await session.next_events(HEARTBEAT)
                if not batch:
                    yield ":thump\n\n"
                for _name, event, payload in batch:
                    yield f"event: {event}\ndata: {payload}\n\n"
        finally:
            session.close()

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"
    return with_cors(response, METHODS)


def _view(name: str):
    async def view(request):
        return await _stream(request, name)

    view.__name__ = "stream_" + name.replace(":", "_")
    return view


async def streaming_root(request):
    """``GET /api/v1/streaming?stream=...`` without a WebSocket upgrade: SSE."""
    return await _stream(request, request.GET.get("stream") or "user")


async def health(request):
    return with_cors(HttpResponse("OK", content_type="text/plain"), METHODS)


user = _view("user")
user_notification = _view("user:notification")
public = _view("public")
public_local = _view("public:local")
public_remote = _view("public:remote")
hashtag = _view("hashtag")
hashtag_local = _view("hashtag:local")
list_ = _view("list")
direct = _view("direct")
