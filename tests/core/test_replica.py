"""The read replica takes the heavy public reads, and nothing else: reads inside
``replica.reading()`` (public timelines, search, the transparency report) go to the
replica; writes, and reads outside, go to the primary, so nobody misses what they
just did.

The test database has no replica of its own: a ``replica`` alias declared here
with ``TEST: {"MIRROR": "default"}`` is another connection to the same test
database, so its answers are real while every query it runs is captured apart.
"""

from __future__ import annotations

import copy
from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from rostra.core import replica
from rostra.core.scale import REPLICA, replica_database
from rostra.moderation.transparency_figures import figures
from rostra.posts import services as posts
from rostra.posts.models import Favourite, Post
from rostra.posts.search import search_posts
from rostra.timelines import services as timelines
from rostra.timelines.pagination import Page
from tests import factories


def _declare_replica_alias() -> None:
    """Add the mirrored alias before pytest-django sets the test databases up
    (this runs at collection); without the router it is never used."""
    if REPLICA in connections.settings:
        return
    alias = copy.deepcopy(settings.DATABASES["default"])
    alias["TEST"] = {"MIRROR": "default"}
    settings.DATABASES[REPLICA] = alias
    configured = connections.configure_settings(
        {"default": copy.deepcopy(settings.DATABASES["default"]), REPLICA: alias})
    connections.settings[REPLICA] = configured[REPLICA]


_declare_replica_alias()

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA]),
    pytest.mark.usefixtures("_routed"),
]


@pytest.fixture
def _routed():
    with override_settings(DATABASE_ROUTERS=[replica.ROUTER]):
        yield


def _captured():
    return (CaptureQueriesContext(connections["default"]),
            CaptureQueriesContext(connections[REPLICA]))


def _touching(queries, table: str) -> list[str]:
    return [q["sql"] for q in queries if table in q["sql"]]


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_public_timeline_reads_its_posts_on_the_replica():
    author = factories.make_account("ada")
    post = factories.make_post(author, "On the public timeline", visibility="public")
    primary, mirror = _captured()
    with primary, mirror:
        found = timelines.public(None, Page(limit=20))
    assert [p.pk for p in found] == [post.pk]
    assert _touching(mirror.captured_queries, '"posts_post"')
    assert not _touching(primary.captured_queries, 'FROM "posts_post"')


def test_local_and_hashtag_timelines_read_on_the_replica():
    author = factories.make_account("ada")
    post = factories.make_post(author, "Hello #europe", visibility="public")
    primary, mirror = _captured()
    with primary, mirror:
        local = timelines.local(None, Page(limit=20))
        tagged = timelines.tag(None, "europe", Page(limit=20))
    assert [p.pk for p in local] == [post.pk] == [p.pk for p in tagged]
    assert len(_touching(mirror.captured_queries, 'FROM "posts_post"')) >= 2


def test_what_the_viewer_did_is_read_from_the_primary():
    """A like made a moment ago shows at once: the viewer's own state never
    comes from the lagging replica."""
    author, reader = factories.make_account("ada"), factories.make_account("reader")
    post = factories.make_post(author, "Like me", visibility="public")
    posts.favourite(reader, post)
    primary, mirror = _captured()
    with primary, mirror:
        found = timelines.public(reader, Page(limit=20))
    assert found[0].pk == post.pk
    assert _touching(primary.captured_queries, '"posts_favourite"')
    assert not _touching(mirror.captured_queries, '"posts_favourite"')


def test_a_write_inside_reading_goes_to_the_primary():
    author = factories.make_account("ada")
    primary, mirror = _captured()
    with primary, mirror, replica.reading():
        post = posts.create_post(author, "Written while reading", visibility="public")
    assert _writes(primary.captured_queries)
    assert _writes(mirror.captured_queries) == []
    assert Post.objects.using("default").filter(pk=post.pk).exists()


def test_a_read_outside_reading_uses_the_primary():
    author = factories.make_account("ada")
    factories.make_post(author, "Fresh", visibility="public")
    primary, mirror = _captured()
    with primary, mirror:
        assert Post.objects.filter(account=author).count() == 1
        assert Favourite.objects.count() == 0
    assert mirror.captured_queries == []
    assert len(primary.captured_queries) == 2


def test_objects_read_on_the_replica_read_their_relations_from_the_primary_after():
    author = factories.make_account("ada")
    factories.make_post(author, "Fresh", visibility="public")
    with replica.reading():
        post = Post.objects.get(account=author)
    assert post._state.db == REPLICA
    primary, mirror = _captured()
    with primary, mirror:
        assert post.account.username == "ada"
    assert mirror.captured_queries == []


def test_search_results_are_read_on_the_replica():
    author = factories.make_account("ada")
    post = factories.make_post(author, "Lighthouses of the Baltic", visibility="public")
    primary, mirror = _captured()
    with primary, mirror:
        found = list(search_posts("lighthouses", None))
    assert [p.pk for p in found] == [post.pk]
    assert _touching(mirror.captured_queries, '"posts_post"')
    assert not _touching(primary.captured_queries, 'FROM "posts_post"')


def test_transparency_figures_are_counted_on_the_replica():
    primary, mirror = _captured()
    with primary, mirror:
        report = figures(date(2026, 1, 1), date(2026, 1, 31))
    assert report.cases is not None
    assert _touching(mirror.captured_queries, "moderation_")
    assert not _touching(primary.captured_queries, "moderation_")


def test_without_the_router_reading_changes_nothing():
    author = factories.make_account("ada")
    factories.make_post(author, "Fresh", visibility="public")
    primary, mirror = _captured()
    with override_settings(DATABASE_ROUTERS=[]), primary, mirror:
        assert len(timelines.public(None, Page(limit=20))) == 1
        assert replica.pinned(Post.objects.all()).db == "default"
    assert mirror.captured_queries == []
    assert _touching(primary.captured_queries, 'FROM "posts_post"')


def test_a_replica_of_another_kind_of_database_is_refused():
    primary = {"ENGINE": "django.db.backends.postgresql", "CONN_MAX_AGE": 0}
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL replica"):
        replica_database("sqlite:////tmp/elsewhere.sqlite3", primary)
    found = replica_database("postgres://reader:secret@replica.internal:5432/rostra", primary)
    assert found["HOST"] == "replica.internal"
    assert found["TEST"] == {"MIRROR": "default"}
