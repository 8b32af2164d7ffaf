"""Configuration read from the environment, in one place.

Every setting Rostra reads is listed in ``ENV_SETTINGS`` so the README table and
``rostra config`` can show them; ``rostra.settings`` turns them into Django settings.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ENV_SETTINGS: dict[str, str] = {
    "ROSTRA_DOMAIN": "Public host (and port) of this server, e.g. social.example.eu",
    "ROSTRA_DATA_DIR": "Folder for the SQLite database, media, secret key and mail",
    "DATABASE_URL": "Database URL; SQLite in ROSTRA_DATA_DIR when unset",
    "ROSTRA_SECRET_KEY": "Django secret key; generated and kept in the data dir when unset",
    "ROSTRA_DEBUG": "1 for debug pages and auto-reload (never in production)",
    "ROSTRA_MEDIA_ROOT": "Where uploaded media are stored (default DATA_DIR/media)",
    "ROSTRA_REGISTRATION": "Default registration mode: open, approval or closed",
    "ROSTRA_POST_MAX_CHARS": "Maximum characters in a post (default 500)",
    "ROSTRA_MEDIA_MAX_BYTES": "Maximum size of one uploaded image (default 16 MB)",
    "ROSTRA_MEDIA_MAX_PIXELS": "Maximum pixels of one image, the decompression-bomb guard",
    "ROSTRA_VIDEO_MAX_BYTES": "Maximum size of one uploaded video (default 99 MB)",
    "ROSTRA_VIDEO_MAX_SECONDS": "Maximum length of one video in seconds (default 3600)",
    "ROSTRA_VIDEO_MAX_PIXELS": "Maximum pixels of one video frame (default 3840×2160)",
    "ROSTRA_VIDEO_MAX_FPS": "Maximum frame rate of one video (default 120)",
    "ROSTRA_PDQ_MAX_DISTANCE": "Largest PDQ Hamming distance (of 256 bits) that matches a hash "
                               "list entry (default 31)",
    "ROSTRA_HASH_INDEX_REFRESH": "Seconds between each process's checks for hash-list changes "
                                 "(default 30)",
    "ROSTRA_EMAIL_URL": "smtp://user:pass@host:port to send mail; console/file otherwise",
    "ROSTRA_RATE_LIMITS_ENABLED": "0 turns off every rate limit",
    "ROSTRA_THROTTLES": "limits on sign-up, log-in, posting and notices (name=count/seconds,...)",
    "ROSTRA_EMAIL_FROM": "Sender address of outgoing mail",
    "ROSTRA_HTTPS": "1 when served behind TLS (secure cookies, https links, HSTS)",
    "ROSTRA_SSL_REDIRECT": "with ROSTRA_HTTPS: 0 stops redirecting plain http to https",
    "ROSTRA_HSTS_SECONDS": "with ROSTRA_HTTPS: Strict-Transport-Security max-age (0: none)",
    "ROSTRA_HSTS_INCLUDE_SUBDOMAINS": "with ROSTRA_HTTPS: 0 keeps HSTS off subdomains",
    "ROSTRA_HSTS_PRELOAD": "with ROSTRA_HTTPS: 1 adds preload to HSTS",
    "ROSTRA_FEDERATION_ALLOW_HTTP": "1 to let outbound fetches use plain http (testing only)",
    "ROSTRA_FEDERATION_ALLOW_PRIVATE": "1 to let outbound fetches reach private addresses",
    "ROSTRA_HASH_FEED_INTERVAL": "Seconds between pulls of subscribed hash feeds (default 120)",
    "ROSTRA_QUARANTINE_ROOT": "Where quarantined media are kept, never served (default "
                              "DATA_DIR/quarantine)",
    "ROSTRA_EXPORT_DIR": "Where finished account exports are kept (default DATA_DIR/exports)",
    "ROSTRA_ACCOUNT_DELETION_GRACE_DAYS": "Days an owner can cancel the deletion of their "
                                          "account (default 30; 0 deletes at once)",
    "ROSTRA_DSA_ENDPOINT": "EU DSA Transparency Database API base URL, for `rostra dsa "
                           "export-statements --send`",
    "ROSTRA_DSA_TOKEN": "API token of this platform for the DSA Transparency Database",
    "ROSTRA_SHOW_DOMAIN_BLOCKS": "Who sees the servers this one limits or suspends and why "
                                 "(/about/moderated-servers): all (default), users, disabled",
    "ROSTRA_TRENDS_REVIEW": "1: a trending tag, post or link is shown publicly only once a "
                            "moderator approved it",
    "ROSTRA_FEED_AUDIT_RETENTION_DAYS": "Days the amplification audit keeps its daily "
                                        "impression counts and replay log (default 90)",
    "ROSTRA_WEB_CONCURRENCY": "Requests each web process runs at once; the rest queue (8)",
    "ROSTRA_QUEUE_TIMEOUT": "Seconds a queued request waits before a 503 (30)",
    "ROSTRA_LOG_FORMAT": "Log line format: text (default) or json (one object per line)",
    "ROSTRA_METRICS_TOKEN": "Bearer token that /metrics requires; unset, loopback clients only",
    "ROSTRA_ADMIN_EMAILS": "Comma-separated addresses for admin alerts (default: staff users)",
    "ROSTRA_ALERT_FAILED_DELIVERIES": "Failed deliveries in an hour above which admins are "
                                      "e-mailed (default 100; 0: off)",
    "ROSTRA_INTEGRITY_INTERVAL_MINUTES": "Minutes between background coordination-detection "
                                         "runs (default 15; a third in election mode; 0: off)",
    # Scale (docs/deploy.md): shared cache, read replica, S3-compatible media storage.
    "ROSTRA_CACHE_URL": "redis://host:6379/0 (Redis or Valkey): the cache every process shares; "
                        "unset, each process keeps its own in memory",
    "ROSTRA_DATABASE_REPLICA_URL": "A read replica of DATABASE_URL for heavy public reads "
                                   "(public timelines, search, research API, transparency)",
    "ROSTRA_S3_BUCKET": "Store media in this S3-compatible bucket instead of ROSTRA_MEDIA_ROOT",
    "ROSTRA_S3_ENDPOINT_URL": "S3 API address of a non-AWS storage (MinIO, Garage, Scaleway...)",
    "ROSTRA_S3_REGION": "Region of the bucket",
    "ROSTRA_S3_ACCESS_KEY_ID": "Access key of the bucket (else boto3's usual sources)",
    "ROSTRA_S3_SECRET_ACCESS_KEY": "Secret key of the bucket (else boto3's usual sources)",
    "ROSTRA_S3_PUBLIC_URL": "Public base URL of the media (custom domain or CDN), e.g. "
                            "https://media.example.eu",
}


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value else default


def data_dir() -> Path:
    path = Path(env("ROSTRA_DATA_DIR", "data")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """The secret key from the environment, or one generated once and kept on disk."""
    key = env("ROSTRA_SECRET_KEY")
    if key:
        return key
    path = directory / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key
