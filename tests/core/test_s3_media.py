"""Media in an S3-compatible bucket: uploads land in the bucket under their own
names, the addresses clients get are the bucket's (or the public URL's) and
answer with the file, deleting a post deletes its files, and quarantine takes a
file out of the public bucket onto local disk.

The bucket lives in a real S3-compatible server, moto's, started as its own
process on a loopback port and spoken to over HTTP by django-storages and boto3.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import boto3
import httpx
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from rostra.api.serializers.media import serialize_media
from rostra.core.scale import s3_storages
from rostra.federation.serializers.note import attachment
from rostra.moderation.services import locate
from rostra.posts import orphans, quarantine
from rostra.posts import services as posts
from rostra.posts.media import upload_media
from tests import factories
from tests.api.live import free_port

pytestmark = pytest.mark.django_db
KEYS = {"access_key": "rostra-test-key", "secret_key": "rostra-test-secret"}
REGION = "eu-central-1"


@pytest.fixture(scope="module")
def endpoint():
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                               "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url + "/", timeout=1)
            break
        except httpx.TransportError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError("moto's S3 server did not start") from None
            time.sleep(0.2)
    yield url
    server.terminate()
    server.wait(timeout=10)


def _client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id=KEYS["access_key"],
                        aws_secret_access_key=KEYS["secret_key"])


@pytest.fixture
def bucket(endpoint, request):
    name = "rostra-" + request.node.name.replace("_", "-")[:40].lower().rstrip("-")
    client = _client(endpoint)
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    # Media are public: anyone may read an object, as docs/deploy.md has operators set.
    client.put_bucket_policy(Bucket=name, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
                       "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{name}/*"}]}))
    return name


def _keys(endpoint: str, bucket: str) -> set[str]:
    found = _client(endpoint).list_objects_v2(Bucket=bucket)
    return {item["Key"] for item in found.get("Contents", [])}


def _upload(author, color=(200, 30, 30)):
    data = factories.image_bytes(color=color)
    return upload_media(author, SimpleUploadedFile("photo.png", data, "image/png"),
                        description="A red square")


def test_a_posted_image_is_stored_in_the_bucket_and_served_from_the_public_url(
        endpoint, bucket, settings, alice):
    public = f"{endpoint}/{bucket}"
    with override_settings(STORAGES=s3_storages(bucket, endpoint_url=endpoint, region=REGION,
                                                public_url=public, **KEYS)):
        media = _upload(alice)
        post = factories.make_post(alice, "A picture", media=[media], visibility="public")
        media.refresh_from_db()
        assert _keys(endpoint, bucket) == {media.file.name, media.thumbnail.name}
        api = serialize_media(media)
        document = attachment(media)
    assert post.media.get() == media
    assert api["url"] == f"{public}/{media.file.name}"
    assert api["preview_url"] == f"{public}/{media.thumbnail.name}"
    assert document["url"] == api["url"]
    served = httpx.get(api["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_without_a_public_url_the_address_is_the_buckets_own_and_unsigned(
        endpoint, bucket, alice):
    with override_settings(STORAGES=s3_storages(bucket, endpoint_url=endpoint, region=REGION,
                                                **KEYS)):
        media = _upload(alice)
        url = serialize_media(media)["url"]
    assert url.startswith(endpoint) and bucket in url and media.file.name in url
    assert "Signature" not in url and "X-Amz" not in url
    assert httpx.get(url).status_code == 200


def test_two_uploads_with_the_same_name_keep_both_files(endpoint, bucket, alice):
    with override_settings(STORAGES=s3_storages(bucket, endpoint_url=endpoint, region=REGION,
                                                **KEYS)):
        red, blue = _upload(alice, (200, 30, 30)), _upload(alice, (30, 30, 200))
        assert red.file.name != blue.file.name
        with red.file.open("rb") as a, blue.file.open("rb") as b:
            assert a.read() != b.read()
    assert {red.file.name, blue.file.name} <= _keys(endpoint, bucket)


def test_deleting_the_post_deletes_its_files_from_the_bucket(
        endpoint, bucket, alice, django_capture_on_commit_callbacks):
    with override_settings(STORAGES=s3_storages(bucket, endpoint_url=endpoint, region=REGION,
                                                **KEYS)):
        post = factories.make_post(alice, "Soon gone", media=[_upload(alice)])
        assert len(_keys(endpoint, bucket)) == 2
        with django_capture_on_commit_callbacks(execute=True):
            posts.delete_post(alice, post)
    assert _keys(endpoint, bucket) == set()


def test_quarantine_moves_the_file_out_of_the_bucket_onto_local_disk(
        endpoint, bucket, settings, alice):
    with override_settings(STORAGES=s3_storages(bucket, endpoint_url=endpoint, region=REGION,
                                                **KEYS)):
        media = _upload(alice)
        name = media.file.name
        quarantine.quarantine(media)
        assert _keys(endpoint, bucket) == set()
        assert (Path(settings.ROSTRA_QUARANTINE_ROOT) / name).is_file()
        with quarantine.open_file(media) as held:
            assert held.read()[:4] == b"\x89PNG"
        quarantine.release(media)
        assert name in _keys(endpoint, bucket)
        assert default_storage.exists(name)
    assert not (Path(settings.ROSTRA_QUARANTINE_ROOT) / name).exists()


def test_a_notice_naming_a_file_in_the_bucket_finds_its_post(endpoint, bucket, alice):
    public = f"{endpoint}/{bucket}"
    for storages in (s3_storages(bucket, endpoint_url=endpoint, region=REGION,
                                 public_url=public, **KEYS),
                     s3_storages(bucket, endpoint_url=endpoint, region=REGION, **KEYS)):
        with override_settings(STORAGES=storages):
            media = _upload(alice)
            post = factories.make_post(alice, "Reported", media=[media], visibility="public")
            url = serialize_media(media)["url"]
            preview = serialize_media(media)["preview_url"]
            assert locate(url) == (post, alice)
            assert locate(preview) == (post, alice)
            assert locate(f"{endpoint}/{bucket}/media/2020/01/nothing.png") == (None, None)
            assert locate("https://elsewhere.example/" + media.file.name) == (None, None)


def test_orphaned_objects_in_the_bucket_are_found_and_removed(endpoint, bucket, alice):
    with override_settings(STORAGES=s3_storages(bucket, endpoint_url=endpoint, region=REGION,
                                                **KEYS)):
        kept = _upload(alice)
        factories.make_post(alice, "Kept", media=[kept])
        lost = default_storage.save("media/2026/01/rolled-back.png", ContentFile(b"x" * 10))
        assert orphans.find(timedelta(hours=1)).names == []  # too young to judge
        found = orphans.remove(timedelta(0))
    assert found.names == [lost] and found.size == 10
    assert _keys(endpoint, bucket) == {kept.file.name, kept.thumbnail.name}
