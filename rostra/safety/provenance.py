"""Provenance of an upload: do its own bytes declare it AI-generated?

Two declarations are read, from the ORIGINAL upload (``core.images`` re-encodes
images and strips their metadata, so this runs before it):

1. C2PA Content Credentials, read by ``c2pa-python`` fully offline: no remote
   manifest, no OCSP, no trust list fetched (``verify.remote_manifest_fetch``
   and ``verify.ocsp_fetch`` off, and ``core.allowed_network_hosts`` empty as a
   second lock). The manifest store is walked from the active manifest through
   the manifests of its ``parentOf``/``componentOf`` ingredients: an AI image
   edited afterwards, or composited into a photo, is still declared so.
2. IPTC photo metadata in the XMP packet (JPEG APP1, PNG ``iTXt``, WebP ``XMP ``
   chunk; other containers by scanning for the packet):
   ``Iptc4xmpExt:DigitalSourceType``, as an attribute, an element or an
   ``rdf:resource``.

Which codes mean "AI-generated", per the IPTC Digital Source Type vocabulary
(http://cv.iptc.org/newscodes/digitalsourcetype/):

- ``trainedAlgorithmicMedia`` ("created by a model trained on sampled content")
  and ``compositeWithTrainedAlgorithmicMedia`` (a composite, at least one part of
  which is such media) count.
- ``algorithmicMedia`` does NOT: IPTC defines it as media made "purely by an
  algorithm not based on any sampled training data" (fractals, procedural art).
  ``compositeSynthetic`` does not either: its synthetic part may be that, or a
  human's digital creation. ``algorithmicallyEnhanced`` is a minor correction,
  and C2PA's ``trainedAlgorithmicData`` describes training data, not output.

A declaration is a disclosure, not a verdict, so it is taken whatever the
signature's validation state (recorded in ``detail``): a forged or untrusted
manifest can only label its own uploader's media. Nothing here raises on
hostile input: a broken JUMBF box, an XMP bomb or truncated bytes all read as
"not declared" (``Provenance()``).
"""

from __future__ import annotations

import io
import json
import logging
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass

logger = logging.getLogger(__name__)

IPTC_VOCABULARY = "cv.iptc.org/newscodes/digitalsourcetype/"
AI_SOURCE_TYPES = frozenset({"trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia"})
IPTC_EXT = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

MAX_XMP_BYTES = 1024 * 1024  # a standard XMP packet in JPEG is under 64 KB
MAX_XML_ELEMENTS = 20_000
MAX_CHUNKS = 100_000
MAX_MANIFESTS = 16  # manifests walked through ingredients
MAX_DETAIL = 300

# Read offline: nothing may be fetched, whatever the asset points at.
C2PA_SETTINGS = {
    "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False,
               "verify_trust": False, "verify_timestamp_trust": False},
    "core": {"allowed_network_hosts": []},
}
_FOLLOWED_INGREDIENTS = ("parentOf", "componentOf")
_XMP_JPEG = b"http://ns.adobe.com/xap/1.0/\x00"
_XMP_PNG_KEYWORD = b"XML:com.adobe.xmp"
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class Provenance:
    """``source`` is "c2pa", "iptc" or "" (nothing declared); ``detail`` says
    what was read, for moderators and logs."""

    ai_generated: bool = False
    source: str = ""
    detail: str = ""


def ai_source_type(value) -> str:
    """The IPTC code of ``value`` when it is one that means AI-generated, else "".

    Takes the vocabulary URI (http or https) or the bare code, as some C2PA
    writers put it."""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    code = value
    for scheme in ("http://", "https://"):
        if value.startswith(scheme + IPTC_VOCABULARY):
            code = value[len(scheme + IPTC_VOCABULARY):]
            break
    return code if code in AI_SOURCE_TYPES else ""


