"""Image uploads: metadata stripped, orientation applied, derived data, and refusals."""

import hashlib
import io
import os
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from rostra.posts.errors import PostError
from rostra.posts.media import update_media, upload_media
from rostra.posts.models import Media
from tests.factories import image_bytes


def exif_with_gps(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "SpyCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (13.0, 24.0, 36.0)
    return exif.tobytes()


def stored(field) -> Image.Image:
    with field.open("rb") as f:
        return Image.open(io.BytesIO(f.read()))


def media_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]


def png_header_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width``×``height`` pixels, with almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b""))


def noise_png(size=(200, 200)) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, "PNG")
    return out.getvalue()


def test_upload_stores_an_image_owned_by_the_uploader_and_unattached(alice):
    media = upload_media(alice, image_bytes(), description="  a red square ")
    assert (media.account, media.post, media.kind) == (alice, None, "image")
    assert media.description == "a red square"
    assert (media.width, media.height, media.mime_type) == (64, 48, "image/png")


def test_exif_and_gps_are_stripped_from_the_stored_jpeg(alice):
    data = image_bytes("JPEG", exif=exif_with_gps())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # precondition
    media = upload_media(alice, data)
    clean = stored(media.file)
    assert dict(clean.getexif()) == {}
    assert "exif" not in clean.info
    with media.file.open("rb") as f:
        raw = f.read()
    assert b"SpyCam" not in raw and b"Exif" not in raw


def test_exif_is_stripped_from_the_thumbnail(alice):
    media = upload_media(alice, image_bytes("JPEG", exif=exif_with_gps()))
    assert dict(stored(media.thumbnail).getexif()) == {}


def test_exif_is_stripped_from_a_png(alice):
    media = upload_media(alice, image_bytes("PNG", exif=exif_with_gps()))
    with media.file.open("rb") as f:
        assert b"SpyCam" not in f.read()


def test_exif_orientation_is_applied_before_stripping(alice):
    # Orientation 6: the camera was turned; the picture shows 90° rotated.
    media = upload_media(alice, image_bytes("JPEG", size=(64, 48), exif=exif_with_gps(6)))
    assert (media.width, media.height) == (48, 64)
    assert stored(media.file).size == (48, 64)


def test_thumbnail_fits_in_640_pixels(alice):
    media = upload_media(alice, image_bytes("JPEG", size=(2000, 1000)))
    assert stored(media.thumbnail).size == (640, 320)
    assert (media.width, media.height) == (2000, 1000)


def test_blurhash_is_computed(alice):
    assert upload_media(alice, image_bytes()).blurhash


def test_hashes_of_the_original_upload_are_stored(alice):
    data = image_bytes("JPEG", exif=exif_with_gps())
    media = upload_media(alice, data)
    assert media.sha256 == hashlib.sha256(data).hexdigest()
    assert media.md5 == hashlib.md5(data).hexdigest()


def test_uploaded_file_object_is_accepted(alice):
    upload = SimpleUploadedFile("x.png", image_bytes(), content_type="image/png")
    assert upload_media(alice, upload).width == 64


def test_gif_keeps_its_first_frame_as_png(alice):
    assert upload_media(alice, image_bytes("GIF")).mime_type == "image/png"


def test_webp_is_accepted(alice):
    assert upload_media(alice, image_bytes("WEBP")).mime_type == "image/webp"


def test_oversized_bytes_are_refused_with_a_message(alice, settings):
    settings.ROSTRA_MEDIA_MAX_BYTES = 1024 * 1024
    with pytest.raises(PostError) as exc:
        upload_media(alice, b"\x89PNG" + b"\x00" * (1024 * 1024))
    assert "1 MB" in str(exc.value)
    assert exc.value.field == "media"
    assert not Media.objects.exists()


def test_oversized_upload_is_refused_by_its_declared_size(alice, settings):
    settings.ROSTRA_MEDIA_MAX_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("big.png", b"\x00" * (1024 * 1024 + 1))
    with pytest.raises(PostError):
        upload_media(alice, upload)


def test_text_file_is_refused(alice, settings):
    with pytest.raises(PostError) as exc:
        upload_media(alice, b"just some text, not an image\n")
    assert "not an image" in str(exc.value)
    assert not Media.objects.exists()
    assert media_files(settings) == []


def test_empty_file_is_refused(alice):
    with pytest.raises(PostError):
        upload_media(alice, b"")


def test_other_image_formats_are_refused(alice):
    with pytest.raises(PostError) as exc:
        upload_media(alice, image_bytes("BMP"))
    assert "BMP" in str(exc.value)


def test_decompression_bomb_header_is_refused(alice, settings):
    with pytest.raises(PostError) as exc:
        upload_media(alice, png_header_claiming(20000, 20000))
    assert "pixels" in str(exc.value)
    assert not Media.objects.exists()
    assert media_files(settings) == []


def test_image_over_the_pixel_limit_is_refused(alice, settings):
    settings.ROSTRA_MEDIA_MAX_PIXELS = 1000
    with pytest.raises(PostError) as exc:
        upload_media(alice, image_bytes(size=(64, 48)))
    assert "pixels" in str(exc.value)
    assert not Media.objects.exists()


def test_truncated_image_is_refused(alice, settings):
    data = noise_png()
    with pytest.raises(PostError) as exc:
        upload_media(alice, data[: len(data) // 2])
    assert "damaged or truncated" in str(exc.value)
    assert not Media.objects.exists()
    assert media_files(settings) == []


def test_too_long_alt_text_is_refused(alice):
    with pytest.raises(PostError) as exc:
        upload_media(alice, image_bytes(), description="x" * 1501)
    assert exc.value.field == "description"


def test_focus_outside_minus_one_to_one_is_refused(alice):
    with pytest.raises(PostError):
        upload_media(alice, image_bytes(), focus=(1.5, 0))


def test_owner_can_update_alt_text_and_focus(alice):
    media = upload_media(alice, image_bytes())
    update_media(alice, media, description="new", focus=(0.5, -0.5))
    media.refresh_from_db()
    assert (media.description, media.focus_x, media.focus_y) == ("new", 0.5, -0.5)


def test_others_cannot_update_media(alice, bob):
    media = upload_media(alice, image_bytes())
    with pytest.raises(PostError):
        update_media(bob, media, description="mine now")
