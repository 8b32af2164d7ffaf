"""Reading whether an upload declares itself AI-generated: C2PA Content Credentials
(signed here, offline, with a throwaway ES256 chain) and IPTC DigitalSourceType in
XMP (packets written into JPEG, PNG and WebP bytes by hand), and the hostile cases."""

from __future__ import annotations

import threading
import time
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rostra.safety import provenance
from rostra.safety.provenance import Provenance, read_provenance
from tests.provenance_samples import (
    AI,
    IPTC,
    attribute_form,
    created,
    decodes,
    element_form,
    image,
    jpeg_with_xmp,
    png_with_xmp,
    resource_form,
    sign,
    webp_with_xmp,
    xmp,
)

NOT_DECLARED = Provenance(False, "", "")


# --- C2PA ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt,mime_type", [("JPEG", "image/jpeg"), ("PNG", "image/png"),
                                           ("WEBP", "image/webp")])
def test_c2pa_created_by_a_trained_model_is_ai_generated(fmt, mime_type):
    signed = sign(image(fmt), mime_type, created(AI))
    assert decodes(signed)
    found = read_provenance(signed, mime_type)
    assert found.ai_generated and found.source == "c2pa"
    assert "trainedAlgorithmicMedia" in found.detail and "Test generator" in found.detail
    assert "validation Valid" in found.detail


def test_c2pa_reads_without_a_declared_type():
    signed = sign(image("PNG"), "image/png", created(AI))
    assert read_provenance(signed).source == "c2pa"


def test_c2pa_composite_with_ai_is_ai_generated():
    composite = IPTC + "compositeWithTrainedAlgorithmicMedia"
    actions = created(IPTC + "digitalCapture") + [
        {"action": "c2pa.edited", "digitalSourceType": composite}]
    found = read_provenance(sign(image("JPEG"), "image/jpeg", actions))
    assert found.ai_generated and "compositeWithTrainedAlgorithmicMedia" in found.detail


@pytest.mark.parametrize("code", ["digitalCapture", "algorithmicMedia", "compositeSynthetic",
                                  "algorithmicallyEnhanced", "digitalCreation"])
def test_c2pa_other_source_types_are_not_ai_generated(code):
    signed = sign(image("JPEG"), "image/jpeg", created(IPTC + code))
    assert read_provenance(signed, "image/jpeg") == NOT_DECLARED