def read_provenance(data: bytes, mime_type: str | None = None) -> Provenance:
    """What the bytes of an upload declare; C2PA first (it is signed), then IPTC."""
    try:
        return _c2pa_provenance(data, mime_type) or _iptc_provenance(data) or Provenance()
    except Exception:  # a reader's bug must not refuse an upload
        logger.warning("Provenance of an upload could not be read", exc_info=True)
        return Provenance()


# --- C2PA -------------------------------------------------------------------------


def _c2pa_provenance(data: bytes, mime_type: str | None) -> Provenance | None:
    # A manifest store is a JUMBF superbox (type "jumb"), compressed ones included
    # ("brob" keeps the original type in front); without one there is nothing to read.
    if b"jumb" not in data:
        return None
    store = c2pa_store(data, mime_type)
    if not store:
        return None
    found = _declared_in_store(store)
    if found is None:
        return None
    label, action, code = found
    manifest = store["manifests"].get(label) or {}
    signer = manifest.get("signature_info") or {}
    who = ", ".join(str(signer[k]) for k in ("common_name", "issuer") if signer.get(k))
    detail = (f"C2PA manifest {label}: {action} {code}; signed by {who or 'unknown'}; "
              f"validation {store.get('validation_state') or 'unknown'}")
    return Provenance(True, "c2pa", detail[:MAX_DETAIL])


def c2pa_store(data: bytes, mime_type: str | None = None) -> dict | None:
    """The manifest store of ``data`` as c2pa's JSON (plus ``validation_state``),
    read offline; None when there is none or it cannot be read."""
    try:
        import c2pa
    except ImportError:  # pragma: no cover - c2pa-python is a dependency
        return None
    context = settings = reader = None
    try:
        settings = c2pa.Settings.from_dict(C2PA_SETTINGS)
        context = c2pa.Context(settings=settings)
        fmt = mime_type if mime_type and "/" in mime_type else None
        reader = c2pa.Reader.try_create(fmt, io.BytesIO(data), None, context)
        if reader is None:
            return None
        store = json.loads(reader.json())
        if not isinstance(store, dict) or not isinstance(store.get("manifests"), dict):
            return None
        store["validation_state"] = reader.get_validation_state() or ""
        return store
    except Exception as exc:  # C2paError and anything a hostile store provokes
        logger.info("No readable C2PA manifest: %s", str(exc)[:200])
        return None
    finally:
        for resource in (reader, context, settings):
            if resource is not None:
                try:
                    resource.close()
                except Exception:  # pragma: no cover - best effort
                    pass


def _declared_in_store(store: dict) -> tuple[str, str, str] | None:
    """(manifest label, action, code) of the first AI declaration met walking from
    the active manifest through its followed ingredients; None when none."""
    manifests = store["manifests"]
    queue = [store.get("active_manifest")]
    seen: set[str] = set()
    while queue and len(seen) < MAX_MANIFESTS:
        label = queue.pop(0)
        if not isinstance(label, str) or label in seen:
            continue
        seen.add(label)
        manifest = manifests.get(label)
        if not isinstance(manifest, dict):
            continue
        found = _declared_in_manifest(manifest)
        if found:
            return label, *found
        for ingredient in manifest.get("ingredients") or []:
            if (isinstance(ingredient, dict)
                    and ingredient.get("relationship", "componentOf") in _FOLLOWED_INGREDIENTS):
                queue.append(ingredient.get("active_manifest"))
    return None


def _declared_in_manifest(manifest: dict) -> tuple[str, str] | None:
    """(action or assertion, code) of an AI declaration in one manifest's
    ``c2pa.actions`` (any version) or IPTC assertion."""
    for assertion in manifest.get("assertions") or []:
        if not isinstance(assertion, dict) or not isinstance(assertion.get("data"), dict):
            continue
        label, body = str(assertion.get("label", "")), assertion["data"]
        if label.startswith("c2pa.actions"):
            for action in body.get("actions") or []:
                if isinstance(action, dict):
                    code = ai_source_type(action.get("digitalSourceType"))
                    if code:
                        return str(action.get("action", "action"))[:60], code
        elif label.startswith("stds.iptc"):
            code = ai_source_type(body.get("Iptc4xmpExt:DigitalSourceType"))
            if code:
                return label[:60], code
    return None


