"""Digits of other scripts ("²", "①") pass ``str.isdigit()`` but make ``int()`` raise:
every parser that checks with ``isdigit`` before ``int`` answers them as "not a
number" instead of crashing (found by the /protect fuzz run, then by audit)."""

from __future__ import annotations

import pytest
from django.test import Client

from rostra.api.streaming.channels import StreamError, Viewer, resolve
from rostra.integrity.indexing import account_infos
from rostra.moderation import transparency_db
from rostra.safety.models import NciiSubmission
from rostra.timelines.feeds import FeedError
from rostra.timelines.feeds.topic import Topic

pytestmark = pytest.mark.django_db
ODD = ["²", "①", "1²"]


@pytest.mark.parametrize("number", ODD)
def test_a_statement_puid_with_odd_digits_names_no_decision(number):
    assert transparency_db.decision_id(f"{transparency_db._slug()}-{number}") is None


def test_integrity_user_ids_with_odd_digits_are_left_out(alice):
    infos = account_infos([*ODD, str(alice.pk)])
    assert [info.username for info in infos] == ["alice"]


@pytest.mark.parametrize("number", ODD)
def test_a_topic_feed_on_list_with_odd_digits_is_refused(alice, number):
    with pytest.raises(FeedError, match="does not exist"):
        Topic().check_choice(alice, f"list:{number}")


@pytest.mark.parametrize("number", ODD)
def test_streaming_a_list_with_odd_digits_is_not_found(alice, number):
    with pytest.raises(StreamError) as caught:
        resolve("list", Viewer(alice, ["read"]), list_id=number)
    assert caught.value.status == 404


def test_pasted_fingerprints_with_a_superscript_quality_are_refused_not_a_500():
    line = " ".join(["a" * 64, "b" * 32, "c" * 64, "9²"])
    response = Client(raise_request_exception=False).post(
        "/protect/submit", {"fingerprints": line, "consent": "on"})
    assert response.status_code == 400
    assert not NciiSubmission.objects.exists()
