"""HTTP message signatures: the only place requests are signed or verified.

Two dialects:

* **draft-cavage-http-signatures-12**, what Mastodon and most of the fediverse speak:
  ``Signature: keyId="…#main-key",algorithm="rsa-sha256",headers="(request-target)
  host date digest content-type",signature="…"`` with ``Digest: SHA-256=…``.
  ``hs2019`` is accepted and means "the key's own algorithm" (RSA → RSASSA-PKCS1-v1_5
  with SHA-256, as Mastodon does; Ed25519).
* **RFC 9421** (``Signature-Input`` / ``Signature``) with RFC 9530 ``Content-Digest``;
  algorithms ``rsa-v1_5-sha256``, ``rsa-pss-sha512`` and ``ed25519``.

Verification rules (both dialects): the signature is fresh (``Date`` or ``created``
within ``MAX_SKEW`` of now, either direction; ``expires`` not passed); the signed
components include the method/target, the host and, when there is a body (or the
method is POST), the digest, and the digest matches the body. ``verify_request``
returns the keyId; every failure is a ``SignatureError`` with a reason.

Fetching the key is the caller's business: pass ``key_resolver(key_id) -> PEM`` (for
example "look up the actor, fetch it through ``core.net`` if unknown").
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from rostra.federation import structured_fields as sf

MAX_SKEW = timedelta(hours=1)
CAVAGE_ALGORITHMS = {"rsa-sha256", "hs2019"}
RFC9421_ALGORITHMS = {"rsa-v1_5-sha256", "rsa-pss-sha512", "ed25519"}
_DIGESTS = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}

KeyResolver = Callable[[str], "str | bytes | object | None"]


class SignatureError(Exception):
    """A request's signature is missing, malformed, stale or wrong. ``reason`` says which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- helpers ---------------------------------------------------------------------

def _lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _check_fresh(when: datetime, now: datetime, what: str) -> None:
    if abs(now - when) > MAX_SKEW:
        raise SignatureError(f"The {what} is more than an hour away from now.")


def _target(url: str) -> tuple[str, str, str]:
    """(scheme, authority, path?query) of an absolute URL."""
    parts = urlsplit(url)
    path = parts.path or "/"
    return parts.scheme.lower(), parts.netloc.lower(), path + (f"?{parts.query}" if parts.query
                                                                  else "")


