"""The OpenAPI 3.1 document of the API, built from the route table.

Paths and methods come from ``urls.routes`` and the ``@endpoint`` metadata of each
view (methods, auth, scopes), so a route cannot be missing from the document.
What a route's code does not say (its parameters and the entity it answers with)
comes from ``OPERATIONS`` below, one compact line per operation:
``"METHOD route": (response, "name:type name ...")``; the names are query
parameters of a GET/DELETE and body fields otherwise. Types: ``str`` (default),
``int``, ``bool``, ``array`` (of strings), ``object``, ``enum(a|b)``. ``response`` names an
entity of ``SCHEMAS`` (``[Entity]`` for a list, ``{}`` for an empty object).
Routes served by plain views without that metadata (the streaming API) are left
out, apart from the OAuth ones listed in ``PLAIN_VIEWS``.
"""

from __future__ import annotations

import re

from rostra.core.versions import rostra_version

PAGE = "max_id since_id min_id limit:int"
STATUS_FIELDS = ("status spoiler_text sensitive:bool media_ids:array in_reply_to_id language "
                 "visibility:enum(public|unlisted|private|direct)")
CONTEXTS = "context:array"
OPERATIONS: dict[str, tuple[str, str]] = {
    "POST api/v1/apps": ("Application", "client_name redirect_uris scopes website"),
    "GET api/v1/apps/verify_credentials": ("Application", ""),
    "GET oauth/authorize": ("html", "response_type client_id redirect_uri scope state"),
    "POST oauth/token": ("Token", "grant_type code client_id client_secret redirect_uri "
                                  "scope username password refresh_token code_verifier"),
    "POST oauth/revoke": ("{}", "client_id client_secret token"),
    "PATCH api/v1/accounts/update_credentials": ("Account", "display_name note locked:bool "
                                                 "bot:bool discoverable:bool"),
    "PUT api/v1/accounts/update_credentials": ("Account", "display_name note"),
    "POST api/v1/accounts/update_credentials": ("Account", "display_name note"),
    "GET api/v1/accounts/relationships": ("[Relationship]", "id:array"),
    "GET api/v1/accounts/lookup": ("Account", "acct"),
    "GET api/v1/accounts/search": ("[Account]", "q limit:int following:bool"),
    "GET api/v1/accounts": ("[Account]", "id:array"),
    "POST api/v1/accounts": ("Token", "username email password agreement:bool locale reason"),
    "GET api/v1/accounts/{account_id}/statuses": (
        "[Status]", f"{PAGE} only_media:bool exclude_replies:bool exclude_reblogs:bool "
                    "pinned:bool tagged"),
    "GET api/v1/accounts/{account_id}/followers": ("[Account]", PAGE),
    "GET api/v1/accounts/{account_id}/following": ("[Account]", PAGE),
    "POST api/v1/accounts/{account_id}/follow": ("Relationship", "reblogs:bool notify:bool"),
    "POST api/v1/accounts/{account_id}/mute": ("Relationship",
                                               "notifications:bool duration:int"),
    "POST api/v1/accounts/{account_id}/note": ("Relationship", "comment"),
    "GET api/v1/follow_requests": ("[Account]", PAGE),
    "POST api/v1/reports": ("Report", "account_id status_ids:array comment forward:bool "
                                      "category:enum(spam|legal|violation|other) "
                                      "rule_ids:array"),
    "GET api/v1/blocks": ("[Account]", PAGE),
    "GET api/v1/mutes": ("[Account]", PAGE),
    "GET api/v1/domain_blocks": ("[String]", PAGE),
    "POST api/v1/domain_blocks": ("{}", "domain"),
    "DELETE api/v1/domain_blocks": ("{}", "domain"),
    "GET api/v1/statuses": ("[Status]", "id:array"),
    "POST api/v1/statuses": ("Status", STATUS_FIELDS),
    "PUT api/v1/statuses/{status_id}": ("Status", "status spoiler_text sensitive:bool "
                                                  "language"),
    "GET api/v1/statuses/{status_id}/history": ("[StatusEdit]", ""),
    "GET api/v1/statuses/{status_id}/source": ("StatusSource", ""),
    "GET api/v1/statuses/{status_id}/context": ("Context", ""),
    "GET api/v1/statuses/{status_id}/favourited_by": ("[Account]", PAGE),
    "GET api/v1/statuses/{status_id}/reblogged_by": ("[Account]", PAGE),
    "POST api/v1/media": ("MediaAttachment", "description focus ai_generated:bool"),
    "POST api/v2/media": ("MediaAttachment", "description focus ai_generated:bool"),
    "PUT api/v1/media/{media_id}": ("MediaAttachment", "description focus ai_generated:bool"),
    "GET api/v1/media/{media_id}": ("MediaAttachment", ""),
    "GET api/v1/polls/{poll_id}": ("Poll", ""),
    "POST api/v1/polls/{poll_id}/votes": ("Poll", "choices:array"),
    "GET api/v1/timelines/home": ("[Status]", PAGE),
    "GET api/v1/timelines/public": ("[Status]", f"{PAGE} local:bool remote:bool "
                                                "only_media:bool"),
    "GET api/v1/timelines/tag/{hashtag}": ("[Status]", f"{PAGE} local:bool remote:bool "
                                                       "only_media:bool"),
    "GET api/v1/bookmarks": ("[Status]", PAGE),
    "GET api/v1/favourites": ("[Status]", PAGE),
    "GET api/v1/notifications": ("[Notification]", f"{PAGE} types:array exclude_types:array "
                                                   "account_id"),
    "GET api/v1/notifications/{notification_id}": ("Notification", ""),
    "GET api/v1/notifications/unread_count": ("Object", ""),
    "GET api/v2/search": ("Search", "q type:enum(accounts|hashtags|statuses) limit:int "
                                    "offset:int account_id following:bool resolve:bool"),
    "GET api/v1/instance": ("Object", ""),
    "GET api/v2/instance": ("Object", ""),
    "GET api/v1/custom_emojis": ("[Object]", ""),
    "GET .well-known/oauth-authorization-server": ("Object", ""),
    "GET api/v1/lists": ("[List]", ""),
    "POST api/v1/lists": ("List", "title replies_policy:enum(followed|list|none) "
                                  "exclusive:bool"),
    "GET api/v1/lists/{list_id}": ("List", ""),
    "PUT api/v1/lists/{list_id}": ("List", "title replies_policy:enum(followed|list|none) "
                                           "exclusive:bool"),
    "PATCH api/v1/lists/{list_id}": ("List", "title exclusive:bool"),
    "GET api/v1/lists/{list_id}/accounts": ("[Account]", PAGE),
    "POST api/v1/lists/{list_id}/accounts": ("{}", "account_ids:array"),
    "DELETE api/v1/lists/{list_id}/accounts": ("{}", "account_ids:array"),
    "GET api/v1/accounts/{account_id}/lists": ("[List]", ""),
    "GET api/v1/timelines/list/{list_id}": ("[Status]", PAGE),
    "GET api/v2/filters": ("[Filter]", ""),
    "POST api/v2/filters": ("Filter", f"title {CONTEXTS} filter_action:enum(warn|hide) "
                                      "expires_in:int"),
    "GET api/v2/filters/{filter_id}": ("Filter", ""),
    "PUT api/v2/filters/{filter_id}": ("Filter", f"title {CONTEXTS} "
                                                 "filter_action:enum(warn|hide)"),
    "PATCH api/v2/filters/{filter_id}": ("Filter", "title"),
    "GET api/v2/filters/{filter_id}/keywords": ("[FilterKeyword]", ""),
    "POST api/v2/filters/{filter_id}/keywords": ("FilterKeyword", "keyword whole_word:bool"),
    "GET api/v2/filters/keywords/{keyword_id}": ("FilterKeyword", ""),
    "PUT api/v2/filters/keywords/{keyword_id}": ("FilterKeyword", "keyword whole_word:bool"),
    "PATCH api/v2/filters/keywords/{keyword_id}": ("FilterKeyword", "keyword"),
    "GET api/v2/filters/{filter_id}/statuses": ("[FilterStatus]", ""),
    "POST api/v2/filters/{filter_id}/statuses": ("FilterStatus", "status_id"),
    "GET api/v2/filters/statuses/{row_id}": ("FilterStatus", ""),
    "GET api/v1/filters": ("[V1Filter]", ""),
    "POST api/v1/filters": ("V1Filter", f"phrase {CONTEXTS} irreversible:bool whole_word:bool "
                                        "expires_in:int"),
    "GET api/v1/filters/{keyword_id}": ("V1Filter", ""),
    "PUT api/v1/filters/{keyword_id}": ("V1Filter", f"phrase {CONTEXTS} irreversible:bool "
                                                    "whole_word:bool expires_in:int"),
    "GET api/v1/trends": ("[Tag]", "limit:int offset:int"),
    "GET api/v1/trends/tags": ("[Tag]", "limit:int offset:int"),
    "GET api/v1/trends/statuses": ("[Status]", "limit:int offset:int"),
    "GET api/v1/trends/links": ("[PreviewCard]", "limit:int offset:int"),
    "GET api/v1/accounts/familiar_followers": ("[Object]", "id:array"),
    "GET api/v1/endorsements": ("[Account]", PAGE),
    "GET api/openapi.json": ("Object", ""),
    # H8
    "GET api/v1/announcements": ("[Object]", ""),
    "GET api/v1/instance/rules": ("[Rule]", ""),
    "GET api/v1/instance/peers": ("[String]", ""),
    "GET api/v1/instance/domain_blocks": ("[DomainBlock]", ""),
    "GET api/v1/instance/activity": ("[Activity]", ""),
    "GET api/v1/instance/extended_description": ("ExtendedDescription", ""),
    "GET api/v1/instance/translation_languages": ("Object", ""),
    "GET api/v2/notifications": ("GroupedNotificationsResults",
                                 f"{PAGE} types:array exclude_types:array grouped_types:array "
                                 "account_id expand_accounts:enum(full|partial_avatars)"),
    "GET api/v2/notifications/unread_count": ("Object", "limit:int types:array "
                                                        "exclude_types:array "
                                                        "grouped_types:array account_id"),
    "GET api/v2/notifications/{group_key}": ("GroupedNotificationsResults", ""),
    "GET api/v2/notifications/{group_key}/accounts": ("[Account]", PAGE),
    "GET api/v1/featured_tags": ("[FeaturedTag]", ""),
    "POST api/v1/featured_tags": ("FeaturedTag", "name"),
    "GET api/v1/featured_tags/suggestions": ("[Tag]", ""),
    "GET api/v1/accounts/{account_id}/featured_tags": ("[FeaturedTag]", ""),
    "GET api/v1/tags/{name}": ("Tag", ""),
    "POST api/v1/tags/{name}/follow": ("Tag", ""),
    "POST api/v1/tags/{name}/unfollow": ("Tag", ""),
    "GET api/v1/followed_tags": ("[Tag]", PAGE),
    "GET api/v1/accounts/{account_id}/endorsements": ("[Account]", PAGE),
    "POST api/v1/push/subscription": ("WebPushSubscription", "subscription:object data:object"),
    "GET api/v1/push/subscription": ("WebPushSubscription", ""),
    "PUT api/v1/push/subscription": ("WebPushSubscription", "data:object policy"),
    "DELETE api/v1/push/subscription": ("{}", ""),
    "GET api/v2/suggestions": ("[Suggestion]", "limit:int"),
    "GET api/v1/suggestions": ("[Account]", "limit:int"),
    "GET api/v1/directory": ("[Account]", "offset:int limit:int order:enum(active|new) "
                                          "local:bool"),
    # admin API (issue 6)
    "GET api/v1/admin/reports": ("[AdminReport]", f"{PAGE} resolved:bool account_id "
                                                  "target_account_id"),
    "GET api/v1/admin/reports/{report_id}": ("AdminReport", ""),
    "POST api/v1/admin/reports/{report_id}/assign_to_self": ("AdminReport", ""),
    "POST api/v1/admin/reports/{report_id}/unassign": ("AdminReport", ""),
    "POST api/v1/admin/reports/{report_id}/resolve": ("AdminReport", ""),
    "POST api/v1/admin/reports/{report_id}/reopen": ("AdminReport", ""),
    "GET api/v1/admin/accounts/{account_id}": ("AdminAccount", ""),
    "POST api/v1/admin/accounts/{account_id}/action": (
        "{}", "type:enum(none|sensitive|disable|silence|suspend) report_id warning_preset_id "
              "text send_email_notification:bool"),
    "POST api/v1/admin/accounts/{account_id}/unsuspend": ("AdminAccount", ""),
    "POST api/v1/admin/accounts/{account_id}/unsilence": ("AdminAccount", ""),
    "POST api/v1/admin/accounts/{account_id}/unsensitive": ("AdminAccount", ""),
    "POST api/v1/admin/accounts/{account_id}/enable": ("AdminAccount", ""),
    # admin trends review (issue 9)
    "GET api/v1/admin/trends/tags": ("[AdminTag]", "limit:int offset:int"),
    "GET api/v1/admin/trends/statuses": ("[Status]", "limit:int offset:int"),
    "GET api/v1/admin/trends/links": ("[PreviewCard]", "limit:int offset:int"),
    "POST api/v1/admin/trends/tags/{tag_id}/approve": ("AdminTag", ""),
    "POST api/v1/admin/trends/tags/{tag_id}/reject": ("AdminTag", ""),
    "POST api/v1/admin/trends/statuses/{status_id}/approve": ("Status", ""),
    "POST api/v1/admin/trends/statuses/{status_id}/reject": ("Status", ""),
    "POST api/v1/admin/trends/links/{link_id}/approve": ("PreviewCard", ""),
    "POST api/v1/admin/trends/links/{link_id}/reject": ("PreviewCard", ""),
}
# Operations whose answer is not inferred: relationship buttons and status actions.
RELATIONSHIP_ACTIONS = ("follow", "unfollow", "block", "unblock", "mute", "unmute",
                        "remove_from_followers", "pin", "unpin")
