"""The one fixture rig: small builders for the world a test needs.

Builders go through the domain services (never straight to the models) so tests
exercise the same paths as the doors.
"""

from __future__ import annotations

import io
import itertools

from django.db import transaction
from django.test import TestCase
from PIL import Image

from rostra.accounts import services as accounts
from rostra.accounts.models import Account
from rostra.federation.models import DomainBlock
from rostra.posts import services as posts
from rostra.posts.models import Post

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_user(username: str | None = None, *, locked: bool = False, admin: bool = False,
              password: str = PASSWORD):
    username = username or f"user{next(_counter)}"
    user = accounts.register(username, f"{username}@example.org", password, admin=admin,
                             bypass_policy=True)
    if locked:
        accounts.update_profile(user.account, locked=True)
    return user


def make_account(username: str | None = None, **kwargs) -> Account:
    return make_user(username, **kwargs).account


def make_post(author: Account, text: str = "Hello, world", **kwargs) -> Post:
    """Create a post and run its on-commit events (notifications) at once.

    pytest-django's ``db`` fixture wraps each test in a transaction, so
    ``transaction.on_commit`` callbacks never fire on their own; capturing and
    executing them here makes the events run as they would after a real commit.
    Do not call this inside another ``django_capture_on_commit_callbacks(execute=True)``
    block: the outer block would run the same callbacks a second time.
    """
    with TestCase.captureOnCommitCallbacks(execute=True), transaction.atomic():
        post = posts.create_post(author, text, **kwargs)
    return post


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48), color=(200, 30, 30),
                exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    if exif is not None:
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


def moderated_servers() -> None:
    """An admin's domain blocks: a suspended server with a public and a private
    reason, a limited one without a reason, and one that only rejects media."""
    DomainBlock.objects.create(domain="spam.example", severity="suspend",
                               public_comment="Spam waves", private_comment="case 12")
    DomainBlock.objects.create(domain="loud.example", severity="silence")
    DomainBlock.objects.create(domain="media.example", severity="noop", reject_media=True)
