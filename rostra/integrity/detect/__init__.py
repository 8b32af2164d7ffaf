"""Coordinated-behaviour detection: pure Python + numpy/scipy/datasketch, no
Django, so the same engine runs over this server's posts, a partner's CSV
(``rostra integrity analyse``) and the benchmark's synthetic worlds.

The engine's names are loaded on first use (PEP 562): scipy and datasketch take
seconds to import, and the web process that only shows incidents (importing
``records``) should not pay for them at start-up."""

from __future__ import annotations

import importlib

from .records import BEHAVIOURS, AccountInfo, Cluster, Message

_LAZY = {"DetectConfig": ".config", "CsvError": ".csv_input", "read_csv": ".csv_input",
         "clusters_to_json": ".engine", "detect": ".engine"}

__all__ = ["BEHAVIOURS", "AccountInfo", "Cluster", "CsvError", "DetectConfig", "Message",
           "clusters_to_json", "detect", "read_csv"]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