# Routes not served by ``@endpoint`` views, with their methods.
PLAIN_VIEWS = {"oauth/authorize": ("GET",), "oauth/token": ("POST",),
               "oauth/revoke": ("POST",)}


def _obj(*required: str, **props) -> dict:
    return {"type": "object", "required": list(required),
            "properties": {k: v for k, v in props.items()}}


S, INT, B = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
NS = {"type": ["string", "null"]}
SCHEMAS = {
    "Object": {"type": "object"},
    "Error": _obj("error", error=S),
    "Account": _obj("id", "username", "acct", id=S, username=S, acct=S, display_name=S,
                    locked=B, bot=B, url=S, followers_count=INT, following_count=INT),
    "Relationship": _obj("id", "following", id=S, following=B, followed_by=B, blocking=B,
                         muting=B, requested=B, endorsed=B, note=S),
    "Status": _obj("id", "content", "account", id=S, content=S, visibility=S, uri=S,
                   account={"$ref": "#/components/schemas/Account"},
                   filtered={"type": "array",
                             "items": {"$ref": "#/components/schemas/FilterResult"}}),
    "StatusEdit": _obj("content", content=S),
    "StatusSource": _obj("id", "text", id=S, text=S, spoiler_text=S),
    "Context": _obj("ancestors", "descendants",
                    ancestors={"type": "array", "items": {"$ref": "#/components/schemas/Status"}},
                    descendants={"type": "array",
                                 "items": {"$ref": "#/components/schemas/Status"}}),
    "MediaAttachment": _obj("id", "type", id=S, type=S, url=NS, description=NS,
                              ai_generated=B,
                              ai_source={"enum": ["c2pa", "iptc", "author", "remote", None]}),
    "Poll": _obj("id", "options", id=S, options={"type": "array"}),
    "Notification": _obj("id", "type", "account", id=S, type=S,
                         account={"$ref": "#/components/schemas/Account"},
                         moderation_warning={"$ref": "#/components/schemas/AccountWarning"}),
    "AccountWarning": _obj("id", "action", "text", "status_ids", "target_account",
                           "created_at", id=S, text=S, created_at=S,
                           action={"enum": ["none", "disable", "mark_statuses_as_sensitive",
                                            "delete_statuses", "sensitive", "silence",
                                            "suspend"]},
                           status_ids={"type": "array", "items": S},
                           target_account={"$ref": "#/components/schemas/Account"},
                           appeal={"type": ["object", "null"]}),
    "AdminAccount": _obj("id", "username", "created_at", "role", "confirmed", "approved",
                         "disabled", "silenced", "suspended", "account", id=S, username=S,
                         domain=NS, created_at=S, email=NS, role={"type": "object"},
                         confirmed=B, approved=B, disabled=B, silenced=B, sensitized=B,
                         suspended=B, account={"$ref": "#/components/schemas/Account"}),
    "AdminReport": _obj("id", "action_taken", "category", "comment", "forwarded",
                        "created_at", "target_account", "statuses", "rules", id=S,
                        action_taken=B, action_taken_at=NS, category=S, comment=S,
                        forwarded=B, created_at=S, updated_at=S,
                        account={"oneOf": [{"$ref": "#/components/schemas/AdminAccount"},
                                           {"type": "null"}]},
                        target_account={"$ref": "#/components/schemas/AdminAccount"},
                        statuses={"type": "array",
                                  "items": {"$ref": "#/components/schemas/Status"}},
                        rules={"type": "array", "items": {"$ref": "#/components/schemas/Rule"}}),
    "Search": _obj("accounts", "statuses", "hashtags", accounts={"type": "array"},
                   statuses={"type": "array"}, hashtags={"type": "array"}),
    "Application": _obj("name", name=S),
    "Token": _obj("access_token", access_token=S, token_type=S, scope=S),
    "List": _obj("id", "title", "replies_policy", "exclusive", id=S, title=S,
                 replies_policy={"enum": ["followed", "list", "none"]}, exclusive=B),
    "Filter": _obj("id", "title", "context", "filter_action", id=S, title=S,
                   context={"type": "array", "items": S}, expires_at=NS,
                   filter_action={"enum": ["warn", "hide"]}),
    "FilterKeyword": _obj("id", "keyword", "whole_word", id=S, keyword=S, whole_word=B),
    "FilterStatus": _obj("id", "status_id", id=S, status_id=S),
    "FilterResult": _obj("filter", filter={"$ref": "#/components/schemas/Filter"},
                         keyword_matches={"type": ["array", "null"]},
                         status_matches={"type": ["array", "null"]}),
    "Tag": _obj("name", "url", "history", name=S, url=S, following=B,
                history={"type": "array", "items": _obj("day", "uses", "accounts", day=S,
                                                        uses=S, accounts=S)}),
    "String": S,
    "DomainBlock": _obj("domain", "digest", "severity", domain=S, digest=S, severity=S,
                        comment={"type": ["string", "null"]}),
    "Report": _obj("id", "action_taken", "category", "comment", "forwarded", "created_at",
                   id=S, action_taken=B, category=S, comment=S, forwarded=B, created_at=S,
                   target_account={"$ref": "#/components/schemas/Account"}),
    "V1Filter": _obj("id", "phrase", "context", "whole_word", "irreversible", id=S, phrase=S,
                     context={"type": "array", "items": S}, whole_word=B, irreversible=B,
                     expires_at=NS),
    "Suggestion": _obj("source", "sources", "account", source=S,
                       sources={"type": "array", "items": S},
                       account={"$ref": "#/components/schemas/Account"}),
    "WebPushSubscription": _obj("id", "endpoint", "alerts", "server_key", "policy", id=S,
                                endpoint=S, alerts={"type": "object"}, server_key=S,
                                policy=S, standard=B),
    "FeaturedTag": _obj("id", "name", "url", "statuses_count", id=S, name=S, url=S,
                        statuses_count=S, last_status_at=NS),
    "GroupedNotificationsResults": _obj(
        "accounts", "statuses", "notification_groups", accounts={"type": "array"},
        statuses={"type": "array"},
        notification_groups={"type": "array", "items": _obj(
            "group_key", "notifications_count", "type", "most_recent_notification_id",
            "sample_account_ids", group_key=S, notifications_count=INT, type=S,
            most_recent_notification_id=S, page_min_id=S, page_max_id=S,
            latest_page_notification_at=S, sample_account_ids={"type": "array"},
            status_id=S)}),
    "Rule": _obj("id", "text", "hint", id=S, text=S, hint=S),
    "Activity": _obj("week", "statuses", "logins", "registrations", week=S, statuses=S,
                     logins=S, registrations=S),
    "ExtendedDescription": _obj("updated_at", "content", updated_at=S, content=S),
    "PreviewCard": _obj("url", "title", "description", "type", url=S, title=S,
                        description=S, type=S, history={"type": "array"}),
    "AdminTag": _obj("id", "name", "url", "history", "trendable", "usable",
                     "requires_review", id=S, name=S, url=S, history={"type": "array"},
                     trendable=B, usable=B, requires_review=B, listable=B),
}

