"""``/api/openapi.json``: the OpenAPI document of this API (``api/openapi.py``)."""

from __future__ import annotations

import functools

from rostra.api import openapi
from rostra.api.auth import endpoint


@functools.cache
def _document() -> dict:
    return openapi.build()


@endpoint(["GET"], auth="none")
def document(request):
    return _document()
