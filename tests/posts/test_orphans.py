"""Files no row names (left by a process killed between writing a file and
committing its row) are found and removed; everything a row names stays."""

from __future__ import annotations

import os
import time
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from rostra.posts import orphans
from rostra.posts import services as posts
from rostra.posts.media import upload_media
from tests.factories import image_bytes


def _stored(name: str, *, hours_old: float) -> str:
    name = default_storage.save(name, ContentFile(b"left behind"))
    then = time.time() - hours_old * 3600
    os.utime(default_storage.path(name), (then, then))
    return name


def _everything() -> set[str]:
    return {name for folder in orphans.FOLDERS for name in orphans._walk(default_storage, folder)}


def test_only_old_files_no_row_names_are_removed(db, make_user):
    alice = make_user("alice")
    attached = upload_media(alice.account, image_bytes(), description="kept")
    posts.create_post(alice.account, "With a picture", media=[attached])
    unattached = upload_media(alice.account, image_bytes(), description="not posted yet")
    alice.account.avatar.save("me.png", ContentFile(image_bytes()))
    old = _stored("media/2026/01/killed-import.png", hours_old=48)
    young = _stored("media/2026/11/upload-in-flight.png", hours_old=0.1)
    old_avatar = _stored("avatars/2026/01/never-saved.png", hours_old=48)
    named = {attached.file.name, attached.thumbnail.name, unattached.file.name,
             unattached.thumbnail.name,
             alice.account.avatar.name} - {""}

    found = orphans.remove(timedelta(hours=24))

    assert sorted(found.names) == sorted([old, old_avatar])
    assert found.size == 2 * len(b"left behind")
    assert _everything() == named | {young}


def test_the_command_lists_first_and_deletes_only_when_asked(db, make_user, capsys):
    make_user("alice")
    old = _stored("headers/2025/12/orphan.png", hours_old=30)
    call_command("media", "remove-orphans", "--dry-run")
    out = capsys.readouterr().out
    assert old in out and "Would delete 1 orphaned files" in out
    assert default_storage.exists(old)
    call_command("media", "remove-orphans", "--older-than", "12")
    assert "Deleted 1 orphaned files" in capsys.readouterr().out
    assert not default_storage.exists(old)


def test_an_empty_storage_has_no_orphans(db):
    assert orphans.find().names == []
