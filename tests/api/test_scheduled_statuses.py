"""Scheduled statuses: scheduled through POST /statuses, listed, moved,
cancelled, and published by the task at their time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from rostra.posts import scheduling
from rostra.posts.models import Media, Post, ScheduledPost
from tests import factories

pytestmark = pytest.mark.django_db


def _later(minutes=10) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


def _upload(client) -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    image = SimpleUploadedFile("a.png", factories.image_bytes(), content_type="image/png")
    answer = client.client.post("/api/v2/media", {"file": image},
                                headers=client._headers(None))
    assert answer.status_code in (200, 202), answer.content
    return answer.json()["id"]


def test_scheduled_at_returns_a_scheduled_status(api, alice):
    client = api(alice)
    answer = client.post("/api/v1/statuses", {"status": "later", "scheduled_at": _later()})
    assert answer.status_code == 200
    data = answer.json()
    assert data["params"]["text"] == "later" and data["scheduled_at"].endswith("Z")
    assert not Post.objects.filter(account=alice).exists()
    assert [s["id"] for s in client.get("/api/v1/scheduled_statuses").json()] == [data["id"]]
    assert client.get(f"/api/v1/scheduled_statuses/{data['id']}").json()["id"] == data["id"]


def test_too_soon_is_a_422(api, alice):
    answer = api(alice).post("/api/v1/statuses", {"status": "x", "scheduled_at": _later(2)})
    assert answer.status_code == 422
    assert "scheduled_at" in answer.json()["details"]


def test_reschedule_and_cancel(api, alice):
    client = api(alice)
    data = client.post("/api/v1/statuses", {"status": "x", "scheduled_at": _later()}).json()
    moved = client.put(f"/api/v1/scheduled_statuses/{data['id']}",
                       {"scheduled_at": _later(60)}).json()
    assert moved["scheduled_at"] > data["scheduled_at"]
    assert client.put(f"/api/v1/scheduled_statuses/{data['id']}",
                      {"scheduled_at": _later(1)}).status_code == 422
    assert client.delete(f"/api/v1/scheduled_statuses/{data['id']}").status_code == 200
    assert client.get("/api/v1/scheduled_statuses").json() == []


def test_others_scheduled_statuses_are_not_found(api, alice, bob):
    data = api(alice).post("/api/v1/statuses", {"status": "x", "scheduled_at": _later()}).json()
    assert api(bob).get(f"/api/v1/scheduled_statuses/{data['id']}").status_code == 404


def test_publication_at_the_time_with_reserved_media(api, alice,
                                                     django_capture_on_commit_callbacks):
    client = api(alice)
    media_id = _upload(client)
    data = client.post("/api/v1/statuses", {"status": "with a picture", "media_ids": [media_id],
                                            "scheduled_at": _later()}).json()
    assert [m["id"] for m in data["media_attachments"]] == [media_id]
    # Reserved: it cannot be attached to another post meanwhile.
    taken = client.post("/api/v1/statuses", {"status": "steal", "media_ids": [media_id]})
    assert taken.status_code == 422
    scheduled = ScheduledPost.objects.get(pk=data["id"])
    assert scheduling.publish(scheduled.pk) is None  # not yet time
    ScheduledPost.objects.filter(pk=scheduled.pk).update(scheduled_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        post = scheduling.publish(scheduled.pk)
    assert post is not None and post.text == "with a picture"
    assert Media.objects.get(pk=media_id).post_id == post.pk
    assert not ScheduledPost.objects.exists()
    assert scheduling.publish(scheduled.pk) is None  # idempotent


def test_scheduling_enqueues_the_task(api, alice, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        api(alice).post("/api/v1/statuses", {"status": "x", "scheduled_at": _later()})
    task = DBTaskResult.objects.get(task_path__endswith="publish_scheduled_post")
    assert task.run_after > timezone.now() + timedelta(minutes=9)
