"""Id-based pagination, as Mastodon clients expect it.

``max_id``: older than; ``since_id``: newer than (newest first); ``min_id``: the
page immediately newer than (oldest first, returned newest first).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

DEFAULT_LIMIT = 20
MAX_LIMIT = 40


@dataclass(frozen=True)
class Page:
    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None
    limit: int = DEFAULT_LIMIT

    @classmethod
    def from_params(cls, params, default_limit: int = DEFAULT_LIMIT) -> Page:
        def as_int(name: str) -> int | None:
            value = params.get(name)
            try:
                number = int(value) if value not in (None, "") else None
            except (TypeError, ValueError):
                return None
            # Ids are signed 64-bit: a larger number would overflow the database.
            return None if number is None else max(-(2**63), min(number, 2**63 - 1))

        limit = as_int("limit") or default_limit
        return cls(as_int("max_id"), as_int("since_id"), as_int("min_id"),
                   max(1, min(limit, MAX_LIMIT)))


def paginate(qs: QuerySet, page: Page, field: str = "id") -> list:
    """Apply ``page`` to ``qs`` (ordered by nothing yet); newest first."""
    if page.max_id is not None:
        qs = qs.filter(**{f"{field}__lt": page.max_id})
    if page.since_id is not None:
        qs = qs.filter(**{f"{field}__gt": page.since_id})
    if page.min_id is not None:
        rows = list(qs.filter(**{f"{field}__gt": page.min_id}).order_by(field)[: page.limit])
        rows.reverse()
        return rows
    return list(qs.order_by(f"-{field}")[: page.limit])
