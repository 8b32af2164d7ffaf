"""Routes of the Mastodon-compatible API and OAuth. Every route answers with and
without a trailing slash."""

from django.urls import path

from rostra.api.streaming import sse
from rostra.api.views import (
    accounts,
    admin,
    admin_trends,
    apps,
    conversations,
    directory,
    domain_blocks,
    endorsements,
    featured_tags,
    filters,
    filters_v1,
    instance,
    lists,
    markers,
    media,
    notification_groups,
    notifications,
    oauth,
    openapi,
    polls,
    preferences,
    push,
    relationships,
    reports,
    research,
    scheduled_statuses,
    search,
    status_actions,
    statuses,
    suggestions,
    tags,
    timelines,
    trends,
)


def both(route: str, view):
    """The route as written and with a trailing slash."""
    return [path(route, view), path(route + "/", view)]


A = "api/v1/accounts/<str:account_id>/"
S = "api/v1/statuses/<str:status_id>/"
R = "api/v1/admin/reports/<str:report_id>/"
AA = "api/v1/admin/accounts/<str:account_id>/"
AT = "api/v1/admin/trends/"

routes = [
    # OAuth and applications
    ("api/v1/apps", apps.create),
    ("api/v1/apps/verify_credentials", apps.verify_credentials),
    ("oauth/authorize", oauth.authorize),
    ("oauth/token", oauth.token),
    ("oauth/revoke", oauth.revoke),
    (".well-known/oauth-authorization-server", instance.oauth_metadata),
    # server
    ("api/v1/instance", instance.instance_v1),
    ("api/v2/instance", instance.instance_v2),
    ("api/v1/custom_emojis", instance.custom_emojis),
    # accounts
    ("api/v1/accounts", accounts.collection),
    ("api/v1/accounts/verify_credentials", accounts.verify_credentials),
    ("api/v1/accounts/update_credentials", accounts.update_credentials),
    ("api/v1/accounts/relationships", relationships.relationships),
    ("api/v1/accounts/lookup", accounts.lookup),
    # (H7) here, not in the H7 block: <account_id> below would swallow it
    ("api/v1/accounts/familiar_followers", endorsements.familiar_followers),
    ("api/v1/accounts/search", accounts.search),
    ("api/v1/accounts/<str:account_id>", accounts.show),
    (A + "statuses", accounts.statuses),
    (A + "followers", accounts.followers),
    (A + "following", accounts.following),
    (A + "follow", relationships.follow),
    (A + "unfollow", relationships.unfollow),
    (A + "remove_from_followers", relationships.remove_from_followers),
    (A + "block", relationships.block),
    (A + "unblock", relationships.unblock),
    (A + "mute", relationships.mute),
    (A + "unmute", relationships.unmute),
    (A + "note", relationships.note),
    ("api/v1/follow_requests", relationships.follow_requests),
    ("api/v1/follow_requests/<str:account_id>/authorize",
     relationships.authorize_follow_request),
    ("api/v1/follow_requests/<str:account_id>/reject", relationships.reject_follow_request),
    ("api/v1/blocks", relationships.blocks),
    ("api/v1/reports", reports.create),
    ("api/v1/mutes", relationships.mutes),
    ("api/v1/domain_blocks", domain_blocks.index),
    # statuses and media
    ("api/v1/statuses", statuses.collection),
    ("api/v1/statuses/<str:status_id>", statuses.status),
    (S + "history", statuses.history),
    (S + "source", statuses.source),
    (S + "context", statuses.context),
    (S + "favourite", status_actions.favourite),
    (S + "unfavourite", status_actions.unfavourite),
    (S + "reblog", status_actions.reblog),
    (S + "unreblog", status_actions.unreblog),
    (S + "bookmark", status_actions.bookmark),
    (S + "unbookmark", status_actions.unbookmark),
    (S + "pin", status_actions.pin),
    (S + "unpin", status_actions.unpin),
    (S + "mute", status_actions.mute),
    (S + "unmute", status_actions.unmute),
    (S + "favourited_by", status_actions.favourited_by),
    (S + "reblogged_by", status_actions.reblogged_by),
    ("api/v1/media", media.upload),
    ("api/v2/media", media.upload),
    ("api/v1/media/<str:media_id>", media.one),
    ("api/v1/polls/<str:poll_id>", polls.show),
    ("api/v1/polls/<str:poll_id>/votes", polls.vote),
    # timelines and lists
    ("api/v1/timelines/home", timelines.home),
    ("api/v1/timelines/public", timelines.public),
    ("api/v1/timelines/tag/<str:hashtag>", timelines.tag),
    ("api/v1/bookmarks", timelines.bookmarks),
    ("api/v1/favourites", timelines.favourites),
    # notifications and search
    ("api/v1/notifications", notifications.index),
    ("api/v1/notifications/clear", notifications.clear),
    ("api/v1/notifications/unread_count", notifications.unread_count),
    ("api/v1/notifications/<str:notification_id>", notifications.show),
    ("api/v1/notifications/<str:notification_id>/dismiss", notifications.dismiss),
    ("api/v2/search", search.search),
    # --- lists, filters, trends, endorsements, OpenAPI (H7) -------------------------
    ("api/v1/lists", lists.index),
    ("api/v1/lists/<str:list_id>", lists.one),
    ("api/v1/lists/<str:list_id>/accounts", lists.members),
    (A + "lists", lists.account_lists),
    ("api/v1/timelines/list/<str:list_id>", lists.timeline),
    ("api/v2/filters", filters.index),
    ("api/v2/filters/<str:filter_id>", filters.one),
    ("api/v2/filters/<str:filter_id>/keywords", filters.keywords),
    ("api/v2/filters/keywords/<str:keyword_id>", filters.keyword),
    ("api/v2/filters/<str:filter_id>/statuses", filters.statuses),
    ("api/v2/filters/statuses/<str:row_id>", filters.status),
    ("api/v1/filters", filters_v1.index),
    ("api/v1/filters/<str:keyword_id>", filters_v1.one),
    ("api/v1/trends", trends.tags),
    ("api/v1/trends/tags", trends.tags),
    ("api/v1/trends/statuses", trends.statuses),
    ("api/v1/trends/links", trends.links),
    (A + "pin", endorsements.pin),
    (A + "unpin", endorsements.unpin),
    ("api/v1/endorsements", endorsements.index),
    ("api/openapi.json", openapi.document),
    # --- end of H7 block ------------------------------------------------------------
    # --- streaming, markers, preferences, conversations, scheduled statuses (H6) -----
    ("api/v1/streaming", sse.streaming_root),
    ("api/v1/streaming/health", sse.health),
    ("api/v1/streaming/user", sse.user),
    ("api/v1/streaming/user/notification", sse.user_notification),
    ("api/v1/streaming/public", sse.public),
    ("api/v1/streaming/public/local", sse.public_local),
    ("api/v1/streaming/public/remote", sse.public_remote),
    ("api/v1/streaming/hashtag", sse.hashtag),
    ("api/v1/streaming/hashtag/local", sse.hashtag_local),
    ("api/v1/streaming/list", sse.list_),
    ("api/v1/streaming/direct", sse.direct),
    ("api/v1/markers", markers.markers),
    ("api/v1/preferences", preferences.preferences),
    ("api/v1/conversations", conversations.index),
    ("api/v1/conversations/<str:conversation_id>", conversations.remove),
    ("api/v1/conversations/<str:conversation_id>/read", conversations.read),
    ("api/v1/scheduled_statuses", scheduled_statuses.index),
    ("api/v1/scheduled_statuses/<str:scheduled_id>", scheduled_statuses.scheduled_status),
    # --- end of H6 block ------------------------------------------------------------
    # --- instance extras, grouped notifications, featured tags, push, suggestions,
    # directory, v1 filter writes (H8) ------------------------------------------------
    ("api/v1/announcements", instance.announcements),
    ("api/v1/instance/rules", instance.rules),
    ("api/v1/instance/peers", instance.peers),
    ("api/v1/instance/domain_blocks", instance.domain_blocks),
    ("api/v1/instance/activity", instance.activity),
    ("api/v1/instance/extended_description", instance.extended_description),
    ("api/v1/instance/translation_languages", instance.translation_languages),
    ("api/v2/notifications", notification_groups.index),
    ("api/v2/notifications/unread_count", notification_groups.unread_count),
    ("api/v2/notifications/<str:group_key>", notification_groups.show),
    ("api/v2/notifications/<str:group_key>/dismiss", notification_groups.dismiss),
    ("api/v2/notifications/<str:group_key>/accounts", notification_groups.accounts),
    ("api/v1/featured_tags", featured_tags.index),
    ("api/v1/featured_tags/suggestions", featured_tags.suggestions),
    ("api/v1/featured_tags/<str:featured_id>", featured_tags.remove),
    (A + "featured_tags", featured_tags.of_account),
    ("api/v1/tags/<str:name>", tags.show),
    ("api/v1/tags/<str:name>/follow", tags.follow),
    ("api/v1/tags/<str:name>/unfollow", tags.unfollow),
    ("api/v1/followed_tags", tags.followed),
    (A + "endorsements", endorsements.of_account),
    ("api/v1/push/subscription", push.subscription),
    ("api/v2/suggestions", suggestions.v2),
    ("api/v1/suggestions", suggestions.v1),
    ("api/v1/suggestions/<str:account_id>", suggestions.dismiss),
    ("api/v1/directory", directory.index),
    # --- end of H8 block ------------------------------------------------------------
    # --- admin API: reports and account actions (issue 6) ---------------------------
    ("api/v1/admin/reports", admin.reports),
    ("api/v1/admin/reports/<str:report_id>", admin.report),
    (R + "assign_to_self", admin.assign_to_self),
    (R + "unassign", admin.unassign),
    (R + "resolve", admin.resolve),
    (R + "reopen", admin.reopen),
    ("api/v1/admin/accounts/<str:account_id>", admin.account),
    (AA + "action", admin.action),
    (AA + "unsuspend", admin.unsuspend),
    (AA + "unsilence", admin.unsilence),
    (AA + "unsensitive", admin.unsensitive),
    (AA + "enable", admin.enable),
    # --- end of admin block ---------------------------------------------------------
    # --- admin API: trends review (issue 9) ----------------------------------------
    (AT + "tags", admin_trends.tags),
    (AT + "tags/<str:tag_id>/approve", admin_trends.approve_tag),
    (AT + "tags/<str:tag_id>/reject", admin_trends.reject_tag),
    (AT + "statuses", admin_trends.statuses),
    (AT + "statuses/<str:status_id>/approve", admin_trends.approve_status),
    (AT + "statuses/<str:status_id>/reject", admin_trends.reject_status),
    (AT + "links", admin_trends.links),
    (AT + "links/<str:link_id>/approve", admin_trends.approve_link),
    (AT + "links/<str:link_id>/reject", admin_trends.reject_link),
    # --- end of admin trends block --------------------------------------------------
]

urlpatterns = [pattern for route, view in routes for pattern in both(route, view)]

# A pinned feed generator's list id holds its URL (``feed-generator:https://...``):
# the same views, matched last, with slashes allowed (kept out of the documented table).
urlpatterns += [pattern for route, view in (("api/v1/lists/<path:list_id>", lists.one),
                                            ("api/v1/timelines/list/<path:list_id>",
                                             lists.timeline))
                for pattern in both(route, view)]

# The research API (DSA Art. 40(12)): researchers' keys, not OAuth; outside the
# Mastodon route table and its OpenAPI document (docs/research-api.md).
urlpatterns += [pattern for route, view in (
    ("api/research/v1/posts", research.posts),
    ("api/research/v1/posts/<str:post_id>", research.post),
    ("api/research/v1/accounts/<str:account_id>", research.account),
    ("api/research/v1/incidents", research.incidents),
) for pattern in both(route, view)]
