"""A real media-gate match for the operations tests: a hash list holding one image's
MD5, and that image uploaded (quarantined, a case opened after commit)."""

from __future__ import annotations

import pytest
from django.test import TestCase

from rostra.posts.media import MediaHeld, upload_media
from rostra.safety import matching
from rostra.safety.hashing import hash_image
from rostra.safety.models import HashEntry, HashList
from tests import factories


def upload_listed_image(account, kind: str = "csam", color=(1, 2, 3)):
    """Upload an image that a ``kind`` hash list names; return the held media."""
    data = factories.image_bytes(color=color)
    hash_list, _ = HashList.objects.get_or_create(name=f"{kind}-ops", kind=kind)
    HashEntry.objects.get_or_create(hash_list=hash_list, signal_type="md5",
                                    value=hash_image(data).md5)
    matching.reset()
    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(MediaHeld) as held:
        upload_media(account, data, source="upload")
    return held.value.media
