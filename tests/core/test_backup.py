"""`rostra backup` and `rostra restore`: a round trip gives back the same server, and a
damaged, cut-off or foreign archive is refused before anything changes."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from rostra.accounts.models import Account
from rostra.core.backup import MANIFEST, BackupError, create_backup, verify_backup
from rostra.posts.media import upload_media
from rostra.posts.models import Media, Post
from rostra.posts.quarantine import quarantine
from tests import factories

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite",
                                reason="the SQLite round trip (PostgreSQL: pg_dump/pg_restore)")


def _world() -> dict:
    """Users, posts (one with an image), and a quarantined file."""
    alice = factories.make_account("alice")
    bob = factories.make_account("bob")
    picture = upload_media(alice, factories.image_bytes(color=(10, 200, 30)),
                           description="a green square")
    factories.make_post(alice, "Hello from alice", media=[picture])
    factories.make_post(bob, "Bob was here")
    held = upload_media(bob, factories.image_bytes(color=(250, 250, 0)))
    quarantine(held)
    return _snapshot()


def _snapshot() -> dict:
    """What must survive: accounts, posts, media rows and the bytes of every file."""
    files = {}
    for tree in (settings.MEDIA_ROOT, settings.ROSTRA_QUARANTINE_ROOT):
        root = Path(tree)
        for path in sorted(root.rglob("*")) if root.exists() else []:
            if path.is_file():
                files[f"{root.name}/{path.relative_to(root)}"] = path.read_bytes()
    return {
        "accounts": sorted(Account.objects.values_list("username", "display_name")),
        "posts": sorted(Post.objects.values_list("id", "account__username", "text")),
        "media": sorted(Media.objects.values_list("id", "file", "description",
                                                  "quarantined_at")),
        "files": files,
    }


def _wipe() -> None:
    call_command("flush", interactive=False, verbosity=0)
    for tree in (settings.MEDIA_ROOT, settings.ROSTRA_QUARANTINE_ROOT):
        shutil.rmtree(tree, ignore_errors=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["server.tar", "server.tar.gz"])
def test_backup_wipe_restore_gives_back_the_same_server(tmp_path, name):
    before = _world()
    assert len(before["files"]) >= 3  # the image, its thumbnail, the quarantined file
    archive = tmp_path / name
    call_command("backup", output=str(archive))
    _wipe()
    assert _snapshot()["accounts"] == [] and _snapshot()["files"] == {}

    call_command("restore", str(archive))

    assert _snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_manifest_lists_every_member_with_size_and_sha256(tmp_path):
    _world()
    manifest = create_backup(tmp_path / "b.tar")
    assert manifest["format"] == "rostra-backup" and manifest["version"] == 1
    assert manifest["database"] == {"vendor": "sqlite", "member": "database/rostra.sqlite3"}
    assert manifest["media"]["included"] and manifest["media"]["files"] >= 2
    assert manifest["quarantine"]["files"] >= 1
    with tarfile.open(tmp_path / "b.tar") as tar:
        names = tar.getnames()
        stored = json.loads(tar.extractfile(MANIFEST).read())
    assert stored == manifest
    assert sorted(set(names) - {MANIFEST}) == sorted(manifest["members"])
    assert all(len(m["sha256"]) == 64 for m in manifest["members"].values())


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_with_accounts_unless_forced(tmp_path):
    before = _world()
    archive = tmp_path / "b.tar"
    create_backup(archive)
    factories.make_account("carol")  # made after the backup

    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(archive))
    assert Account.objects.filter(username="carol").exists()

    call_command("restore", str(archive), force=True)
    assert _snapshot() == before


def _damage(archive: Path, member_prefix: str) -> None:
    """Flip one byte inside the data of the first member named ``member_prefix...``."""
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith(member_prefix))
    data = bytearray(archive.read_bytes())
    data[member.offset_data + member.size // 2] ^= 0xFF
    archive.write_bytes(bytes(data))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("member", ["media/", "database/"])
def test_a_damaged_archive_is_refused_and_nothing_changes(tmp_path, member):
    _world()
    archive = tmp_path / "b.tar"
    create_backup(archive)
    factories.make_account("carol")
    after = _snapshot()
    _damage(archive, member)

    with pytest.raises(CommandError, match="does not match its manifest"):
        call_command("restore", str(archive), force=True)

    assert _snapshot() == after


@pytest.mark.django_db(transaction=True)
def test_a_cut_off_compressed_archive_is_refused(tmp_path):
    _world()
    archive = tmp_path / "b.tar.gz"
    create_backup(archive)
    after = _snapshot()
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])

    with pytest.raises(CommandError, match="damaged or cut off"):
        call_command("restore", str(archive), force=True)
    assert _snapshot() == after


def _tar_with(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.django_db
def test_a_foreign_archive_is_refused(tmp_path):
    foreign = _tar_with(tmp_path / "other.tar", {"media/photo.jpg": b"not ours",
                                                 "README": b"hello"})
    with pytest.raises(BackupError, match="no Rostra backup holds"):
        verify_backup(foreign)
    other_format = _tar_with(tmp_path / "other2.tar", {
        "manifest.json": json.dumps({"format": "something-else", "version": 1}).encode()})
    with pytest.raises(BackupError, match="not a Rostra backup"):
        verify_backup(other_format)
    no_manifest = _tar_with(tmp_path / "other3.tar", {"media/a.png": b"x"})
    with pytest.raises(BackupError, match="no manifest"):
        verify_backup(no_manifest)
    not_tar = tmp_path / "notes.tar"
    not_tar.write_bytes(gzip.compress(b"just text"))
    with pytest.raises(BackupError, match="not a readable tar archive"):
        verify_backup(not_tar)


@pytest.mark.django_db
def test_an_archive_with_a_path_escaping_its_folders_is_refused(tmp_path):
    evil = _tar_with(tmp_path / "evil.tar", {"media/../../etc/cron.d/x": b"boom"})
    with pytest.raises(BackupError, match="no Rostra backup holds"):
        verify_backup(evil)


@pytest.mark.django_db(transaction=True)
def test_a_newer_format_version_is_refused_with_the_reason(tmp_path):
    _world()
    archive = tmp_path / "b.tar"
    manifest = create_backup(archive)
    manifest["version"] = 99
    with tarfile.open(archive) as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    files[MANIFEST] = json.dumps(manifest).encode()
    newer = _tar_with(tmp_path / "newer.tar", files)
    with pytest.raises(BackupError, match="newer Rostra"):
        verify_backup(newer)


@pytest.mark.django_db(transaction=True)
def test_backup_never_overwrites_an_existing_file(tmp_path):
    target = tmp_path / "b.tar"
    target.write_bytes(b"precious")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", output=str(target))
    assert target.read_bytes() == b"precious"
    assert not (tmp_path / "b.tar.partial").exists()


@pytest.mark.django_db(transaction=True)
def test_restore_check_only_verifies(tmp_path, capsys):
    _world()
    archive = tmp_path / "b.tar"
    create_backup(archive)
    call_command("restore", str(archive), check=True)
    assert "is sound" in capsys.readouterr().out


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ROSTRA_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "rostra.cli", *args], env=env, text=True,
                          capture_output=True, timeout=300)


@pytest.mark.django_db(transaction=True)
def test_the_cli_backs_up_a_live_database_consistently_and_restores_it_elsewhere(tmp_path):
    factories.make_account("alice")
    live, other = tmp_path / "live", tmp_path / "other"
    live.mkdir()
    other.mkdir()
    copy = sqlite3.connect(live / "rostra.sqlite3")  # the migrated test database, on disk
    connection.ensure_connection()
    connection.connection.backup(copy)
    copy.execute("PRAGMA journal_mode=WAL")
    copy.execute("CREATE TABLE ops_pair (n INTEGER)")
    copy.commit()
    copy.close()
    stop = threading.Event()
    written = []

    def write() -> None:  # the server at work: two rows per transaction, never one
        db = sqlite3.connect(live / "rostra.sqlite3", timeout=30)
        while not stop.is_set():
            with db:
                db.executemany("INSERT INTO ops_pair VALUES (?)", [(1,), (2,)])
            written.append(2)
        db.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        done = _cli(live, "backup", "--output", str(tmp_path / "live.tar.gz"))
    finally:
        stop.set()
        writer.join()
    assert done.returncode == 0, done.stderr
    assert "Backup written" in done.stdout

    restored = _cli(other, "restore", str(tmp_path / "live.tar.gz"))
    assert restored.returncode == 0, restored.stderr
    db = sqlite3.connect(other / "rostra.sqlite3")
    rows = db.execute("SELECT COUNT(*) FROM ops_pair").fetchone()[0]
    users = db.execute("SELECT username FROM accounts_user").fetchall()
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    assert rows % 2 == 0 and 0 < rows <= sum(written)  # a snapshot between transactions
    assert users == [("alice",)]
    assert (other / "secret_key").read_text() == (live / "secret_key").read_text()
