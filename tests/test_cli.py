"""The ``rostra`` command, run as a user runs it: a real process on a real port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command

from rostra.accounts.models import Account, User
from rostra.posts.models import Media, Post

ROSTRA = [sys.executable, "-m", "rostra.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir: Path) -> dict[str, str]:
    dropped = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["ROSTRA_DATA_DIR"] = str(data_dir)
    return env


def test_help_lists_the_commands():
    out = subprocess.run([*ROSTRA, "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("serve", "worker", "migrate", "createuser", "demo", "manage"):
        assert command in out


def test_unknown_command_fails_with_usage():
    result = subprocess.run([*ROSTRA, "frobnicate"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "unknown command" in result.stderr


def test_createuser_reads_the_password_from_stdin(db):
    from io import StringIO

    stdin = sys.stdin
    sys.stdin = StringIO("a long enough secret phrase\n")
    try:
        call_command("createuser", "eve", email="eve@example.org", admin=True, password_stdin=True)
    finally:
        sys.stdin = stdin
    user = User.objects.get(username="eve")
    assert user.is_staff and user.check_password("a long enough secret phrase")
    assert user.account.username == "eve"


def test_createuser_refuses_a_reserved_name(db):
    from io import StringIO

    from django.core.management.base import CommandError

    stdin = sys.stdin
    sys.stdin = StringIO("a long enough secret phrase\n")
    try:
        with pytest.raises(CommandError, match="reserved"):
            call_command("createuser", "admin", email="a@example.org", password_stdin=True)
    finally:
        sys.stdin = stdin


def test_demo_seeds_an_empty_database_once(db):
    call_command("demo")
    accounts = Account.objects.count()
    posts = Post.objects.count()
    assert accounts >= 4 and posts >= 6
    assert Media.objects.filter(post__isnull=False).exclude(description="").exists()
    assert Post.objects.filter(in_reply_to__isnull=False).exists()
    assert all(a.avatar for a in Account.objects.all())
    call_command("demo")
    assert (Account.objects.count(), Post.objects.count()) == (accounts, posts)


def test_serve_runs_migrated_demo_with_its_worker(tmp_path):
    """The `make run` path: migrate, demo, serve — then the page and the worker answer."""
    env = _env(tmp_path)
    subprocess.run([*ROSTRA, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([*ROSTRA, "demo"], env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([*ROSTRA, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        response = None
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert response is not None and response.status_code == 200
        assert "Rostra" in response.text
        # The in-process worker is polling the queue: a task enqueued now is run.
        script = (
            "import django, os; django.setup();"
            "from rostra.posts.tasks import close_poll;"
            "print(close_poll.enqueue(0).id)"
        )
        result_id = subprocess.run(
            [sys.executable, "-c", script],
            env={**env, "DJANGO_SETTINGS_MODULE": "rostra.settings"},
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        check = (
            "import django; django.setup();"
            "from rostra.posts.tasks import close_poll;"
            f"print(close_poll.get_result('{result_id}').status)"
        )
        status = ""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            status = subprocess.run(
                [sys.executable, "-c", check],
                env={**env, "DJANGO_SETTINGS_MODULE": "rostra.settings"},
                capture_output=True, text=True,
            ).stdout.strip()
            if status == "SUCCESSFUL":
                break
            time.sleep(0.5)
        assert status == "SUCCESSFUL"
    finally:
        server.terminate()
        server.wait(timeout=10)