# --- IPTC in XMP ------------------------------------------------------------------


def _iptc_provenance(data: bytes) -> Provenance | None:
    packet, where = xmp_packet(data)
    if packet is None:
        return None
    code = digital_source_type(packet)
    found = ai_source_type(code)
    if not found:
        return None
    return Provenance(True, "iptc", f"IPTC DigitalSourceType {found} (XMP in {where})")


def xmp_packet(data: bytes) -> tuple[bytes | None, str]:
    """The XMP packet of ``data`` and where it was found; (None, "") without one."""
    if data.startswith(b"\xff\xd8"):
        return _jpeg_xmp(data), "JPEG APP1"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png_xmp(data), "PNG iTXt"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_xmp(data), "WebP XMP chunk"
    return _scanned_xmp(data), "a scanned XMP packet"


def _jpeg_xmp(data: bytes) -> bytes | None:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # no length
            pos += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no XMP after
            return None
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if length < 2:
            return None
        payload = data[pos + 4:pos + 2 + length]
        if marker == 0xE1 and payload.startswith(_XMP_JPEG):
            return payload[len(_XMP_JPEG):]
        pos += 2 + length
    return None


def _png_xmp(data: bytes) -> bytes | None:
    pos = 8
    for _ in range(MAX_CHUNKS):
        if pos + 8 > len(data):
            return None
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IEND" or len(body) < length:
            return None
        if kind == b"iTXt" and body.startswith(_XMP_PNG_KEYWORD + b"\x00"):
            return _itxt_text(body[len(_XMP_PNG_KEYWORD) + 1:])
        pos += 12 + length
    return None


def _itxt_text(rest: bytes) -> bytes | None:
    """The text of an iTXt chunk after its keyword: compression flag and method,
    language tag, translated keyword, then the (maybe zlib) text."""
    if len(rest) < 2:
        return None
    compressed, rest = rest[0], rest[2:]
    parts = rest.split(b"\x00", 2)
    if len(parts) != 3:
        return None
    text = parts[2]
    if not compressed:
        return text
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(text, MAX_XMP_BYTES + 1)
    except zlib.error:
        return None
    return out if len(out) <= MAX_XMP_BYTES else None


def _webp_xmp(data: bytes) -> bytes | None:
    pos = 12
    for _ in range(MAX_CHUNKS):
        if pos + 8 > len(data):
            return None
        kind, length = struct.unpack("<4sI", data[pos:pos + 8])
        if kind == b"XMP ":
            return data[pos + 8:pos + 8 + length]
        pos += 8 + length + (length & 1)
    return None


def _scanned_xmp(data: bytes) -> bytes | None:
    """A packet found by its wrapper, as the XMP specification allows for files
    whose format we do not walk (GIF, MP4, TIFF...)."""
    start = data.find(b"<x:xmpmeta")
    if start < 0:
        return None
    end = data.find(b"</x:xmpmeta>", start, start + MAX_XMP_BYTES)
    return data[start:end + len(b"</x:xmpmeta>")] if end >= 0 else None


def digital_source_type(packet: bytes) -> str:
    """``Iptc4xmpExt:DigitalSourceType`` of an XMP packet, "" when it has none or
    the packet is refused: too large, with a DTD (no entities), or not XML."""
    if not packet or len(packet) > MAX_XMP_BYTES or _DTD.search(packet):
        return ""
    try:
        root = ET.fromstring(packet.rstrip(b"\x00 \t\r\n"))
    except (ET.ParseError, ValueError):
        return ""
    name, resource = f"{{{IPTC_EXT}}}DigitalSourceType", f"{{{RDF}}}resource"
    for count, element in enumerate(root.iter()):
        if count >= MAX_XML_ELEMENTS:
            break
        if name in element.attrib:
            return element.attrib[name].strip()
        if element.tag == name:
            value = element.attrib.get(resource) or (element.text or "")
            return value.strip()
    return ""
