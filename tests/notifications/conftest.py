"""The notification tests' shared rig."""

from __future__ import annotations

import pytest


@pytest.fixture
def events(django_capture_on_commit_callbacks):
    """Run the on-commit events (as after a real commit) of what happens inside."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
