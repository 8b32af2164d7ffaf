"""Builders of X archives for tests: the real fixture zipped, and synthetic ones."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / ".." / "shared" / "fixtures" / "x-archive-milahu104"
OWNER_ID = "42"


def zip_fixture(target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(FIXTURE.rglob("*")):
            if f.is_file():
                z.write(f, f.relative_to(FIXTURE).as_posix())
    return target


def ytd(name: str, records: list) -> str:
    return f"window.YTD.{name}.part0 = {json.dumps(records, indent=1)}"


def tweet(i: int, text: str = "", *, reply_to: int | None = None, reply_user: str = "",
          when: datetime | None = None, lang: str = "en", **extra) -> dict:
    when = when or datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=i)
    t = {"id_str": str(i), "created_at": when.strftime("%a %b %d %H:%M:%S +0000 %Y"),
         "full_text": text or f"post number {i}", "lang": lang,
         "entities": {"hashtags": [], "urls": [], "user_mentions": []},
         "display_text_range": ["0", str(len(text or f"post number {i}"))]}
    if reply_to:
        t.update(in_reply_to_status_id_str=str(reply_to), in_reply_to_user_id_str=reply_user,
                 in_reply_to_screen_name="someone")
    t.update(extra)
    return {"tweet": t}


def write_archive(target: Path, files: dict[str, str | bytes], *, manifest: bool = False,
                  owner: str = "tester") -> Path:
    files = {"data/account.js": ytd("account", [{"account": {
        "username": owner, "accountId": OWNER_ID, "accountDisplayName": "Tess"}}]), **files}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return target
