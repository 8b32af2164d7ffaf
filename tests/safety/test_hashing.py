"""PDQ as the reference computes it, on ThreatExchange's own test images."""

from __future__ import annotations

import json

import pytest

from rostra.safety.hashing import hash_image, pdq_of
from tests.safety.conftest import FIXTURES

EXPECTED = json.loads((FIXTURES / "expected_hashes.json").read_text())


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pdq_conforms_to_the_reference_hashes(name):
    hashes = hash_image((FIXTURES / name).read_bytes())
    assert len(hashes.pdq) == 64 and hashes.pdq == hashes.pdq.lower()
    limit = 10 if hashes.pdq_quality >= 80 else 16
    assert distance(hashes.pdq, EXPECTED[name]) <= limit


def test_pdq_is_bit_exact_on_good_images():
    exact = [name for name in EXPECTED
             if hash_image((FIXTURES / name).read_bytes()).pdq == EXPECTED[name]]
    assert len(exact) >= len(EXPECTED) - 1  # q0003 (quality 3) is 10 bits off


def test_exact_hashes_are_of_the_bytes():
    import hashlib

    data = (FIXTURES / "misc-images" / "wee.jpg").read_bytes()
    hashes = hash_image(data)
    assert hashes.sha256 == hashlib.sha256(data).hexdigest()
    assert hashes.md5 == hashlib.md5(data).hexdigest()


def test_the_eight_dihedral_hashes_come_from_the_image():
    """The original's variants are (near) the hashes of the rotated and flipped files."""
    dih = sorted(name for name in EXPECTED if "/dih/" in name)
    hashes = hash_image((FIXTURES / dih[0]).read_bytes())
    assert hashes.dihedral[0] == hashes.pdq and len(set(hashes.dihedral)) == 8
    for variant, name in zip(hashes.dihedral, dih, strict=True):
        assert distance(variant, EXPECTED[name]) <= 20, name


@pytest.mark.parametrize("data", [b"", b"not an image", b"\x89PNG\r\n\x1a\n" + b"\0" * 40])
def test_data_that_is_no_image_gets_exact_hashes_only(data):
    hashes = hash_image(data)
    assert hashes.pdq is None and hashes.pdq_quality is None and hashes.dihedral == ()
    assert len(hashes.sha256) == 64 and len(hashes.md5) == 32


def test_a_decompression_bomb_is_not_decoded(settings):
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("L", (3000, 3000)).save(out, "PNG")
    settings.ROSTRA_MEDIA_MAX_PIXELS = 1_000_000
    assert hash_image(out.getvalue()).pdq is None


def test_a_flat_image_has_a_low_quality():
    from PIL import Image

    _, quality = pdq_of(Image.new("RGB", (100, 100), (40, 90, 200)))
    assert quality < 50
