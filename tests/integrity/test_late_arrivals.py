"""Federated posts that arrive long after they were published are still read by
background detection, with the posts around them."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from rostra.core.ids import id_floor
from rostra.integrity.models import DetectorState, Incident, LateArrival
from rostra.integrity.tasks import STATE_NAME, run_detection
from rostra.posts import services as posts
from tests import factories
from tests.integrity.stix_world import remote_account

pytestmark = pytest.mark.django_db


def _arrives(author, when, text="Hello", visibility="public", n=[0]):  # noqa: B006 - a counter
    n[0] += 1
    with TestCase.captureOnCommitCallbacks(execute=True), transaction.atomic():
        return posts.create_remote_post(
            author, uri=f"https://{author.domain}/notes/{n[0]}", content_html=f"<p>{text}</p>",
            published=when, visibility=visibility)


def test_a_federated_post_published_long_before_it_arrives_is_noted():
    far = remote_account("slowpoke")
    hours_ago = _arrives(far, timezone.now() - timedelta(hours=3))
    _arrives(far, timezone.now() - timedelta(minutes=1))  # on time
    _arrives(far, timezone.now() - timedelta(hours=3), visibility="private")  # never read
    factories.make_post(factories.make_account("homebody"), "Old news",
                        published=timezone.now() - timedelta(hours=3))  # not federated
    assert list(LateArrival.objects.values_list("post_id", flat=True)) == [hours_ago.pk]


def _late_ring(rng: random.Random) -> list:
    """Six accounts of a slow server posting the same lines within seconds, six
    times, two days ago, among ordinary posts; all of it arrives now."""
    start = timezone.now() - timedelta(days=2)
    ring = [remote_account(f"echo{i}", "slow.example") for i in range(6)]
    people = [remote_account(f"person{i}", "slow.example") for i in range(20)]
    for i in range(80):
        _arrives(rng.choice(people), start + timedelta(seconds=rng.uniform(0, 20 * 3600)),
                 f"Note {i} on {rng.choice(['rain', 'trains', 'bread', 'music'])} and more {i}")
    for r in range(6):
        when = start + timedelta(hours=3 * r + rng.uniform(0, 1))
        line = f"Round {r}: they are hiding the real turnout figures from all of us"
        for member in ring:
            _arrives(member, when + timedelta(seconds=rng.uniform(0, 40)), line)
    return ring


def test_a_ring_whose_posts_arrive_late_is_still_found_once():
    DetectorState.objects.create(name=STATE_NAME, last_post_id=id_floor(timezone.now()))
    ring = _late_ring(random.Random(5))
    assert LateArrival.objects.count() == 80 + 36
    result = run_detection()
    assert len(result.incidents) == 1
    members = set(result.incidents[0].members.values_list("account_id", flat=True))
    assert members == {a.pk for a in ring}
    assert not LateArrival.objects.exists()  # read once, then forgotten
    assert run_detection().posts == 0


def test_without_the_notes_the_late_ring_would_be_missed():
    DetectorState.objects.create(name=STATE_NAME, last_post_id=id_floor(timezone.now()))
    _late_ring(random.Random(5))
    LateArrival.objects.all().delete()
    assert run_detection().incidents == [] and not Incident.objects.exists()
