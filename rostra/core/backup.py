"""Back up and restore a whole server: the database, the media and the secret key.

An archive is a tar (gzip-compressed when its name ends ``.gz`` or ``.tgz``):

* ``database/rostra.sqlite3`` (SQLite, copied with SQLite's online backup API, so it is
  one consistent snapshot while the server writes) or ``database/rostra.pgdump``
  (PostgreSQL, ``pg_dump --format=custom``: one snapshot too);
* ``media/...``: the files of local media storage (``MEDIA_ROOT``), and
  ``quarantine/...``: media the gate quarantined, kept as evidence. The database is
  copied first: media files are written once under new names, so every file the
  snapshot names is there when the files are read (one made later is an unused
  extra). Media in S3-compatible storage are not archived (the manifest says so):
  back up the bucket with the storage's own tools;
* ``secret_key``: the generated key in the data dir (not when ``ROSTRA_SECRET_KEY``
  is set), which seals stored push tokens and signs links already sent;
* ``manifest.json``, last: format, version, time, database vendor, and the size and
  SHA-256 of every other member.

``restore_backup`` reads the whole archive and checks it against its manifest before
it changes anything: a damaged, cut-off, altered or foreign archive is refused with
the reason. It refuses a database that already holds accounts unless ``force``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections
from django.utils import timezone

from rostra.core.versions import rostra_version

FORMAT = "rostra-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database/rostra.sqlite3", "postgresql": "database/rostra.pgdump"}
TREES = ("media", "quarantine")
SECRET_KEY_MEMBER = "secret_key"
CHUNK = 1024 * 1024
PG_LIB = "/usr/lib/postgresql"


class BackupError(Exception):
    """A backup or a restore cannot be done; the message says why and what to do."""


# --- where things are ------------------------------------------------------------

def media_root() -> Path | None:
    """The local media folder, or None when media live in other storage (S3)."""
    if isinstance(default_storage, FileSystemStorage):
        return Path(default_storage.location)
    return None


def tree_roots() -> dict[str, Path | None]:
    return {"media": media_root(), "quarantine": Path(settings.ROSTRA_QUARANTINE_ROOT)}


def secret_key_path() -> Path | None:
    """The generated secret key file, when the key is not given in the environment."""
    if os.environ.get("ROSTRA_SECRET_KEY", "").strip():
        return None
    return Path(settings.BASE_DIR) / "secret_key"


def database_vendor(using: str = "default") -> str:
    vendor = connections[using].vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def database_has_data(using: str = "default") -> bool:
    """True when the database holds any user account (a fresh, migrated one holds none)."""
    user = get_user_model()
    if user._meta.db_table not in connections[using].introspection.table_names():
        return False
    return user.objects.using(using).exists()


# --- the database ----------------------------------------------------------------

def _pg_env(using: str) -> dict[str, str]:
    db = connections[using].settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                     ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if db.get(key):
            env[var] = str(db[key])
    if (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(db["OPTIONS"]["sslmode"])
    return env


def _pg_tool(name: str) -> str:
    """``name`` from PATH, else from the newest Debian server install
    (``/usr/lib/postgresql/N/bin``, where Debian's ``postgresql`` package puts them)."""
    path = shutil.which(name)
    if path is None:
        installed = sorted(Path(PG_LIB).glob(f"*/bin/{name}"),
                           key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else -1)
        path = str(installed[-1]) if installed else None
    if path is None:
        raise BackupError(f"{name} is not on PATH: install PostgreSQL's client tools (Debian: "
                          f"apt-get install postgresql-client), of the server's major "
                          f"version or newer.")
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


def dump_database(target: Path, using: str = "default") -> None:
    """Write one consistent snapshot of the database to ``target``."""
    if database_vendor(using) == "sqlite":
        connection = connections[using]
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        return
    _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
          f"--file={target}"], _pg_env(using))


def _check_sqlite_file(path: Path) -> None:
    try:
        copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = copy.execute("PRAGMA integrity_check").fetchone()
        finally:
            copy.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"The archive's database is not a sound SQLite file ({exc}); "
                          f"nothing was changed.") from exc
    if not result or result[0] != "ok":
        raise BackupError(f"The archive's database fails SQLite's integrity check "
                          f"({result[0] if result else 'no answer'}); nothing was changed.")


