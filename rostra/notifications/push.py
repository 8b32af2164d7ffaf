"""Web Push: subscriptions (one per API access token), the server's VAPID key, and
delivery of a notification to each matching subscription.

``subscribe``/``update``/``unsubscribe`` are called by the API door; the door ends
a token's subscription when the token is revoked (``unsubscribe_tokens``). When a
notification is created (``events.notification_created``) every subscription of
its recipient whose ``alerts`` include the type and whose ``policy`` lets the
sender through gets a ``deliver_push`` task. The task builds Mastodon's payload
``{access_token, preferred_locale, notification_id, notification_type, icon,
title, body}``, encrypts it (``webpush.encrypt``, aes128gcm), signs a VAPID JWT
and POSTs it through ``core.net``. A 404 or 410 from the push service ends the
subscription; other failures are logged and the push is dropped (a push is a
hint; the app reads its notifications when opened).
"""

from __future__ import annotations

import base64
import json
import logging
import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rostra.accounts.models import Account, Follow
from rostra.core import i18n, net
from rostra.core import text as text_mod
from rostra.core.links import absolute_url
from rostra.notifications import webpush
from rostra.notifications.models import Notification, PushSubscription, VapidKey

log = logging.getLogger(__name__)

ALERT_TYPES = ("mention", "status", "reblog", "follow", "follow_request", "favourite", "poll",
               "update", "admin.sign_up", "admin.report")
PUSH_TYPE = {"reply": "mention"}  # Rostra's reply is Mastodon's mention
TTL = 48 * 3600
BODY_MAX = 140
TITLES = {
    "mention": gettext_lazy("%(name)s mentioned you"),
    "status": gettext_lazy("%(name)s just posted"),
    "reblog": gettext_lazy("%(name)s boosted your post"),
    "follow": gettext_lazy("%(name)s followed you"),
    "follow_request": gettext_lazy("%(name)s has requested to follow you"),
    "favourite": gettext_lazy("%(name)s favourited your post"),
    "poll": gettext_lazy("A poll has ended"),
    "update": gettext_lazy("%(name)s edited a post"),
}


# --- the server key -----------------------------------------------------------------

def vapid_key() -> VapidKey:
    """The VAPID key pair, generated the first time it is needed."""
    found = VapidKey.objects.order_by("pk").first()
    if found is not None:
        return found
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    try:
        with transaction.atomic():
            VapidKey.objects.create(
                pk=1, private_key=pem,
                public_key=webpush.b64u_encode(webpush.public_point(private.public_key())))
    except IntegrityError:  # another process made it first
        pass
    return VapidKey.objects.order_by("pk").first()


def server_key() -> str:
    return vapid_key().public_key


def _private_key(key: VapidKey) -> ec.EllipticCurvePrivateKey:
    return serialization.load_pem_private_key(key.private_key.encode(), password=None)


# --- the sealed access token -------------------------------------------------------

def _seal_key() -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"rostra web push access token").derive(settings.SECRET_KEY.encode())


def seal(token: str) -> str:
    nonce = os.urandom(12)
    return base64.b64encode(nonce + AESGCM(_seal_key()).encrypt(nonce, token.encode(), None)
                            ).decode()


def unseal(sealed: str) -> str:
    raw = base64.b64decode(sealed)
    return AESGCM(_seal_key()).decrypt(raw[:12], raw[12:], None).decode()


# --- subscriptions -------------------------------------------------------------------

def _alerts(given: dict | None, current: dict | None = None) -> dict:
    alerts = dict.fromkeys(ALERT_TYPES, False)
    alerts.update({k: v for k, v in (current or {}).items() if k in alerts})
    for key, value in (given or {}).items():
        if key in alerts:
            alerts[key] = bool(value)
    return alerts


def _policy(value: str | None, default: str = PushSubscription.Policy.ALL) -> str:
    if value in (None, ""):
        return default
    if value not in PushSubscription.Policy.values:
        raise webpush.WebPushError(_("policy must be all, followed, follower or none."))
    return value