_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _schema(type_name: str) -> dict:
    if type_name == "int":
        return {"type": "integer"}
    if type_name == "bool":
        return {"type": "boolean"}
    if type_name == "object":
        return {"type": "object"}
    if type_name == "array":
        return {"type": "array", "items": {"type": "string"}}
    if type_name.startswith("enum("):
        return {"type": "string", "enum": type_name[5:-1].split("|")}
    return {"type": "string"}


def _fields(spec: str) -> list[tuple[str, dict]]:
    out = []
    for item in spec.split():
        name, _, type_name = item.partition(":")
        out.append((name, _schema(type_name or "str")))
    return out


def _response(ref: str) -> dict:
    if ref == "html":
        return {"description": "An HTML page", "content": {"text/html": {"schema": S}}}
    if ref == "{}":
        schema = {"type": "object"}
    elif ref.startswith("["):
        schema = {"type": "array", "items": {"$ref": f"#/components/schemas/{ref[1:-1]}"}}
    else:
        schema = {"$ref": f"#/components/schemas/{ref}"}
    return {"description": "Success", "content": {"application/json": {"schema": schema}}}


def _default_response(path: str, method: str) -> str:
    tail = path.rsplit("/", 1)[-1]
    if path.startswith("/api/v1/accounts/{account_id}/") and tail in RELATIONSHIP_ACTIONS:
        return "Relationship"
    if path.startswith("/api/v1/statuses/{status_id}"):
        return "Status"
    if path.startswith("/api/v1/accounts/"):
        return "Account"
    return "{}" if method in ("POST", "DELETE") else "Object"


