"""The scale settings: ROSTRA_CACHE_URL, ROSTRA_DATABASE_REPLICA_URL and ROSTRA_S3_*
become Django's CACHES, DATABASES/DATABASE_ROUTERS and STORAGES; bad values stop
Rostra with a message naming the variable; several web processes on a
per-process cache are warned about at start."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest
from django.core.exceptions import ImproperlyConfigured

from rostra.core.scale import cache_settings, is_shared_cache, s3_storages
from tests.api.live import ROSTRA, free_port

_SHOW = """
import json
from django.conf import settings
print("OUT=" + json.dumps({
    "cache": settings.CACHES["default"], "databases": sorted(settings.DATABASES),
    "replica_host": settings.DATABASES.get("replica", {}).get("HOST"),
    "routers": getattr(settings, "DATABASE_ROUTERS", []),
    "storages": getattr(settings, "STORAGES", {}), "media_root": str(settings.MEDIA_ROOT)}))
"""


def _env(tmp_path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DJANGO_SETTINGS_MODULE"} and not k.startswith(("ROSTRA_S3_",
                                                                         "ROSTRA_CACHE"))}
    env.pop("ROSTRA_DATABASE_REPLICA_URL", None)
    return {**env, "ROSTRA_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1", **extra}


def test_the_environment_becomes_the_cache_the_replica_and_the_bucket(tmp_path):
    env = _env(tmp_path, DATABASE_URL="postgres://rostra:pw@primary.internal:5432/rostra",
               ROSTRA_DATABASE_REPLICA_URL="postgres://rostra:pw@replica.internal:5432/rostra",
               ROSTRA_CACHE_URL="redis://cache.internal:6379/2",
               ROSTRA_S3_BUCKET="rostra-media", ROSTRA_S3_ENDPOINT_URL="https://s3.example.eu",
               ROSTRA_S3_REGION="eu-west-3", ROSTRA_S3_ACCESS_KEY_ID="AKIAEXAMPLE",
               ROSTRA_S3_SECRET_ACCESS_KEY="not-a-real-secret",
               ROSTRA_S3_PUBLIC_URL="https://media.example.eu/")
    done = subprocess.run([*ROSTRA, "manage", "shell", "-c", _SHOW], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(next(x for x in done.stdout.splitlines() if x.startswith("OUT="))[4:])
    assert out["cache"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert out["cache"]["LOCATION"] == "redis://cache.internal:6379/2"
    assert out["databases"] == ["default", "replica"]
    assert out["replica_host"] == "replica.internal"
    assert out["routers"] == ["rostra.core.replica.ReplicaRouter"]
    media = out["storages"]["default"]
    assert media["BACKEND"] == "storages.backends.s3.S3Storage"
    assert media["OPTIONS"].items() >= {
        "bucket_name": "rostra-media", "endpoint_url": "https://s3.example.eu",
        "region_name": "eu-west-3", "access_key": "AKIAEXAMPLE",
        "custom_domain": "media.example.eu", "url_protocol": "https:",
        "file_overwrite": False, "querystring_auth": False}.items()
    assert out["storages"]["staticfiles"]["BACKEND"].endswith("StaticFilesStorage")


def test_unset_keeps_the_per_process_cache_one_database_and_local_files(tmp_path):
    done = subprocess.run([*ROSTRA, "manage", "shell", "-c", _SHOW], env=_env(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(next(x for x in done.stdout.splitlines() if x.startswith("OUT="))[4:])
    assert out["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert out["databases"] == ["default"] and out["routers"] == []
    assert out["storages"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert out["media_root"] == str(tmp_path / "media")


@pytest.mark.parametrize(("url", "shared"), [
    ("redis://cache:6379/0", True), ("rediss://cache:6380/0", True), ("", False)])
def test_only_redis_or_valkey_counts_as_a_shared_cache(url, shared):
    caches = cache_settings(url) or {}
    assert is_shared_cache(caches) is shared


def test_a_cache_url_of_another_kind_is_refused_by_name():
    with pytest.raises(ImproperlyConfigured, match="ROSTRA_CACHE_URL"):
        cache_settings("memcached://cache:11211")


@pytest.mark.parametrize(("kwargs", "variable"), [
    ({"public_url": "media.example.eu"}, "ROSTRA_S3_PUBLIC_URL"),
    ({"endpoint_url": "s3.example.eu"}, "ROSTRA_S3_ENDPOINT_URL"),
    ({"access_key": "AKIAEXAMPLE"}, "ROSTRA_S3_SECRET_ACCESS_KEY"),
])
def test_bad_bucket_settings_are_refused_by_name(kwargs, variable):
    with pytest.raises(ImproperlyConfigured, match=variable):
        s3_storages("rostra-media", **kwargs)


def _first_lines(env: dict, *args: str, until: str) -> str:
    """Start ``rostra serve ARGS``, read its output until ``until`` shows, stop it."""
    proc = subprocess.Popen([*ROSTRA, "serve", "--no-worker", "--port", str(free_port()), *args],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    seen, deadline = "", time.monotonic() + 90
    try:
        while until not in seen and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen += line
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    return seen


def test_several_web_processes_on_a_per_process_cache_are_warned_about(tmp_path):
    warned = _first_lines(_env(tmp_path), "--workers", "2", until="Rostra at")
    assert "2 web processes with a per-process memory cache" in warned
    assert "ROSTRA_CACHE_URL" in warned
    shared = _first_lines(_env(tmp_path, ROSTRA_CACHE_URL="redis://127.0.0.1:1/0"),
                          "--workers", "2", until="Rostra at")
    assert "Rostra at" in shared and "per-process memory cache" not in shared
