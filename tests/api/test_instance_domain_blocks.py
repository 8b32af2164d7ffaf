"""``/api/v1/instance/domain_blocks``: the servers this one limits or suspends, with
their public reason (never the private one), to whom ``ROSTRA_SHOW_DOMAIN_BLOCKS``
says."""

from __future__ import annotations

import hashlib

import pytest

pytestmark = pytest.mark.django_db


def test_limited_and_suspended_servers_are_listed_with_their_public_reason(anon, moderated):
    answer = anon.get("/api/v1/instance/domain_blocks")
    assert answer.status_code == 200
    assert answer.json() == [
        {"domain": "loud.example", "digest": hashlib.sha256(b"loud.example").hexdigest(),
         "severity": "silence", "comment": None},
        {"domain": "spam.example", "digest": hashlib.sha256(b"spam.example").hexdigest(),
         "severity": "suspend", "comment": "Spam waves"},
    ]
    assert "case 12" not in answer.content.decode()


def test_users_only_hides_the_list_from_anonymous_readers(settings, anon, api, alice, moderated):
    settings.ROSTRA_SHOW_DOMAIN_BLOCKS = "users"
    assert anon.get("/api/v1/instance/domain_blocks").status_code == 404
    assert len(api(alice).get("/api/v1/instance/domain_blocks").json()) == 2


@pytest.mark.parametrize("mode", ["disabled", "nonsense"])
def test_disabled_hides_the_list_from_everyone(settings, api, alice, moderated, mode):
    settings.ROSTRA_SHOW_DOMAIN_BLOCKS = mode
    assert api(alice).get("/api/v1/instance/domain_blocks").status_code == 404
