"""Full-text search of posts in the database itself, no external engine.

SQLite: an FTS5 table keyed by post id, kept in step by model signals (so every
write path is covered). PostgreSQL: a GIN expression index on ``to_tsvector``,
queried with ``websearch_to_tsquery``; nothing to keep in step. Results are
always narrowed by the visibility rule.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save

from rostra.accounts.models import Account
from rostra.core import replica

FTS_TABLE = "posts_post_fts"
PG_VECTOR = "to_tsvector('simple', coalesce(text, '') || ' ' || coalesce(spoiler_text, ''))"


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def _document(post) -> str:
    return f"{post.text}\n{post.spoiler_text}".strip()


def index_post(sender, instance, **kwargs) -> None:
    if not _sqlite() or instance.reblog_of_id:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [instance.pk])
        cursor.execute(
            f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (%s, %s)",
            [instance.pk, _document(instance)],
        )


def index_posts(posts) -> None:
    """Index newly inserted ``posts`` (a bulk insert sends no ``post_save``)."""
    rows = [(p.pk, _document(p)) for p in posts if not p.reblog_of_id]
    if rows and _sqlite():
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (%s, %s)", rows)


def unindex_post(sender, instance, **kwargs) -> None:
    if not _sqlite():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [instance.pk])


def connect() -> None:
    from rostra.posts.models import Post

    post_save.connect(index_post, sender=Post, dispatch_uid="rostra-search-index")
    post_delete.connect(unindex_post, sender=Post, dispatch_uid="rostra-search-unindex")


def _fts5_query(query: str) -> str:
    """User words → an FTS5 query of quoted terms (all must match); no operators."""
    words = re.findall(r"\w+", query, re.UNICODE)
    return " ".join('"' + w.replace('"', "") + '"' for w in words[:20])


def search_posts(query: str, viewer: Account | None) -> QuerySet:
    """Posts matching ``query`` that ``viewer`` may see, newest first (none from a
    server the viewer blocked)."""
    from rostra.accounts.domain_blocks import domain_hidden_q
    from rostra.posts.models import Post
    from rostra.posts.visibility import discoverable_q, visible_q

    # PostgreSQL text cannot hold NUL; a query carrying one would raise, not match.
    query = (query or "").replace("\x00", "").strip()
    base = Post.objects.filter(visible_q(viewer), reblog_of__isnull=True)
    # What moderators demoted (or whose author they limited) is found by its author only.
    base = base.filter(discoverable_q() | Q(account=viewer)) if viewer else base.filter(
        discoverable_q())
    blocked_server = domain_hidden_q(viewer)  # the servers the viewer blocked
    if blocked_server is not None:
        base = base.filter(~blocked_server)
    if not query:
        return base.none()
    if _sqlite():
        fts = _fts5_query(query)
        if not fts:
            return base.none()
        matches = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [fts])
        return replica.pinned(base.filter(id__in=matches).order_by("-id"))
    matches = RawSQL(
        f"SELECT id FROM posts_post WHERE {PG_VECTOR} @@ websearch_to_tsquery('simple', %s)",
        [query],
    )
    # Full-text search is heavy and tolerates a moment's lag: the read replica's work.
    return replica.pinned(base.filter(id__in=matches).order_by("-id"))


def create_index_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            "body, tokenize = 'unicode61 remove_diacritics 2')"
        ]
    if vendor == "postgresql":
        return [
            f"CREATE INDEX IF NOT EXISTS posts_post_fts_idx ON posts_post USING gin ({PG_VECTOR})"
        ]
    return []


def drop_index_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TABLE IF EXISTS {FTS_TABLE}"]
    if vendor == "postgresql":
        return ["DROP INDEX IF EXISTS posts_post_fts_idx"]
    return []


def search_tags(query: str, *, limit: int = 20):
    """Hashtags whose name starts with ``query`` (a leading # is ignored)."""
    from rostra.posts.models import Tag

    name = (query or "").strip().lstrip("#").lower()
    if not name or not re.fullmatch(r"\w+", name, re.UNICODE):
        return []
    return list(Tag.objects.filter(name__startswith=name).order_by("name")[:limit])