def _views_of(route: str, view) -> dict[str, object]:
    if hasattr(view, "api_views"):
        return dict(view.api_views)
    if hasattr(view, "api_methods"):
        return {m: view for m in view.api_methods}
    return {m: view for m in PLAIN_VIEWS.get(route, ())}


def _operation(route: str, path: str, method: str, view) -> dict:
    response, spec = OPERATIONS.get(f"{method} {path.lstrip('/')}", (None, ""))
    response = response or _default_response(path, method)
    auth = getattr(view, "api_auth", "none" if route in PLAIN_VIEWS else "user")
    scopes = list(getattr(view, "api_scopes", ()))
    params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
              for n in _CONVERTER.findall(route)]
    op: dict = {
        "operationId": f"{method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
        "tags": [(path.split("/") + ["", "", "", ""])[3] or path.split("/")[1]],
        "responses": {"200": _response(response),
                      "default": {"description": "An error",
                                  "content": {"application/json": {
                                      "schema": {"$ref": "#/components/schemas/Error"}}}}},
    }
    if auth != "none":
        op["security"] = [{"bearer": scopes}] if auth == "user" else [{"bearer": scopes}, {}]
        if auth == "optional":
            op["security"] = [{}, {"bearer": scopes}]
    if scopes:
        op["x-scopes"] = scopes
    fields = _fields(spec)
    if method in ("GET", "DELETE") and not (method == "DELETE" and "account_ids" in spec):
        params += [{"name": n + ("[]" if s.get("type") == "array" else ""), "in": "query",
                    "required": False, "schema": s} for n, s in fields]
    elif fields:
        op["requestBody"] = {"required": False, "content": {"application/json": {"schema": {
            "type": "object", "properties": dict(fields)}}}}
    if params:
        op["parameters"] = params
    return op


def build(routes=None) -> dict:
    """The OpenAPI document of ``routes`` (``[(route, view)]``; the API's by default)."""
    if routes is None:
        from rostra.api.urls import routes
    paths: dict[str, dict] = {}
    for route, view in routes:
        path = "/" + _CONVERTER.sub(r"{\1}", route)
        for method, subview in _views_of(route, view).items():
            paths.setdefault(path, {})[method.lower()] = _operation(route, path, method,
                                                                    subview)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Rostra (Mastodon-compatible) API", "version": rostra_version(),
                 "description": "Generated from the route table; see docs/api-compat.md."},
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
