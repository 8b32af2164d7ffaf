"""The ASGI application: WebSocket connections go to the streaming API, all else
to Django."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rostra.settings")
django_application = get_asgi_application()

from django.conf import settings  # noqa: E402

from rostra.api.streaming.websocket import websocket_app  # noqa: E402  (needs Django set up)
from rostra.core.asgi_limits import cap_bodies  # noqa: E402
from rostra.core.asgi_queue import queue_requests  # noqa: E402
from rostra.core.metrics import observe_queue_wait  # noqa: E402
from rostra.federation.inbox import MAX_BODY  # noqa: E402

django_application = cap_bodies(
    django_application, lambda path: path.rstrip("/").endswith("/inbox"), MAX_BODY
)
django_application = queue_requests(
    django_application, settings.ROSTRA_WEB_CONCURRENCY, settings.ROSTRA_QUEUE_TIMEOUT,
    on_wait=observe_queue_wait)

# Everything loaded at start-up lives as long as the process: move it out of the
# garbage collector's sight, so its full passes no longer stall requests (the
# largest part of the home timeline's p99, measured by bench/timeline.py).
gc.collect()
gc.freeze()


async def application(scope, receive, send):
    if scope["type"] == "websocket":
        return await websocket_app(scope, receive, send)
    return await django_application(scope, receive, send)