def digest_header(body: bytes) -> str:
    """The draft-cavage ``Digest`` value for ``body``: ``SHA-256=<base64>``."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def content_digest_header(body: bytes, algorithm: str = "sha-256") -> str:
    """The RFC 9530 ``Content-Digest`` value for ``body``: ``sha-256=:<base64>:``."""
    return f"{algorithm}=:" + base64.b64encode(_DIGESTS[algorithm](body).digest()).decode() + ":"


@functools.lru_cache(maxsize=1024)
def _load_private(pem: str | bytes):
    """Parse a PEM private key. Cached: parsing (with its RSA checks) costs ~50 times
    a signature, and a delivery run signs thousands of requests with one key."""
    try:
        return serialization.load_pem_private_key(
            pem.encode() if isinstance(pem, str) else pem, password=None
        )
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise SignatureError("The private key cannot be read.") from exc


def _load_public(key) -> object:
    if isinstance(key, rsa.RSAPublicKey | ed25519.Ed25519PublicKey):
        return key
    try:
        data = key.encode() if isinstance(key, str) else key
        return serialization.load_pem_public_key(data)
    except (ValueError, TypeError, AttributeError, UnsupportedAlgorithm) as exc:
        raise SignatureError("The signer's public key cannot be read.") from exc


def _b64decode(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureError("The signature is not valid base64.") from exc


def _sign(private_key, algorithm: str, data: bytes) -> bytes:
    if algorithm in ("rsa-sha256", "rsa-v1_5-sha256") and isinstance(private_key,
                                                                     rsa.RSAPrivateKey):
        return private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if algorithm == "rsa-pss-sha512" and isinstance(private_key, rsa.RSAPrivateKey):
        return private_key.sign(data, padding.PSS(padding.MGF1(hashes.SHA512()), 64),
                                hashes.SHA512())
    if algorithm == "ed25519" and isinstance(private_key, ed25519.Ed25519PrivateKey):
        return private_key.sign(data)
    raise SignatureError(f"Cannot sign with {algorithm} using this key.")


def _verify(public_key, algorithm: str, signature: bytes, data: bytes) -> None:
    try:
        if algorithm == "rsa-v1_5-sha256" and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif algorithm == "rsa-pss-sha512" and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PSS(padding.MGF1(hashes.SHA512()), 64),
                              hashes.SHA512())
        elif algorithm == "ed25519" and isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, data)
        else:
            raise SignatureError(f"The key does not fit the algorithm {algorithm}.")
    except InvalidSignature as exc:
        raise SignatureError("The signature does not match.") from exc


def _key_algorithm(public_key) -> str:
    return "ed25519" if isinstance(public_key, ed25519.Ed25519PublicKey) else "rsa-v1_5-sha256"


def _resolve_key(key_resolver: KeyResolver, key_id: str):
    key = key_resolver(key_id)
    if not key:
        raise SignatureError(f"Unknown key {key_id}.")
    return _load_public(key)


def _check_digest_header(value: str, body: bytes) -> None:
    """draft-cavage ``Digest``: ``SHA-256=<b64>[, SHA-512=<b64>]``; one we know must match."""
    checked = False
    for part in value.split(","):
        name, sep, encoded = part.strip().partition("=")
        algorithm = name.strip().lower()
        if not sep or algorithm not in _DIGESTS:
            continue
        if _b64decode(encoded.strip()) != _DIGESTS[algorithm](body).digest():
            raise SignatureError("The Digest does not match the body.")
        checked = True
    if not checked:
        raise SignatureError("The Digest header has no SHA-256 or SHA-512 value.")


def _check_content_digest(value: str, body: bytes) -> None:
    """RFC 9530 ``Content-Digest``: a dictionary of byte sequences."""
    try:
        members = sf.parse_dictionary(value)
    except sf.StructuredFieldError as exc:
        raise SignatureError(f"Malformed Content-Digest: {exc}.") from exc
    checked = False
    for algorithm, member in members.items():
        if algorithm not in _DIGESTS:
            continue
        if not isinstance(member, sf.Item) or not isinstance(member.value, bytes):
            raise SignatureError("Malformed Content-Digest value.")
        if member.value != _DIGESTS[algorithm](body).digest():
            raise SignatureError("The Content-Digest does not match the body.")
        checked = True
    if not checked:
        raise SignatureError("The Content-Digest has no sha-256 or sha-512 value.")


# --- draft-cavage -------------------------------------------------------------------

_PARAM_RE = re.compile(r'\s*([A-Za-z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^",\s]*))\s*(,|$)')


def parse_cavage(value: str) -> dict[str, str]:
    """Parse a draft-cavage ``Signature`` value into its parameters (lower-cased names)."""
    params: dict[str, str] = {}
    pos = 0
    value = value.strip()
    if value[:10].lower() == "signature ":  # from an Authorization header
        value = value[10:]
    while pos < len(value):
        m = _PARAM_RE.match(value, pos)
        if not m or m.end() == pos:
            raise SignatureError("Malformed Signature header.")
        name = m.group(1).lower()
        if name in params:
            raise SignatureError(f"The Signature header repeats {name}.")
        raw = m.group(2) if m.group(2) is not None else m.group(3)
        params[name] = re.sub(r"\\(.)", r"\1", raw)
        pos = m.end()
        if not m.group(4):
            break
    if pos < len(value):
        raise SignatureError("Malformed Signature header.")
    for required in ("keyid", "signature"):
        if not params.get(required):
            raise SignatureError(f"The Signature header has no {required}.")
    return params


def _cavage_string(names: list[str], method: str, target: str, headers: dict[str, str],
                   params: dict[str, str]) -> str:
    lines = []
    for name in names:
        if name == "(request-target)":
            value = f"{method.lower()} {target}"
        elif name in ("(created)", "(expires)"):
            value = params.get(name[1:-1], "")
            if not value.isdigit():
                raise SignatureError(f"{name} is signed but has no valid value.")
        elif name in headers:
            value = headers[name].strip()
        else:
            raise SignatureError(f"The signed header {name} is missing from the request.")
        lines.append(f"{name}: {value}")
    return "\n".join(lines)


def sign_request(method: str, url: str, headers: Mapping[str, str], body: bytes = b"", *,
                 key_id: str, private_key_pem: str, now: datetime | None = None
                 ) -> dict[str, str]:
    """Sign a request the draft-cavage way; return the headers to add
    (``Date``, ``Digest`` for POST, ``Host`` if missing, ``Signature``).

    GET signs ``(request-target) host date accept``; POST signs
    ``(request-target) host date digest content-type``.
    """
    lowered = _lower_headers(headers)
    _scheme, authority, target = _target(url)
    added = {"Date": format_datetime(_now(now), usegmt=True)}
    lowered["date"] = added["Date"]
    if "host" not in lowered:
        added["Host"] = lowered["host"] = authority
    names = ["(request-target)", "host", "date"]
    if method.upper() == "POST" or body:
        added["Digest"] = lowered["digest"] = digest_header(body)
        names.append("digest")
        if "content-type" in lowered:
            names.append("content-type")
    elif "accept" in lowered:
        names.append("accept")
    text = _cavage_string(names, method, target, lowered, {})
    signature = _sign(_load_private(private_key_pem), "rsa-sha256", text.encode())
    added["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return added


def _verify_cavage(method, url, headers, body, key_resolver, now) -> str:
    raw = headers.get("signature") or headers.get("authorization", "")
    params = parse_cavage(raw)
    names = params.get("headers", "date").lower().split()
    algorithm = params.get("algorithm", "hs2019").lower()
    if algorithm not in CAVAGE_ALGORITHMS:
        raise SignatureError(f"The algorithm {algorithm} is not supported.")
    if "(request-target)" not in names:
        raise SignatureError("The signature does not cover (request-target).")
    if "host" not in names:
        raise SignatureError("The signature does not cover the Host header.")
    if "date" in names:
        try:
            when = parsedate_to_datetime(headers.get("date", ""))
        except (TypeError, ValueError, IndexError) as exc:
            raise SignatureError("The Date header cannot be read.") from exc
        if when is None or when.tzinfo is None:
            raise SignatureError("The Date header has no time zone.")
        _check_fresh(when, now, "Date")
    elif "(created)" in names:
        _check_fresh(_timestamp(params.get("created")), now, "signature's creation time")
    else:
        raise SignatureError("The signature covers neither Date nor (created).")
    if "(expires)" in names and _timestamp(params.get("expires")) < now:
        raise SignatureError("The signature has expired.")
    if body or method.upper() == "POST":
        if "digest" not in names:
            raise SignatureError("The signature does not cover the Digest of the body.")
    if "digest" in names:
        _check_digest_header(headers.get("digest", ""), body)
    _scheme, _authority, target = _target(url)
    text = _cavage_string(names, method, target, headers, params)
    public_key = _resolve_key(key_resolver, params["keyid"])
    expected = "rsa-v1_5-sha256" if algorithm == "rsa-sha256" else _key_algorithm(public_key)
    _verify(public_key, expected, _b64decode(params["signature"]), text.encode())
    return params["keyid"]


def _timestamp(value) -> datetime:
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str) and value.isdigit() and len(value) < 16:
        seconds = int(value)
    else:
        raise SignatureError("A signature timestamp is missing or not an integer.")
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise SignatureError("A signature timestamp is out of range.") from exc


# --- RFC 9421 -----------------------------------------------------------------------

def _component_value(name: str, method: str, url: str, headers: dict[str, str]) -> str:
    parts = urlsplit(url)
    if name == "@method":
        return method.upper()
    if name == "@target-uri":
        return url
    if name == "@authority":
        return _target(url)[1]
    if name == "@scheme":
        return parts.scheme.lower()
    if name == "@path":
        return parts.path or "/"
    if name == "@query":
        return "?" + parts.query
    if name == "@request-target":
        return _target(url)[2]
    if name.startswith("@"):
        raise SignatureError(f"The component {name} is not supported.")
    if name not in headers:
        raise SignatureError(f"The signed header {name} is missing from the request.")
    return headers[name].strip()


def _signature_base(components: sf.InnerList, method: str, url: str,
                    headers: dict[str, str]) -> bytes:
    lines = []
    seen = set()
    for item in components.items:
        if not isinstance(item.value, str) or isinstance(item.value, sf.Token):
            raise SignatureError("Signature components must be strings.")
        if item.params:
            raise SignatureError("Component parameters are not supported.")
        name = item.value
        if name != name.lower() or name in seen:
            raise SignatureError(f"Invalid or repeated component {name!r}.")
        seen.add(name)
        value = _component_value(name, method, url, headers)
        if "\n" in value or "\r" in value:
            raise SignatureError(f"The component {name} contains a line break.")
        lines.append(f"{sf.serialize_item(item)}: {value}")
    lines.append(f'"@signature-params": {sf.serialize_inner_list(components)}')
    try:
        return "\n".join(lines).encode("ascii")
    except UnicodeEncodeError as exc:
        raise SignatureError("Signed components must be ASCII.") from exc


def sign_request_rfc9421(method: str, url: str, headers: Mapping[str, str], body: bytes = b"",
                         *, key_id: str, private_key_pem: str, algorithm: str | None = None,
                         created: datetime | None = None, label: str = "sig1"
                         ) -> dict[str, str]:
    """Sign a request the RFC 9421 way; return the headers to add (``Content-Digest``
    when there is a body, ``Signature-Input``, ``Signature``).

    Covers ``@method`` and ``@target-uri``, plus ``content-digest`` (and
    ``content-type`` when present) for a body. ``algorithm`` defaults to the key's
    (``rsa-v1_5-sha256`` for RSA, ``ed25519``).
    """
    lowered = _lower_headers(headers)
    private_key = _load_private(private_key_pem)
    algorithm = algorithm or _key_algorithm(private_key.public_key())
    added: dict[str, str] = {}
    names = ["@method", "@target-uri"]
    if body or method.upper() == "POST":
        added["Content-Digest"] = lowered["content-digest"] = content_digest_header(body)
        names.append("content-digest")
        if "content-type" in lowered:
            names.append("content-type")
    params = {"created": int(_now(created).timestamp()), "keyid": key_id, "alg": algorithm}
    components = sf.InnerList([sf.Item(n) for n in names], params)
    base = _signature_base(components, method, url, lowered)
    signature = _sign(private_key, algorithm, base)
    added["Signature-Input"] = f"{label}={sf.serialize_inner_list(components)}"
    added["Signature"] = f"{label}={sf.serialize_bare_item(signature)}"
    return added


def _verify_rfc9421(method, url, headers, body, key_resolver, now) -> str:
    try:
        inputs = sf.parse_dictionary(headers.get("signature-input", ""))
        signatures = sf.parse_dictionary(headers.get("signature", ""))
    except sf.StructuredFieldError as exc:
        raise SignatureError(f"Malformed Signature-Input or Signature: {exc}.") from exc
    label = next((name for name in inputs if name in signatures), None)
    if label is None:
        raise SignatureError("No signature matches a Signature-Input label.")
    components, signature = inputs[label], signatures[label]
    if not isinstance(components, sf.InnerList):
        raise SignatureError("Signature-Input must be an inner list of components.")
    if not isinstance(signature, sf.Item) or not isinstance(signature.value, bytes):
        raise SignatureError("Signature must be a byte sequence.")
    covered = {item.value for item in components.items}
    params = components.params
    key_id = params.get("keyid")
    if not isinstance(key_id, str) or not key_id:
        raise SignatureError("The signature has no keyid.")
    if "@method" not in covered:
        raise SignatureError("The signature does not cover @method.")
    if "@target-uri" not in covered and not (
        "@authority" in covered and covered & {"@path", "@request-target"}
    ):
        raise SignatureError("The signature covers neither @target-uri nor @authority+@path.")
    _check_fresh(_timestamp(params.get("created")), now, "signature's creation time")
    if "expires" in params and _timestamp(params.get("expires")) < now:
        raise SignatureError("The signature has expired.")
    if body or method.upper() == "POST":
        if "content-digest" not in covered:
            raise SignatureError("The signature does not cover the Content-Digest of the body.")
    if "content-digest" in covered:
        _check_content_digest(headers.get("content-digest", ""), body)
    algorithm = params.get("alg")
    if algorithm is not None and algorithm not in RFC9421_ALGORITHMS:
        raise SignatureError(f"The algorithm {algorithm} is not supported.")
    base = _signature_base(components, method, url, headers)
    public_key = _resolve_key(key_resolver, key_id)
    _verify(public_key, algorithm or _key_algorithm(public_key), signature.value, base)
    return key_id


# --- entry points -------------------------------------------------------------------

def signature_key_id(headers: Mapping[str, str]) -> str:
    """The keyId a request claims, without verifying anything (to look the key up)."""
    lowered = _lower_headers(headers)
    if "signature-input" in lowered:
        try:
            inputs = sf.parse_dictionary(lowered["signature-input"])
        except sf.StructuredFieldError as exc:
            raise SignatureError(f"Malformed Signature-Input: {exc}.") from exc
        for member in inputs.values():
            key_id = member.params.get("keyid")
            if isinstance(key_id, str) and key_id:
                return key_id
        raise SignatureError("The signature has no keyid.")
    value = lowered.get("signature") or lowered.get("authorization", "")
    if value:
        return parse_cavage(value)["keyid"]
    raise SignatureError("The request is not signed.")


def verify_request(method: str, url: str, headers: Mapping[str, str], body: bytes,
                   key_resolver: KeyResolver, *, now: datetime | None = None) -> str:
    """Verify a signed request and return its keyId; raise ``SignatureError`` otherwise.

    ``url`` is the absolute URL the request was made to (scheme, host, path and query);
    ``headers`` any mapping (names compared case-insensitively); ``key_resolver`` maps
    a keyId to the signer's public key (PEM text or a ``cryptography`` key) or None.
    RFC 9421 is used when ``Signature-Input`` is present, draft-cavage otherwise.
    """
    lowered = _lower_headers(headers)
    body = body or b""
    moment = _now(now)
    try:
        if "signature-input" in lowered:
            return _verify_rfc9421(method, url, lowered, body, key_resolver, moment)
        if "signature" in lowered or lowered.get("authorization", "")[:10].lower() == (
            "signature "
        ):
            return _verify_cavage(method, url, lowered, body, key_resolver, moment)
    except (ValueError, TypeError, OverflowError) as exc:  # belt and braces for hostile input
        raise SignatureError(f"Malformed signature: {exc.__class__.__name__}.") from exc
    raise SignatureError("The request is not signed.")


def verify_django_request(request, key_resolver: KeyResolver, *,
                          now: datetime | None = None) -> str:
    """``verify_request`` for a Django ``HttpRequest``. The URL is rebuilt from our own
    scheme (``ROSTRA_SCHEME``, since TLS usually ends at a proxy) and the Host header."""
    from django.conf import settings

    url = f"{settings.ROSTRA_SCHEME}://{request.get_host()}{request.get_full_path()}"
    return verify_request(request.method, url, request.headers, request.body, key_resolver,
                          now=now)


@dataclass(frozen=True)
class Signer:
    """Signs outgoing requests as ``key_id``; pass it as ``sign_with`` to ``core.net``.

    Calling it signs draft-cavage (what the fediverse verifies today); ``rfc9421``
    gives the RFC 9421 headers for a double-knock retry.
    """

    key_id: str
    private_key_pem: str

    def __call__(self, method: str, url: str, headers: dict[str, str], body: bytes
                 ) -> dict[str, str]:
        return sign_request(method, url, headers, body, key_id=self.key_id,
                            private_key_pem=self.private_key_pem)

    def rfc9421(self, method: str, url: str, headers: dict[str, str], body: bytes
                ) -> dict[str, str]:
        return sign_request_rfc9421(method, url, headers, body, key_id=self.key_id,
                                    private_key_pem=self.private_key_pem)
