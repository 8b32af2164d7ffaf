"""Request bodies as Mastodon clients send them: JSON, form-encoded or multipart,
on any method, with Rails-style keys (``media_ids[]``, ``poll[options][]``,
``fields_attributes[0][name]``). Everything becomes one nested dict, merged over
the query string, so views read parameters one way.
"""

from __future__ import annotations

import json
import re

from django.utils.translation import gettext as _

from rostra.api.errors import ApiError

_KEY_PART = re.compile(r"\[([^\]]*)\]")
TRUE = {"1", "true", "on", "yes", "t"}


def _insert(target: dict, key: str, values: list) -> None:
    head, __, rest = key.partition("[")
    parts = [head, *_KEY_PART.findall("[" + rest)] if rest else [head]
    node = target
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        next_is_list = not last and parts[i + 1] == ""
        if last:
            if part == "":
                continue
            node[part] = values if len(values) > 1 else values[-1]
        elif next_is_list and i + 1 == len(parts) - 1:
            node.setdefault(part, [])
            if isinstance(node[part], list):
                node[part].extend(values)
            return
        elif next_is_list and i + 2 == len(parts) - 1:
            # x[][k]=a&x[][k]=b: a list of dicts, the n-th value to the n-th dict.
            items = node.setdefault(part, [])
            if not isinstance(items, list):
                return
            while len(items) < len(values):
                items.append({})
            for item, value in zip(items, values, strict=False):
                if isinstance(item, dict):
                    item[parts[i + 2]] = value
            return
        else:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child


def nest(querydict) -> dict:
    """A ``QueryDict`` with Rails-style keys → nested dicts and lists."""
    out: dict = {}
    for key in querydict:
        _insert(out, key, querydict.getlist(key))
    return out


def _load_body(request) -> tuple[dict, dict]:
    ctype = (request.content_type or "").lower()
    if ctype == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError as exc:
            raise ApiError(400, _("The request body is not valid JSON.")) from exc
        if not isinstance(data, dict):
            raise ApiError(400, _("The request body must be a JSON object."))
        return data, {}
    if ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        if request.method != "POST":
            # Django parses bodies of POST only; PUT/PATCH bodies are parsed alike.
            method, request.method = request.method, "POST"
            try:
                request._load_post_and_files()
            finally:
                request.method = method
        return nest(request.POST), request.FILES
    return {}, {}


class Params:
    """The parameters of one request (query string, then body on top)."""

    def __init__(self, request):
        body, self.files = _load_body(request)
        self.data = {**nest(request.GET), **body}

    def get(self, name: str, default=None):
        value = self.data.get(name, default)
        if isinstance(value, list):
            value = value[-1] if value else default
        return value

    def has(self, name: str) -> bool:
        return name in self.data

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.get(name)
        if value is None or isinstance(value, dict | list):
            return default
        return str(value)

    def bool(self, name: str, default: bool | None = False) -> bool | None:
        value = self.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in TRUE

    def int(self, name: str, default: int | None = None) -> int | None:
        value = self.get(name)
        try:
            return int(value) if value not in (None, "") else default
        except (TypeError, ValueError) as exc:
            raise ApiError(422, _("Validation failed: %(name)s must be a number.")
                % {"name": name}) from exc

    def list(self, name: str) -> list:
        value = self.data.get(name)
        if value is None:
            return []
        if isinstance(value, dict):  # {"0": ..., "1": ...}
            return [value[k] for k in sorted(value, key=lambda k: (len(k), k))]
        return value if isinstance(value, list) else [value]

    def dict(self, name: str) -> dict:
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}

    def file(self, name: str):
        return self.files.get(name) if self.files else None
