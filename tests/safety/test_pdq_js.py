"""The browser's PDQ (rostra/web/static/js/pdq.js) against Meta's reference hashes.

The fixture images of ``shared/fixtures/pdq`` are hashed in a real Chromium (the
system one, never a downloaded build) and compared with ``expected_hashes.json``:
within 10 bits for images whose quality is 80 or more, 16 otherwise (the quality
is the one the browser computes). MD5 and SHA-256 must be exact."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import threading
from pathlib import Path

import pytest

from tests import chromium

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / ".." / "shared" / "fixtures" / "pdq"
PDQ_JS = REPO / "rostra" / "web" / "static" / "js" / "pdq.js"
EXPECTED = FIXTURES / "expected_hashes.json"

pytestmark = [
    *chromium.MARKS,
    pytest.mark.skipif(not EXPECTED.exists(), reason="no PDQ fixtures beside the repository"),
]


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def tolerance(quality: int) -> int:
    return 10 if quality >= 80 else 16


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A loopback web server (a secure context, so Web Crypto is there) serving the
    script, an empty page that loads it, and the fixtures."""
    root = tmp_path_factory.mktemp("pdq-site")
    (root / "pdq.js").symlink_to(PDQ_JS)
    (root / "fixtures").symlink_to(FIXTURES.resolve())
    (root / "index.html").write_text(
        '<!doctype html><meta charset="utf-8"><script src="/pdq.js"></script>')
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def page(site):
    with chromium.launch() as browser:
        page = browser.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{site}/index.html")
        page.wait_for_function("() => window.RostraHash !== undefined")
        yield page


HASH_FIXTURES = """async (names) => {
  const out = {};
  for (const name of names) {
    const response = await fetch("/fixtures/" + name);
    const blob = await response.blob();
    out[name] = await RostraHash.hashFile(new File([blob], name, {type: blob.type}));
  }
  return out;
}"""


IMAGES = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*")
                if p.suffix.lower() in {".jpg", ".jpeg", ".png"})


@pytest.fixture(scope="module")
def browser_hashes(page):
    return page.evaluate(HASH_FIXTURES, IMAGES)


def test_every_fixture_is_within_the_conformance_distance(browser_hashes):
    expected = json.loads(EXPECTED.read_text())
    report = []
    failures = []
    for name, reference in sorted(expected.items()):
        got = browser_hashes[name]
        d = distance(got["pdq"], reference)
        report.append(f"{name}: {d} bits, quality {got['quality']}")
        if d > tolerance(got["quality"]):
            failures.append(f"{name}: {d} bits (quality {got['quality']})")
    print("\n".join(report))
    assert not failures, failures


def test_every_fixture_agrees_with_the_servers_hasher(browser_hashes):
    """The server's own hasher (``rostra.safety.hashing``) on every fixture image,
    including those without a reference hash: same quality, PDQ within tolerance."""
    hashing = pytest.importorskip("rostra.safety.hashing")
    report = []
    failures = []
    for name in IMAGES:
        got = browser_hashes[name]
        server = hashing.hash_image((FIXTURES / name).read_bytes())
        d = distance(got["pdq"], server.pdq)
        report.append(f"{name}: {d} bits, quality {got['quality']} (server {server.pdq_quality})")
        if d > tolerance(server.pdq_quality) or got["quality"] != server.pdq_quality:
            failures.append(report[-1])
    print("\n".join(report))
    assert not failures, failures


def test_exact_fingerprints_equal_pythons(browser_hashes):
    for name, got in browser_hashes.items():
        data = (FIXTURES / name).read_bytes()
        assert got["sha256"] == hashlib.sha256(data).hexdigest(), name
        assert got["md5"] == hashlib.md5(data).hexdigest(), name


def test_hex_is_lower_case_and_256_bits(browser_hashes):
    for got in browser_hashes.values():
        assert len(got["pdq"]) == 64 and got["pdq"] == got["pdq"].lower()
        int(got["pdq"], 16)
        assert 0 <= got["quality"] <= 100


@pytest.mark.parametrize("size", [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000])
def test_md5_matches_hashlib_at_padding_boundaries(page, size):
    data = bytes((i * 7 + 3) % 256 for i in range(size))
    got = page.evaluate("(b) => RostraHash.md5(new Uint8Array(b))", list(data))
    assert got == hashlib.md5(data).hexdigest()


def test_featureless_image_has_quality_zero(page):
    got = page.evaluate("""() => {
      const data = new Uint8ClampedArray(100 * 80 * 4).fill(200);
      return RostraHash.pdq({width: 100, height: 80, data});
    }""")
    assert got["quality"] == 0


def test_tiny_image_hashes_to_zero(page):
    got = page.evaluate("""() => RostraHash.pdq(
        {width: 4, height: 4, data: new Uint8ClampedArray(64).fill(9)})""")
    assert got == {"hash": "0" * 64, "quality": 0}


def _scene(width: int = 320, height: int = 200):
    """A picture with structure and no symmetry, so every rotation hashes apart."""
    import numpy as np
    from PIL import Image

    y, x = np.mgrid[0:height, 0:width]
    red = (x * 255 // width).astype("uint8")
    green = ((np.sin(x / 9.0) + np.cos(y / 13.0)) * 60 + 128).astype("uint8")
    blue = ((x // 40 + y // 25) % 2 * 200).astype("uint8")
    pixels = np.dstack([red, green, blue])
    pixels[20:80, 30:140] = (250, 250, 20)
    return Image.fromarray(pixels, "RGB")


def _jpeg(image, orientation: int | None) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    if orientation is None:
        image.save(out, "JPEG", quality=92)
    else:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.save(out, "JPEG", quality=92, exif=exif.tobytes())
    return out.getvalue()


HASH_BYTES = """async (files) => {
  const out = [];
  for (const bytes of files) {
    const file = new File([new Uint8Array(bytes)], "x.jpg", {type: "image/jpeg"});
    out.push(await RostraHash.hashFile(file));
  }
  return out;
}"""


def test_exif_orientation_is_ignored_as_the_reference_does(page):
    """Browsers turn photos upright; the hash is of the pixels as stored, like the
    reference tool's (and Pillow's without ``exif_transpose``)."""
    pdqhash = pytest.importorskip("pdqhash")
    import io

    import numpy as np
    from PIL import Image

    scene = _scene()
    files = [_jpeg(scene, None)] + [_jpeg(scene, o) for o in range(1, 9)]
    got = page.evaluate(HASH_BYTES, [list(f) for f in files])
    assert {g["pdq"] for g in got} == {got[0]["pdq"]}  # same stored pixels, same hash
    bits, quality = pdqhash.compute(np.asarray(Image.open(io.BytesIO(files[0])).convert("RGB")))
    reference = f"{int(''.join(str(int(b)) for b in bits), 2):064x}"
    assert distance(got[0]["pdq"], reference) <= tolerance(quality)
    assert got[0]["quality"] == quality
