"""Settings for running Rostra on many processes and machines (docs/deploy.md).

Plain functions that turn environment values into Django settings, so
``rostra.settings`` stays a list of assignments: the shared cache
(``ROSTRA_CACHE_URL``), the read replica (``ROSTRA_DATABASE_REPLICA_URL``, routed
by ``rostra.core.replica``) and S3-compatible media storage (``ROSTRA_S3_*``).
Each raises ``ImproperlyConfigured`` with a message an operator can act on.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

REPLICA = "replica"  # the database alias of the read replica
REDIS_SCHEMES = ("redis", "rediss", "unix")
LOCAL_CACHES = ("django.core.cache.backends.locmem.LocMemCache",
                "django.core.cache.backends.dummy.DummyCache")


def cache_settings(url: str) -> dict | None:
    """``CACHES`` for a Redis/Valkey URL, or None (keep Django's per-process default)."""
    if not url:
        return None
    if urlsplit(url).scheme not in REDIS_SCHEMES:
        raise ImproperlyConfigured(
            f"ROSTRA_CACHE_URL must start with redis://, rediss:// or unix:// (Valkey speaks "
            f"the same protocol), not {url.split(':', 1)[0]!r}.")
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": url}}


def is_shared_cache(caches: dict) -> bool:
    """False when the default cache lives inside each process (rate limits, log-in
    throttles, two-factor replay guard and alert throttles then count per process)."""
    backend = (caches or {}).get("default", {}).get(
        "BACKEND", "django.core.cache.backends.locmem.LocMemCache")
    return backend not in LOCAL_CACHES


def replica_database(url: str, primary: dict) -> dict:
    """The ``DATABASES`` entry of the read replica at ``url``; in tests it mirrors
    the primary (the test database has no replica of its own)."""
    import dj_database_url

    replica = dj_database_url.parse(url, conn_max_age=primary.get("CONN_MAX_AGE", 0))
    if replica["ENGINE"] != primary["ENGINE"] or "sqlite" in replica["ENGINE"]:
        raise ImproperlyConfigured(
            "ROSTRA_DATABASE_REPLICA_URL must name a PostgreSQL replica of DATABASE_URL "
            "(the same kind of database, not SQLite).")
    replica["TEST"] = {"MIRROR": "default"}
    return replica


def s3_storages(bucket: str, *, endpoint_url: str = "", region: str = "",
                access_key: str = "", secret_key: str = "", public_url: str = "") -> dict:
    """``STORAGES`` with media in an S3-compatible bucket (django-storages).

    Names are never overwritten (``file_overwrite`` off: uploads share names like
    ``media/2026/11/original.jpg`` and get a suffix, as on local disk) and URLs are
    plain, unsigned addresses (media are public, and cacheable). Quarantine and
    exports do not use this storage: they stay on local disk, never public.
    """
    options: dict = {"bucket_name": bucket, "file_overwrite": False,
                     "querystring_auth": False, "default_acl": None}
    if endpoint_url:
        if urlsplit(endpoint_url).scheme not in ("http", "https"):
            raise ImproperlyConfigured("ROSTRA_S3_ENDPOINT_URL must be an http(s):// URL.")
        options["endpoint_url"] = endpoint_url
    if region:
        options["region_name"] = region
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "Set both ROSTRA_S3_ACCESS_KEY_ID and ROSTRA_S3_SECRET_ACCESS_KEY, or neither "
            "(boto3 then finds credentials itself).")
    if access_key:
        options.update(access_key=access_key, secret_key=secret_key)
    if public_url:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ImproperlyConfigured(
                "ROSTRA_S3_PUBLIC_URL must be an absolute http(s):// URL, e.g. "
                "https://media.example.eu")
        options["custom_domain"] = parts.netloc + parts.path.rstrip("/")
        options["url_protocol"] = parts.scheme + ":"
    return {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
