"""Reads that may go to the read replica, and only those.

A replica lags the primary by a moment, so routing every read there would show
people a world without what they just wrote. Reads go to the replica only inside
``reading()`` (or on a queryset passed through ``pinned``), and code uses them only
for heavy, public reads that tolerate that moment: public and hashtag timelines,
search, the researcher API, the transparency report. Everything else, every write
and every read outside, goes to the primary. Without ``ROSTRA_DATABASE_REPLICA_URL``
the router is not installed and both helpers change nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet

from rostra.core.scale import REPLICA

_reading: ContextVar[bool] = ContextVar("rostra_replica_reading", default=False)
ROUTER = "rostra.core.replica.ReplicaRouter"


def configured() -> bool:
    """True when a replica is configured and its router installed."""
    return REPLICA in settings.DATABASES and ROUTER in getattr(settings, "DATABASE_ROUTERS", ())


@contextmanager
def reading() -> Iterator[None]:
    """Send the reads made inside (in this thread or task) to the replica."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def pinned(qs: QuerySet) -> QuerySet:
    """``qs`` evaluated on the replica wherever it is evaluated (a lazy queryset a
    door will page through); unchanged without a replica."""
    return qs.using(REPLICA) if configured() else qs


class ReplicaRouter:
    """Primary for writes and ordinary reads; the replica inside ``reading()``.

    Outside ``reading()`` even objects loaded from the replica read their relations
    from the primary: fresh data wins over locality.
    """

    def db_for_read(self, model, **hints) -> str:
        return REPLICA if _reading.get() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary by replication
