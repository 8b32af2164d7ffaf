"""Federation routes: discovery, the instance actor, actors, collections and posts."""

from django.urls import path, re_path

from rostra.federation.views import actors, discovery, hash_feeds, portability, x_connections

app_name = "federation"
urlpatterns = [
    path(".well-known/webfinger", discovery.webfinger, name="webfinger"),
    path(".well-known/host-meta", discovery.host_meta, name="host_meta"),
    path(".well-known/nodeinfo", discovery.nodeinfo_index, name="nodeinfo_index"),
    re_path(r"^nodeinfo/(?P<version>2\.[01])$", discovery.nodeinfo, name="nodeinfo"),
    path("authorize_interaction", discovery.authorize_interaction,
         name="authorize_interaction"),
    path("actor", actors.instance_actor, name="instance_actor"),
    path("actor/inbox", actors.inbox, name="instance_actor_inbox"),
    path("actor/outbox", actors.instance_actor_outbox, name="instance_actor_outbox"),
    path("inbox", actors.inbox, name="shared_inbox"),
    path("x-connections/lookup", x_connections.lookup, name="x_connections_lookup"),
    path("safety/feeds/<str:name>.json", hash_feeds.feed, name="hash_feed"),
    path("users/<str:username>", actors.actor, name="actor"),
    path("users/<str:username>/inbox", actors.inbox, name="inbox"),
    path("users/<str:username>/outbox", actors.outbox, name="outbox"),
    path("users/<str:username>/migration/moved", portability.report_moved,
         name="migration_moved"),
    path("users/<str:username>/followers", actors.followers, name="followers"),
    path("users/<str:username>/following", actors.following, name="following"),
    path("users/<str:username>/collections/featured", actors.featured, name="featured"),
    path("users/<str:username>/statuses/<int:post_id>", actors.status, name="status"),
    path("users/<str:username>/statuses/<int:post_id>/activity", actors.status_activity,
         name="status_activity"),
    path("users/<str:username>/statuses/<int:post_id>/replies", actors.status_replies,
         name="status_replies"),
]
