"""Debian's Chromium for the real-browser tests, driven by Playwright (which never
downloads a browser of its own here): one way to launch it for every test module."""

from __future__ import annotations

import contextlib
import os

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-dev-shm-usage"]
# A module's marks: a browser test, skipped where the system has no Chromium.
MARKS = [pytest.mark.browser,
         pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no system Chromium")]


@contextlib.contextmanager
def launch():
    """A running headless Chromium, closed on exit."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
