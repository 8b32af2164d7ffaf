"""The media gate: an image or a video in, hashes and matches out."""

from __future__ import annotations

import io
import os
import tempfile

import av
import pytest
from PIL import Image

from rostra.safety import hashing, lists
from rostra.safety.gate import GateVerdict, inspect_media
from rostra.safety.hashing import hash_video, pdq_of
from rostra.safety.models import HashList
from tests import video_samples
from tests.safety.conftest import FIXTURES, ORIGINAL, hashes_of

pytestmark = pytest.mark.django_db
OTHER = FIXTURES / "reg-test-input" / "labelme-subset" / "q0122.jpg"
THIRD = FIXTURES / "reg-test-input" / "labelme-subset" / "q0291.jpg"
SCENES = [ORIGINAL, *sorted((FIXTURES / "reg-test-input" / "labelme-subset").glob("*.jpg"))[2:],
          FIXTURES / "misc-images" / "c.png", FIXTURES / "misc-images" / "wee.jpg"]


def known(*paths, kind="ncii", action="block", exact=False) -> HashList:
    hash_list = HashList.objects.create(name=f"{kind}-list", kind=kind, action=action)
    for path in paths:
        h = hashes_of(path)
        lists.add_entries(hash_list, [("pdq", h.pdq, h.pdq_quality)]
                          + ([("md5", h.md5)] if exact else []))
    return hash_list


def slideshow(*scenes, size=(320, 200), rate=10, frames_each=15, keyint=250) -> bytes:
    """An H.264 MP4 showing each image (a path or a file) in turn for ``frames_each``
    frames, with a key frame every ``keyint`` frames (and not at scene changes)."""
    fd, path = tempfile.mkstemp(suffix=".mp4")
    os.close(fd)
    try:
        with av.open(path, "w", format="mp4") as out:
            stream = out.add_stream("libx264", rate=rate)
            stream.width, stream.height = size
            stream.pix_fmt = "yuv420p"
            stream.options = {"preset": "ultrafast",
                              "x264-params": f"keyint={keyint}:scenecut=0"}
            for scene in scenes:
                picture = Image.open(scene).convert("RGB").resize(size)
                for _ in range(frames_each):
                    for packet in stream.encode(av.VideoFrame.from_image(picture)):
                        out.mux(packet)
            for packet in stream.encode():
                out.mux(packet)
        with open(path, "rb") as f:
            return f.read()
    finally:
        os.unlink(path)


def test_an_unlisted_image_is_allowed_with_its_hashes():
    verdict = inspect_media(ORIGINAL.read_bytes())
    h = hashes_of(ORIGINAL)
    assert verdict == GateVerdict(sha256=h.sha256, md5=h.md5, allowed=True, reasons=[],
                                  pdq=h.pdq, pdq_quality=h.pdq_quality, frame_pdqs=[],
                                  matches=[])


def test_a_listed_image_is_not_allowed_and_the_reason_names_no_list():
    known(ORIGINAL, kind="csam", exact=True)
    verdict = inspect_media((FIXTURES / "bridge-mods" / "shrink-a-lot.jpg").read_bytes())
    assert not verdict.allowed
    assert [(m.kind, m.action, m.signal_type) for m in verdict.matches] == [
        ("csam", "block", "pdq")]
    (reason,) = verdict.reasons
    assert "bits (PDQ)" in reason and "block" in reason
    assert "csam" not in reason.lower() and "list-" not in reason


def test_the_same_file_matches_exactly_and_perceptually():
    known(ORIGINAL, exact=True)
    verdict = inspect_media(ORIGINAL.read_bytes())
    assert sorted((m.signal_type, m.distance) for m in verdict.matches) == [
        ("md5", 0), ("pdq", 0)]


def test_bytes_that_are_no_image_are_matched_exactly():
    data = b"\x00not an image at all"
    hash_list = HashList.objects.create(name="x", kind="other", action="review")
    lists.add_entries(hash_list, [("md5", inspect_media(data).md5)])
    verdict = inspect_media(data)
    assert verdict.pdq is None and [m.signal_type for m in verdict.matches] == ["md5"]


def test_a_video_showing_a_listed_image_is_caught_by_its_frames():
    known(ORIGINAL)
    data = slideshow(OTHER, ORIGINAL, THIRD)
    verdict = inspect_media(data, video=True)
    assert not verdict.allowed and {m.signal_type for m in verdict.matches} == {"pdq"}
    assert verdict.matches[0].distance <= 31
    assert 3 <= len(verdict.frame_pdqs) <= 8
    assert verdict.pdq == verdict.frame_pdqs[0][0]
    # The first frame is the first scene (the poster), as the video shows it.
    (first, *_), _ = pdq_of(Image.open(OTHER).convert("RGB").resize((320, 200)))
    assert (int(verdict.pdq, 16) ^ int(first, 16)).bit_count() <= 16


def test_a_mirrored_video_is_caught_too():
    known(ORIGINAL)
    mirrored = io.BytesIO()
    Image.open(ORIGINAL).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(mirrored, "PNG")
    mirrored.seek(0)
    assert not inspect_media(slideshow(mirrored), video=True).allowed


@pytest.mark.parametrize("keyint", [250, 7])  # one key frame in all; one every 7 frames
def test_video_frames_are_sampled_evenly_within_bounds(monkeypatch, keyint):
    decoded = []
    real = hashing._decoded

    def counting(container, stream):
        for frame in real(container, stream):
            decoded.append(frame.pts)
            yield frame

    monkeypatch.setattr(hashing, "_decoded", counting)
    size = (192, 144)
    data = slideshow(*SCENES, size=size, rate=20, frames_each=25, keyint=keyint)  # 10 s
    clip = hash_video(data)
    assert len(clip.frames) == 8 == len(clip.dihedral)
    assert all(len(v) == 8 and v[0] == f[0]
               for v, f in zip(clip.dihedral, clip.frames, strict=True))
    scenes = [pdq_of(Image.open(p).convert("RGB").resize(size))[0][0] for p in SCENES]
    for n, (frame, _) in enumerate(clip.frames):  # sample n shows scene n
        near = [(int(frame, 16) ^ int(scene, 16)).bit_count() for scene in scenes]
        assert near.index(min(near)) == n and near[n] <= 31
    assert len(decoded) <= 8 * hashing.DECODE_BUDGET


def test_a_webm_is_hashed_too():
    clip = hash_video(video_samples.webm(frames=20))
    assert 1 <= len(clip.frames) <= 8 and all(len(h) == 64 for h, _ in clip.frames)


@pytest.mark.parametrize("data", [b"", b"junk", video_samples.mp4_declaring(65536, 65536)])
def test_a_video_that_does_not_decode_has_no_frames(data):
    clip = hash_video(data)
    assert clip.frames == [] and len(clip.sha256) == 64
    verdict = inspect_media(data, video=True)
    assert verdict.allowed and verdict.pdq is None
