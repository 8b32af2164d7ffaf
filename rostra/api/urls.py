"""Routes of the Mastodon-compatible API and OAuth. Every route answers with and
without a trailing slash."""

from django.urls import path

from rostra.api.views import (
    accounts,
    apps,
    instance,
    media,
    notifications,
    oauth,
    polls,
    relationships,
    search,
    status_actions,
    statuses,
    timelines,
)


def both(route: str, view):
    """The route as written and with a trailing slash."""
    return [path(route, view), path(route + "/", view)]


A = "api/v1/accounts/<str:account_id>/"
S = "api/v1/statuses/<str:status_id>/"

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
    ("api/v1/accounts", accounts.register),
    ("api/v1/accounts/verify_credentials", accounts.verify_credentials),
    ("api/v1/accounts/update_credentials", accounts.update_credentials),
    ("api/v1/accounts/relationships", relationships.relationships),
    ("api/v1/accounts/lookup", accounts.lookup),
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
    ("api/v1/follow_requests", relationships.follow_requests),
    ("api/v1/follow_requests/<str:account_id>/authorize",
     relationships.authorize_follow_request),
    ("api/v1/follow_requests/<str:account_id>/reject", relationships.reject_follow_request),
    ("api/v1/blocks", relationships.blocks),
    ("api/v1/mutes", relationships.mutes),
    # statuses and media
    ("api/v1/statuses", statuses.create),
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
]

urlpatterns = [pattern for route, view in routes for pattern in both(route, view)]