def subscribe(account: Account, token_key: str, plain_token: str, endpoint: str, p256dh: str,
              auth: str, alerts: dict | None = None, policy: str | None = None
              ) -> PushSubscription:
    """Create (or replace) the subscription of the token ``token_key``. Raises
    ``WebPushError`` for an endpoint that is not an http(s) URL or unusable keys."""
    if not (endpoint or "").startswith(("https://", "http://")) or len(endpoint) > 2048:
        raise webpush.WebPushError(_("The endpoint must be an https URL."))
    webpush.load_public(p256dh)
    webpush.check_auth(auth)
    PushSubscription.objects.filter(token_key=token_key).delete()
    return PushSubscription.objects.create(
        account=account, token_key=token_key, sealed_token=seal(plain_token),
        endpoint=endpoint, p256dh=p256dh.strip(), auth=auth.strip(),
        alerts=_alerts(alerts), policy=_policy(policy))


def subscription_of(token_key: str) -> PushSubscription | None:
    return PushSubscription.objects.filter(token_key=token_key).first()


def update(subscription: PushSubscription, alerts: dict | None, policy: str | None
           ) -> PushSubscription:
    subscription.alerts = _alerts(alerts, subscription.alerts)
    subscription.policy = _policy(policy, subscription.policy)
    subscription.save()
    return subscription


def unsubscribe_tokens(token_keys: list[str]) -> None:
    PushSubscription.objects.filter(token_key__in=token_keys).delete()


# --- delivery ------------------------------------------------------------------------

def push_type(notification: Notification) -> str:
    return PUSH_TYPE.get(notification.type, notification.type)


def wants(subscription: PushSubscription, notification: Notification) -> bool:
    if not subscription.alerts.get(push_type(notification)):
        return False
    policy = subscription.policy
    if policy == PushSubscription.Policy.NONE:
        return False
    if policy == PushSubscription.Policy.FOLLOWED:
        return Follow.objects.filter(account=notification.account,
                                     target_account=notification.from_account).exists()
    if policy == PushSubscription.Policy.FOLLOWER:
        return Follow.objects.filter(account=notification.from_account,
                                     target_account=notification.account).exists()
    return True


def on_notification_created(sender, notification: Notification, **kwargs) -> None:
    from rostra.notifications.tasks import deliver_push

    for subscription in PushSubscription.objects.filter(account_id=notification.account_id):
        if wants(subscription, notification):
            deliver_push.enqueue(subscription.pk, notification.pk)


def _truncate(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= BODY_MAX else value[: BODY_MAX - 1] + "…"


def payload(subscription: PushSubscription, notification: Notification) -> dict:
    sender = notification.from_account
    name = sender.display_name or sender.username
    post = notification.post
    if post is not None:
        body = post.spoiler_text or text_mod.plain_text(post.content) or post.text
    else:
        body = sender.note or ""
    user = getattr(notification.account, "user", None)
    icon = sender.avatar.url if sender.avatar else "/static/api/missing.png"
    # The title is read by the recipient: their language, not the sender's request's.
    language = i18n.supported(user.locale if user else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        title = str(TITLES.get(push_type(notification), "%(name)s"))
    return {
        "access_token": unseal(subscription.sealed_token),
        "preferred_locale": (user.locale if user else "") or settings.LANGUAGE_CODE,
        "notification_id": str(notification.pk),
        "notification_type": push_type(notification),
        "icon": absolute_url(icon) if icon.startswith("/") else icon,
        "title": title % {"name": name},
        "body": _truncate(body),
    }


def deliver(subscription_id: int, notification_id: int) -> int | None:
    """Push ``notification_id`` to ``subscription_id``; the push service's status
    (None when either is gone or the request failed)."""
    subscription = PushSubscription.objects.filter(pk=subscription_id).first()
    notification = (Notification.objects.filter(pk=notification_id)
                    .select_related("account__user", "from_account", "post").first())
    if subscription is None or notification is None:
        return None
    body = webpush.encrypt(json.dumps(payload(subscription, notification)).encode(),
                           subscription.p256dh, subscription.auth)
    key = vapid_key()
    headers = {
        "TTL": str(TTL),
        "Content-Encoding": "aes128gcm",
        "Urgency": "normal",
        "Authorization": webpush.vapid_authorization(
            subscription.endpoint, _private_key(key), f"mailto:{settings.DEFAULT_FROM_EMAIL}"),
    }
    try:
        response = net.post(subscription.endpoint, body, content_type="application/octet-stream",
                            accept="*/*", headers=headers, max_bytes=64 * 1024)
    except net.NetError as exc:
        log.info("web push to %s failed: %s", subscription.endpoint, exc)
        return None
    if response.status in (404, 410):
        subscription.delete()
    elif not response.ok:
        log.info("web push to %s answered %s", subscription.endpoint, response.status)
    return response.status
