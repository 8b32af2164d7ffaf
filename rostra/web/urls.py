from django.urls import include, path
from django.views.generic import RedirectView

from rostra.web.views import (
    compose,
    connections,
    moderation,
    notices,
    notifications,
    posts,
    profiles,
    search,
    statements,
    timelines,
)

app_name = "web"
urlpatterns = [
    path("", timelines.index, name="index"),
    path("home", timelines.home, name="home"),
    path("local", timelines.local, name="local"),
    path("public", timelines.public, name="public"),
    path("tags/<str:tag>", timelines.tag, name="tag"),
    path("bookmarks", timelines.bookmarks, name="bookmarks"),
    path("favourites", timelines.favourites, name="favourites"),
    path("compose", compose.compose, name="compose"),
    path("search", search.search, name="search"),
    path("notifications", notifications.index, name="notifications"),
    # Notices (Art. 16 DSA): anyone, with or without an account.
    path("notices/new", notices.new, name="notice_new"),
    path("notices/<uuid:receipt>", notices.receipt, name="notice_receipt"),
    path("moderation", moderation.queue, name="moderation_queue"),
    path("moderation/cases/<int:case_id>", moderation.case, name="moderation_case"),
    path("moderation/cases/<int:case_id>/assign", moderation.assign,
         name="moderation_assign"),
    path("moderation/cases/<int:case_id>/notes", moderation.note, name="moderation_note"),
    path("moderation/audit", moderation.audit_log, name="moderation_audit"),
    path("moderation/cases/<int:case_id>/decide", moderation.decide,
         name="moderation_decide"),
    path("moderation/appeals", moderation.appeal_queue, name="moderation_appeals"),
    path("moderation/flaggers", moderation.flaggers, name="moderation_flaggers"),
    path("moderation/transparency", moderation.transparency, name="moderation_transparency"),
    path("moderation/appeals/<int:appeal_id>", moderation.appeal, name="moderation_appeal"),
    path("statements/<int:decision_id>", statements.statement, name="statement"),
    # Mastodon apps open a moderation warning ("strike") at this address.
    path("disputes/strikes/<int:decision_id>",
         RedirectView.as_view(pattern_name="web:statement", query_string=True)),
    path("notices/<uuid:receipt>/appeal", notices.appeal, name="notice_appeal"),
    path("notifications/clear", notifications.clear, name="notifications_clear"),
    # Posts: pages and the buttons under each post.
    path("posts/<int:post_id>/delete", posts.delete, name="post_delete"),
    path("posts/<int:post_id>/edit", posts.edit, name="post_edit"),
    path("posts/<int:post_id>/vote", posts.vote, name="post_vote"),
    path("posts/<int:post_id>/<slug:action>", posts.action, name="post_action"),
    # Profiles: /@alice or /@alice@example.org, their posts and their buttons.
    path("@<str:acct>", profiles.profile, name="profile"),
    path("@<str:acct>/with_replies", profiles.with_replies, name="profile_replies"),
    path("@<str:acct>/media", profiles.media, name="profile_media"),
    path("@<str:acct>/followers", profiles.followers, name="followers"),
    path("@<str:acct>/following", profiles.following, name="following"),
    path("@<str:acct>/<int:post_id>", posts.thread, name="post"),
    path("@<str:acct>/<int:post_id>/history", posts.history, name="post_history"),
    path("@<str:acct>/<slug:action>", profiles.relationship_action, name="account_action"),
    # People from X (private to the archive's owner): opt-in, lists, follow.
    path("settings/import/x-connections", connections.x_connections, name="x_connections"),
    path("settings/import/x-connections/follow", connections.x_connections_follow,
         name="x_connections_follow"),
    # Log-in, sign-up, password and settings pages live in urls_account.py.
    path("", include("rostra.web.urls_account")),
]