def test_an_edit_of_an_ai_image_is_still_ai_generated():
    parent = sign(image("JPEG"), "image/jpeg", created(AI))
    edit = sign(image("JPEG", (9, 9, 9)), "image/jpeg",
                [{"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}}],
                parent=parent)
    found = read_provenance(edit, "image/jpeg")
    assert found.ai_generated and found.source == "c2pa"


def test_a_tampered_image_keeps_its_declaration_and_says_it_is_invalid():
    signed = bytearray(sign(image("JPEG"), "image/jpeg", created(AI)))
    signed[-20] ^= 0xFF  # in the entropy-coded image data, after the manifest
    found = read_provenance(bytes(signed), "image/jpeg")
    assert found.ai_generated and "validation Invalid" in found.detail


def test_an_image_without_credentials_declares_nothing():
    assert read_provenance(image("JPEG"), "image/jpeg") == NOT_DECLARED
    assert read_provenance(b"", None) == NOT_DECLARED


@pytest.fixture
def loopback():
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_a_remote_manifest_is_never_fetched(loopback):
    base, hits = loopback
    signed = sign(image("JPEG"), "image/jpeg", created(AI),
                  remote_url=f"{base}/manifest.c2pa")
    assert provenance.c2pa_store(signed, "image/jpeg") is None  # the reader itself
    assert read_provenance(signed, "image/jpeg") == NOT_DECLARED
    assert hits == []


def test_broken_jumbf_declares_nothing():
    signed = sign(image("JPEG"), "image/jpeg", created(AI))
    start = signed.index(b"jumb")
    garbled = signed[:start] + bytes(b ^ 0x5A for b in signed[start:start + 400]) + signed[
        start + 400:]
    for broken in (garbled, signed[: start + 200], signed[:start] + b"jumb" + b"\xff" * 5000):
        assert read_provenance(broken, "image/jpeg") == NOT_DECLARED


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_mutated_credentials_never_raise(data):
    signed = bytearray(_signed_jpeg())
    for _ in range(data.draw(st.integers(1, 8))):
        signed[data.draw(st.integers(0, len(signed) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(signed)))
    found = read_provenance(bytes(signed[:cut]), data.draw(st.sampled_from(
        ["image/jpeg", "image/png", None, "application/octet-stream"])))
    assert found.source in ("c2pa", "iptc", "") and found.ai_generated == bool(found.source)


@cache
def _signed_jpeg() -> bytes:
    return sign(image("JPEG"), "image/jpeg", created(AI))


# --- IPTC in XMP --------------------------------------------------------------------


@pytest.mark.parametrize("form", [attribute_form, element_form, resource_form])
def test_iptc_in_a_jpeg_app1_packet(form):
    data = jpeg_with_xmp(form(AI))
    assert decodes(data)
    found = read_provenance(data, "image/jpeg")
    assert found == Provenance(True, "iptc",
                               "IPTC DigitalSourceType trainedAlgorithmicMedia (XMP in JPEG APP1)")


@pytest.mark.parametrize("compressed", [False, True])
def test_iptc_in_a_png_itxt_chunk(compressed):
    data = png_with_xmp(element_form(IPTC + "compositeWithTrainedAlgorithmicMedia"),
                        compressed=compressed)
    assert decodes(data)
    found = read_provenance(data, "image/png")
    assert found.ai_generated and found.source == "iptc" and "PNG iTXt" in found.detail


def test_iptc_in_a_webp_xmp_chunk():
    data = webp_with_xmp(attribute_form(AI))
    assert decodes(data)
    found = read_provenance(data, "image/webp")
    assert found.ai_generated and "WebP XMP chunk" in found.detail


def test_iptc_https_form_and_bare_code_are_understood():
    https = AI.replace("http://", "https://")
    assert read_provenance(jpeg_with_xmp(attribute_form(https))).ai_generated
    assert provenance.ai_source_type("trainedAlgorithmicMedia") == "trainedAlgorithmicMedia"
    assert provenance.ai_source_type("http://example.org/trainedAlgorithmicMedia") == ""


@pytest.mark.parametrize("code", ["digitalCapture", "algorithmicMedia", "compositeSynthetic",
                                  "trainedAlgorithmicData", "screenCapture"])
def test_iptc_other_source_types_are_not_ai_generated(code):
    assert read_provenance(jpeg_with_xmp(attribute_form(IPTC + code))) == NOT_DECLARED


def test_a_packet_in_another_container_is_found_by_scanning():
    gif = image("GIF") + attribute_form(AI)  # as trailing bytes: found by its wrapper
    assert read_provenance(gif, "image/gif").ai_generated


def test_an_xmp_packet_with_entities_is_refused_quickly():
    laughs = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
              + "".join(f'<!ENTITY {n} "{("&" + p + ";") * 10}">'
                        for p, n in zip("abcdefgh", "bcdefghi", strict=True))
              + ']>').encode()
    packet = laughs + attribute_form("&i;").split(b"?>", 1)[1]  # the DTD, then the packet
    started = time.monotonic()
    assert read_provenance(jpeg_with_xmp(packet)) == NOT_DECLARED
    assert provenance.digital_source_type(laughs + b"<x/>") == ""
    assert time.monotonic() - started < 1


def test_a_huge_packet_is_refused():
    padding = "<rdf:Description/>" * 70_000  # over 1 MB
    packet = xmp(padding + '<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/'
                  f'Iptc4xmpExt/2008-02-29/" Iptc4xmpExt:DigitalSourceType="{AI}"/>')
    assert len(packet) > provenance.MAX_XMP_BYTES
    assert read_provenance(png_with_xmp(packet)) == NOT_DECLARED


def test_a_compressed_packet_bomb_is_cut_off():
    bomb = png_with_xmp(b"<x:xmpmeta>" + b" " * 50_000_000, compressed=True)
    assert len(bomb) < 100_000
    started = time.monotonic()
    assert read_provenance(bomb, "image/png") == NOT_DECLARED
    assert time.monotonic() - started < 2


def test_deeply_nested_xmp_declares_nothing():
    packet = b"<a>" * 200_000 + b"</a>" * 200_000
    assert provenance.digital_source_type(packet) == ""
    assert read_provenance(jpeg_with_xmp(b"<x:xmpmeta" + b"<" * 60000)) == NOT_DECLARED


def test_malformed_containers_declare_nothing():
    for data in (b"\xff\xd8\xff\xe1\x00\x01", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n\x00\x00",
                 b"\x89PNG\r\n\x1a\n\xff\xff\xff\xffiTXt", b"RIFF\x00\x00\x00\x00WEBPXMP \xff",
                 png_with_xmp(b"\x00" * 10, compressed=True)[:-30]):
        assert read_provenance(data) == NOT_DECLARED


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([b"\xff\xd8", b"\x89PNG\r\n\x1a\n",
                                                  b"RIFF\x10\x00\x00\x00WEBP", b""]))
def test_arbitrary_bytes_never_raise(tail, head):
    found = read_provenance(head + tail)
    assert isinstance(found, Provenance) and found.ai_generated == bool(found.source)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_xmp_text_never_raises(text):
    assert isinstance(provenance.digital_source_type(text.encode("utf-8", "replace")), str)
