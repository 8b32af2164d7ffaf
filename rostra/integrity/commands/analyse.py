"""``rostra integrity analyse FILE.csv --output clusters.json``: the detectors over
a dataset in coordination-network-toolkit's column order, offline, so analysts can
study a partner's export and the benchmark compares like with like."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from django.core.management.base import CommandError

from rostra.integrity.detect import CsvError, DetectConfig, clusters_to_json, detect, read_csv


def add_arguments(parser) -> None:
    parser.add_argument("file", metavar="FILE.csv",
                        help="message_id,user_id,username,repost_id,reply_id,message,"
                             "timestamp,urls (Unix seconds; urls space-separated)")
    parser.add_argument("--output", required=True, metavar="clusters.json",
                        help="where to write the clusters as JSON")
    parser.add_argument("--election", action="store_true",
                        help="election mode: smaller groups, fewer shared events, "
                             "a more sensitive null-model threshold")
    parser.add_argument("--window-seconds", type=float, default=None, metavar="N",
                        help="one window for every behaviour, in seconds")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="worker processes for the independent steps "
                             "(default: every core; the clusters do not depend on it)")


def _write_atomically(path: Path, payload: list[dict]) -> None:
    """The output appears whole or not at all."""
    handle, temporary = tempfile.mkstemp(prefix=".clusters-", dir=path.parent or Path("."))
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(payload, out, indent=1)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run(options: dict, out) -> None:
    started = time.perf_counter()
    output = Path(options["output"])
    if not output.parent.is_dir():
        raise CommandError(f"cannot write {output}: {output.parent} is not a directory")
    config = DetectConfig.election() if options.get("election") else DetectConfig()
    window = options.get("window_seconds")
    if window is not None:
        if not window > 0:
            raise CommandError("--window-seconds must be a positive number")
        config = config.with_window(window)
    processes = options.get("processes") or 1
    if processes < 1:
        raise CommandError("--processes must be at least 1")
    try:
        messages = read_csv(options["file"])
    except CsvError as exc:
        raise CommandError(f"{options['file']}: {exc}") from None
    clusters = detect(messages, config=config, processes=processes)
    _write_atomically(output, clusters_to_json(clusters))
    out.write(f"read {len(messages)} messages, found {len(clusters)} clusters "
              f"in {time.perf_counter() - started:.1f} s -> {output}")