def load_database(source: Path, vendor: str, using: str = "default") -> None:
    """Replace the database's whole content with the snapshot ``source``."""
    if vendor == "sqlite":
        _check_sqlite_file(source)
        connection = connections[using]
        connection.ensure_connection()
        if connection.in_atomic_block:
            raise BackupError("Cannot restore inside a transaction.")
        snapshot = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            snapshot.backup(connection.connection)
        finally:
            snapshot.close()
        return
    connections.close_all()
    _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error",
          f"--dbname={connections[using].settings_dict.get('NAME') or ''}", str(source)],
         _pg_env(using))


# --- writing an archive ----------------------------------------------------------

class _HashingReader:
    """Reads at most ``size`` bytes of a file, hashing them on the way into the tar."""

    def __init__(self, handle, size: int) -> None:
        self.handle, self.left, self.digest = handle, size, hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        n = self.left if n is None or n < 0 else min(n, self.left)
        data = self.handle.read(n)
        self.left -= len(data)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, name: str, path: Path, members: dict) -> None:
    with open(path, "rb") as handle:
        stat = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
        reader = _HashingReader(handle, stat.st_size)
        tar.addfile(info, reader)
    members[name] = {"size": stat.st_size, "sha256": reader.digest.hexdigest()}


def _files_under(root: Path) -> list[tuple[str, Path]]:
    if not root.is_dir():
        return []
    found = []
    for folder, _dirs, files in os.walk(root):
        for file in sorted(files):
            path = Path(folder) / file
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(root).as_posix(), path))
    return sorted(found)


def create_backup(output: Path, *, using: str = "default") -> dict:
    """Write the archive ``output`` (must not exist); return its manifest."""
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} exists already: choose another path or remove it.")
    if not output.parent.is_dir():
        raise BackupError(f"The folder {output.parent} does not exist.")
    vendor = database_vendor(using)
    gz = output.name.endswith((".gz", ".tgz"))
    partial = output.with_name(output.name + ".partial")
    members: dict[str, dict] = {}
    manifest: dict = {"format": FORMAT, "version": VERSION,
                      "created": timezone.now().isoformat(timespec="seconds"),
                      "rostra_version": rostra_version(),
                      "database": {"vendor": vendor, "member": DATABASE_MEMBERS[vendor]}}
    try:
        with tempfile.TemporaryDirectory(dir=output.parent) as work, \
                tarfile.open(partial, "w:gz" if gz else "w") as tar:
            snapshot = Path(work) / "database"
            dump_database(snapshot, using)  # first: every file it names exists already
            _add_file(tar, DATABASE_MEMBERS[vendor], snapshot, members)
            for tree, root in tree_roots().items():
                if root is None:
                    manifest[tree] = {"included": False, "storage": type(default_storage)
                                      .__name__, "note": "back up the bucket separately"}
                    continue
                files = _files_under(root)
                for relative, path in files:
                    _add_file(tar, f"{tree}/{relative}", path, members)
                manifest[tree] = {"included": True, "files": len(files),
                                  "bytes": sum(members[f"{tree}/{r}"]["size"] for r, _ in files)}
            key = secret_key_path()
            if key is not None and key.is_file():
                _add_file(tar, SECRET_KEY_MEMBER, key, members)
            manifest["members"] = members
            manifest["total_bytes"] = sum(m["size"] for m in members.values())
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
            tar.addfile(info, _HashingReader(_BytesHandle(data), len(data)))
        os.chmod(partial, 0o600)  # it holds every account's keys and e-mail address
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


class _BytesHandle:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def read(self, n: int) -> bytes:
        chunk = self.data[self.at:self.at + n]
        self.at += len(chunk)
        return chunk


# --- reading an archive ----------------------------------------------------------

def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return False
    return (name in (MANIFEST, SECRET_KEY_MEMBER) or name in DATABASE_MEMBERS.values()
            or (path.parts[0] in TREES and len(path.parts) > 1))


