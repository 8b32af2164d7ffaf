"""API errors in Mastodon's shape: ``{"error": "..."}``, with ``details`` on 422.

Views raise ``ApiError`` (or let a domain error through); the ``endpoint``
decorator in auth.py turns it into the JSON response.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Read when an error is raised, in the language of that request (the token owner's).
INVALID_TOKEN = gettext_lazy("The access token is invalid")
OUT_OF_SCOPE = gettext_lazy("This action is outside the authorized scopes")
NOT_FOUND = gettext_lazy("Record not found")
USER_REQUIRED = gettext_lazy("This method requires an authenticated user")


class ApiError(Exception):
    def __init__(self, status: int, message: str, details: dict | None = None):
        message = str(message)  # a lazy message is read now, in the request's language
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details

    def response(self) -> JsonResponse:
        body: dict = {"error": self.message}
        if self.details:
            body["details"] = self.details
        return JsonResponse(body, status=self.status)


class Throttled(ApiError):
    """429 past one of ``core.throttles``' limits (sign-up, log-in), with ``Retry-After``."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(429, message)
        self.retry_after = retry_after

    def response(self) -> JsonResponse:
        response = super().response()
        response["Retry-After"] = str(self.retry_after)
        return response


def not_found() -> ApiError:
    return ApiError(404, NOT_FOUND)


def validation(message: str, field: str | None = None, code: str = "ERR_INVALID") -> ApiError:
    """A 422 with Mastodon's ``details``: ``{field: [{"error": CODE, "description": msg}]}``."""
    details = {field: [{"error": code, "description": message}]} if field else None
    return ApiError(422, _("Validation failed: %(message)s") % {"message": message}, details)


# Domain field names → the API parameter a client sent.
FIELD_NAMES = {"text": "status", "in_reply_to": "in_reply_to_id", "media": "media_ids",
               "fields": "fields_attributes", "poll": "poll"}


def from_domain(exc: ValueError, fields: dict[str, str] | None = None) -> ApiError:
    """An ``AccountError``/``PostError`` → 422 naming the parameter at fault."""
    field = getattr(exc, "field", None)
    if field:
        field = (fields or {}).get(field) or FIELD_NAMES.get(field, field)
    return validation(str(exc), field or "base")
