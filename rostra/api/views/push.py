"""``/api/v1/push/subscription``: the Web Push subscription of the access token
used (create or replace, show, change alerts/policy, remove). Scope ``push``."""

from __future__ import annotations

from rostra.api.auth import bearer_token, by_method, endpoint
from rostra.api.errors import not_found, validation
from rostra.api.parsing import TRUE
from rostra.api.serializers.push_subscription import serialize_push_subscription
from rostra.notifications import push
from rostra.notifications.webpush import WebPushError


def _alerts(request) -> dict:
    given = (request.params.dict("data") or {}).get("alerts") or {}
    if not isinstance(given, dict):
        return {}
    return {k: v if isinstance(v, bool) else str(v).lower() in TRUE for k, v in given.items()}


def _policy(request) -> str | None:
    value = (request.params.dict("data") or {}).get("policy") or request.params.str("policy")
    return str(value) if value else None


def _answer(subscription) -> dict:
    return serialize_push_subscription(subscription, push.server_key())


def _own(request):
    subscription = push.subscription_of(request.api_token.token_hash)
    if subscription is None:
        raise not_found()
    return subscription


@endpoint(["POST"], scope="push")
def _create(request):
    given = request.params.dict("subscription") or {}
    keys = given.get("keys") if isinstance(given.get("keys"), dict) else {}
    plain = bearer_token(request) or request.params.str("access_token") or ""
    try:
        subscription = push.subscribe(
            request.api_account, request.api_token.token_hash, plain,
            str(given.get("endpoint") or ""), str(keys.get("p256dh") or ""),
            str(keys.get("auth") or ""), _alerts(request), _policy(request))
    except WebPushError as exc:
        raise validation(str(exc), "subscription") from exc
    return _answer(subscription)


@endpoint(["GET"], scope="push")
def _show(request):
    return _answer(_own(request))


@endpoint(["PUT"], scope="push")
def _update(request):
    try:
        subscription = push.update(_own(request), _alerts(request), _policy(request))
    except WebPushError as exc:
        raise validation(str(exc), "policy") from exc
    return _answer(subscription)


@endpoint(["DELETE"], scope="push")
def _delete(request):
    push.unsubscribe_tokens([request.api_token.token_hash])
    return {}


subscription = by_method(POST=_create, GET=_show, PUT=_update, DELETE=_delete)
