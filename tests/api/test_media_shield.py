"""The media gate through the client API: a known image answers 422 with a reason a
person can read, and nothing of it is served."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from rostra.posts.models import Media
from rostra.safety.hashing import hash_image
from rostra.safety.models import HashEntry, HashList

PDQ = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "pdq"


def test_a_known_image_is_refused_with_a_readable_reason(api, alice, settings):
    settings.ROSTRA_HASH_INDEX_REFRESH = 0
    original = (PDQ / "bridge-mods" / "aaa-orig.jpg").read_bytes()
    hashes = hash_image(original)
    listing = HashList.objects.create(name="ncii", kind="ncii")
    HashEntry.objects.create(hash_list=listing, signal_type="pdq", value=hashes.pdq,
                             quality=hashes.pdq_quality)
    client = api(alice)
    resized = (PDQ / "bridge-mods" / "shrink-a-lot.jpg").read_bytes()
    response = client.client.post(
        "/api/v2/media", {"file": SimpleUploadedFile("a.jpg", resized, "image/jpeg")},
        headers={"Authorization": f"Bearer {client.token}"})
    assert response.status_code == 422
    assert "held for review" in response.json()["error"]
    media = Media.objects.get()
    assert media.quarantined_at is not None
    assert client.client.get(media.file.url).status_code == 404
