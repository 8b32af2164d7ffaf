"""`rostra backup`/`rostra restore` on PostgreSQL (pg_dump/pg_restore): a server's posts
and media come back in a fresh database. Runs when the suite runs on PostgreSQL; the
SQLite path is tests/core/test_backup.py."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from rostra.core import backup
from tests.core.test_backup import _world

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="the PostgreSQL round trip; SQLite: test_backup.py")


def _url(db: dict, name: str) -> str:
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "localhost"
    return f"postgres://{auth}@{host}:{db.get('PORT') or 5432}/{name}"


@pytest.fixture
def fresh_database():
    """A new, empty database on the suite's server (never the test database), dropped
    afterwards; yields its URL."""
    db = connection.settings_dict
    name = f"rostra_restore_{uuid.uuid4().hex[:12]}"
    admin = _url(db, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url(db, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _restore(url: str, data_dir: Path, archive: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in {"ROSTRA_MEDIA_ROOT", "ROSTRA_QUARANTINE_ROOT", "ROSTRA_SECRET_KEY"}}
    env.update(DATABASE_URL=url, ROSTRA_DATA_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-m", "rostra.cli", "restore", str(archive), *extra],
                          env=env, text=True, capture_output=True, timeout=300)


def _rows(url: str) -> dict:
    with psycopg.connect(url) as conn:
        return {
            "accounts": sorted(conn.execute(
                "SELECT username, display_name FROM accounts_account").fetchall()),
            "posts": sorted(conn.execute(
                "SELECT p.id, a.username, p.text FROM posts_post p "
                "JOIN accounts_account a ON a.id = p.account_id").fetchall()),
            "media": sorted(conn.execute(
                "SELECT id, file, description, quarantined_at IS NOT NULL "
                "FROM posts_media").fetchall()),
        }


def _files(*roots: Path) -> dict[str, bytes]:
    found = {}
    for root in roots:
        for path in sorted(root.rglob("*")) if root.exists() else []:
            if path.is_file():
                found[f"{root.name}/{path.relative_to(root)}"] = path.read_bytes()
    return found


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_pg_backup_restores_posts_and_media_into_a_fresh_database(tmp_path, fresh_database):
    before = _world()
    archive = tmp_path / "server.tar.gz"
    call_command("backup", output=str(archive))
    manifest = backup.verify_backup(archive)
    assert manifest["database"] == {"vendor": "postgresql", "member": "database/rostra.pgdump"}
    expected = _rows(_url(connection.settings_dict, connection.settings_dict["NAME"]))
    assert len(expected["posts"]) == 2 and len(expected["media"]) == 2

    other = tmp_path / "other"
    done = _restore(fresh_database, other, archive)

    assert done.returncode == 0, done.stderr
    assert "was restored" in done.stdout
    assert _rows(fresh_database) == expected
    assert _files(other / "media", other / "quarantine") == before["files"]
    assert (other / "secret_key").read_text() == (Path(settings.BASE_DIR) / "secret_key") \
        .read_text()


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_pg_restore_over_accounts_needs_force_and_then_replaces_them(tmp_path, fresh_database):
    _world()
    archive = tmp_path / "server.tar"
    call_command("backup", output=str(archive))
    other = tmp_path / "other"
    assert _restore(fresh_database, other, archive).returncode == 0
    with psycopg.connect(fresh_database) as conn:  # the restored server moves on
        conn.execute("UPDATE posts_post SET text = 'edited after the backup'")
    edited = _rows(fresh_database)

    refused = _restore(fresh_database, other, archive)
    assert refused.returncode != 0 and "--force" in refused.stderr
    assert _rows(fresh_database) == edited

    forced = _restore(fresh_database, other, archive, "--force")
    assert forced.returncode == 0, forced.stderr
    texts = sorted(text for _id, _who, text in _rows(fresh_database)["posts"])
    assert texts == ["Bob was here", "Hello from alice"]


def test_pg_tools_are_found_in_debians_server_folders_when_not_on_path(tmp_path, monkeypatch):
    for version in ("9.6", "13", "15"):
        tool = tmp_path / version / "bin" / "pg_restore"
        tool.parent.mkdir(parents=True)
        tool.write_text("#!/bin/sh\n")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(backup, "PG_LIB", str(tmp_path))
    assert backup._pg_tool("pg_restore") == str(tmp_path / "15" / "bin" / "pg_restore")
    with pytest.raises(backup.BackupError, match="postgresql-client"):
        backup._pg_tool("pg_dump")
