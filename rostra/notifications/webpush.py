"""The wire formats of Web Push: message encryption (RFC 8291, ``aes128gcm``
content coding of RFC 8188) and VAPID (RFC 8292, an ES256 JWT).

Only ``cryptography`` is used. Keys travel as unpadded base64url: a P-256 public
key as its 65-byte uncompressed point, the subscriber's auth secret as 16 bytes.
Raises ``WebPushError`` for keys that are not what a browser would give.
"""

from __future__ import annotations

import base64
import json
import os
import struct
import time
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.utils.translation import gettext as _

RECORD_SIZE = 4096
JWT_LIFETIME = 12 * 3600  # RFC 8292 allows up to 24 h


class WebPushError(ValueError):
    """A subscription key or auth secret that cannot be used."""


def b64u_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(value: str) -> bytes:
    value = (value or "").strip().replace("+", "-").replace("/", "_").rstrip("=")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, TypeError) as exc:
        raise WebPushError(_("Not base64url.")) from exc


def public_point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962,
                            serialization.PublicFormat.UncompressedPoint)


def load_public(value: str) -> ec.EllipticCurvePublicKey:
    raw = b64u_decode(value)
    if len(raw) != 65 or raw[0] != 4:
        raise WebPushError(_("The p256dh key must be an uncompressed P-256 point."))
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError as exc:
        raise WebPushError(_("The p256dh key is not a point of P-256.")) from exc


def check_auth(value: str) -> bytes:
    raw = b64u_decode(value)
    if len(raw) != 16:
        raise WebPushError(_("The auth secret must be 16 bytes."))
    return raw


def _hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def encrypt(payload: bytes, p256dh: str, auth: str, *, salt: bytes | None = None,
            sender_key: ec.EllipticCurvePrivateKey | None = None) -> bytes:
    """``payload`` encrypted for the subscriber (RFC 8291 §3.4), as one aes128gcm
    record with its header (salt, record size, the sender's ephemeral key)."""
    ua_public = load_public(p256dh)
    auth_secret = check_auth(auth)
    if len(payload) > RECORD_SIZE - 17 - 86:
        raise WebPushError("The payload is too large for one record.")
    sender_key = sender_key or ec.generate_private_key(ec.SECP256R1())
    salt = salt or os.urandom(16)
    ua_point = public_point(ua_public)
    as_point = public_point(sender_key.public_key())
    shared = sender_key.exchange(ec.ECDH(), ua_public)
    ikm = _hkdf(auth_secret, shared, b"WebPush: info\x00" + ua_point + as_point, 32)
    cek = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    ciphertext = AESGCM(cek).encrypt(nonce, payload + b"\x02", None)
    header = salt + struct.pack("!IB", RECORD_SIZE, len(as_point)) + as_point
    return header + ciphertext


def decrypt(body: bytes, private_key: ec.EllipticCurvePrivateKey, auth: bytes) -> bytes:
    """The subscriber's side of ``encrypt`` (used by tests and tools)."""
    salt, (_rs, idlen) = body[:16], struct.unpack("!IB", body[16:21])
    as_point = body[21:21 + idlen]
    sender = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_point)
    ua_point = public_point(private_key.public_key())
    shared = private_key.exchange(ec.ECDH(), sender)
    ikm = _hkdf(auth, shared, b"WebPush: info\x00" + ua_point + as_point, 32)
    cek = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    plain = AESGCM(cek).decrypt(nonce, body[21 + idlen:], None)
    return plain.rstrip(b"\x00")[:-1]


def audience(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def vapid_jwt(endpoint: str, private_key: ec.EllipticCurvePrivateKey, subject: str,
              now: float | None = None) -> str:
    """An ES256 JWT for the push service of ``endpoint`` (RFC 8292 §2)."""
    header = {"typ": "JWT", "alg": "ES256"}
    claims = {"aud": audience(endpoint), "exp": int((now or time.time()) + JWT_LIFETIME),
              "sub": subject}
    signing_input = ".".join(
        b64u_encode(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
    der = private_key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return signing_input + "." + b64u_encode(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def vapid_authorization(endpoint: str, private_key: ec.EllipticCurvePrivateKey,
                        subject: str) -> str:
    """The ``Authorization`` header value: ``vapid t=<jwt>, k=<public key>``."""
    key = b64u_encode(public_point(private_key.public_key()))
    return f"vapid t={vapid_jwt(endpoint, private_key, subject)}, k={key}"