def _read_members(path: Path, extract_to: Path | None = None) -> tuple[dict, dict]:
    """Hash every member (writing it under ``extract_to`` when given); return
    (``{name: {"size", "sha256"}}``, the parsed manifest or {})."""
    seen: dict[str, dict] = {}
    manifest: dict = {}
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                if not member.isfile() or not _safe_name(member.name):
                    raise BackupError(f"The archive holds {member.name!r}, which no Rostra "
                                      f"backup holds; nothing was changed.")
                if member.name in seen:
                    raise BackupError(f"The archive holds {member.name!r} twice; nothing was "
                                      f"changed.")
                digest, size, body = hashlib.sha256(), 0, bytearray()
                handle = tar.extractfile(member)
                out = None
                if extract_to is not None and member.name != MANIFEST:
                    target = extract_to / member.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    out = open(target, "wb")
                try:
                    while chunk := handle.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        if out is not None:
                            out.write(chunk)
                        elif member.name == MANIFEST and size <= 64 * 1024 * 1024:
                            body += chunk
                finally:
                    if out is not None:
                        out.close()
                seen[member.name] = {"size": size, "sha256": digest.hexdigest()}
                if member.name == MANIFEST:
                    manifest = _parse_manifest(bytes(body))
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(f"{path} is not a readable tar archive, or it is damaged or cut "
                          f"off ({exc}); nothing was changed.") from exc
    return seen, manifest


def _parse_manifest(data: bytes) -> dict:
    try:
        manifest = json.loads(data)
    except ValueError as exc:
        raise BackupError("The archive's manifest is not valid JSON; nothing was changed.") \
            from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("This is not a Rostra backup (its manifest names another format); "
                          "nothing was changed.")
    version = manifest.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise BackupError(f"This backup's format version is {version!r}; this Rostra reads "
                          f"up to {VERSION}. Restore it with a newer Rostra.")
    return manifest


def _check(seen: dict, manifest: dict) -> None:
    if not manifest:
        raise BackupError("The archive has no manifest.json: it is not a Rostra backup, or "
                          "it was cut off; nothing was changed.")
    listed = manifest.get("members")
    database = manifest.get("database") or {}
    if not isinstance(listed, dict) or database.get("member") not in listed:
        raise BackupError("The manifest lists no database; nothing was changed.")
    present = {name: facts for name, facts in seen.items() if name != MANIFEST}
    missing = sorted(set(listed) - set(present))
    extra = sorted(set(present) - set(listed))
    changed = sorted(name for name in set(listed) & set(present) if listed[name] != present[name])
    problems = ([f"missing: {', '.join(missing[:5])}"] if missing else []) + \
               ([f"not in the manifest: {', '.join(extra[:5])}"] if extra else []) + \
               ([f"size or SHA-256 differs: {', '.join(changed[:5])}"] if changed else [])
    if problems:
        raise BackupError("The archive does not match its manifest (" + "; ".join(problems)
                          + "); it is damaged or was altered. Nothing was changed.")


def verify_backup(path: Path) -> dict:
    """Check ``path`` against its manifest; return the manifest or raise BackupError."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    seen, manifest = _read_members(path)
    _check(seen, manifest)
    return manifest


def _place(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(source), str(target))


def restore_backup(path: Path, *, force: bool = False, using: str = "default") -> dict:
    """Restore the archive ``path`` over this server's database and media files.

    Verified whole first; refuses a database that holds accounts unless ``force``.
    Files in the media folders that the archive does not hold are left alone.
    Returns the manifest."""
    manifest = verify_backup(path)
    vendor = database_vendor(using)
    if manifest["database"].get("vendor") != vendor:
        raise BackupError(f"This backup is of a {manifest['database'].get('vendor')} database;"
                          f" this server uses {vendor}. Nothing was changed.")
    if not force and database_has_data(using):
        raise BackupError("The database already holds accounts: restoring would replace "
                          "them. Use --force to overwrite it. Nothing was changed.")
    roots = tree_roots()
    for tree in TREES:
        if manifest.get(tree, {}).get("included") and roots[tree] is None:
            raise BackupError(f"The backup holds {tree} files but this server keeps media in "
                              f"{type(default_storage).__name__}; nothing was changed.")
    staging_parent = Path(settings.BASE_DIR)
    with tempfile.TemporaryDirectory(dir=staging_parent, prefix=".restore-") as work:
        staged = Path(work)
        seen, _ = _read_members(Path(path), extract_to=staged)
        _check(seen, manifest)  # the archive did not change between the two readings
        load_database(staged / manifest["database"]["member"], vendor, using)
        for name in manifest["members"]:
            top = PurePosixPath(name).parts[0]
            if top in TREES:
                _place(staged / name, roots[top] / PurePosixPath(name).relative_to(top))
        key = secret_key_path()
        if SECRET_KEY_MEMBER in manifest["members"] and key is not None:
            _place(staged / SECRET_KEY_MEMBER, key)
            key.chmod(0o600)
    return manifest
