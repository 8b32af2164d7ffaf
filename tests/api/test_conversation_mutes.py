"""POST /api/v1/statuses/:id/mute and /unmute, and the ``muted`` flag of statuses."""

from __future__ import annotations

import pytest

from rostra.notifications.models import Notification
from rostra.posts import services as posts
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(alice, bob):
    root = factories.make_post(alice, "a question")
    reply = factories.make_post(bob, "@alice an answer", in_reply_to=root)
    return root, reply


def test_muting_answers_the_status_with_muted_set(api, alice, thread):
    root, _reply = thread
    response = api(alice).post(f"/api/v1/statuses/{root.pk}/mute")
    assert response.status_code == 200
    assert response.json()["id"] == str(root.pk) and response.json()["muted"] is True


def test_every_status_of_a_muted_thread_reads_muted(api, alice, thread):
    root, reply = thread
    other = factories.make_post(alice, "another topic")
    client = api(alice)
    client.post(f"/api/v1/statuses/{reply.pk}/mute")
    context = client.get(f"/api/v1/statuses/{reply.pk}/context").json()
    assert [s["muted"] for s in context["ancestors"]] == [True]
    assert client.get(f"/api/v1/statuses/{root.pk}").json()["muted"] is True
    assert client.get(f"/api/v1/statuses/{other.pk}").json()["muted"] is False


def test_muted_is_the_viewers_own(api, alice, bob, thread):
    root, _reply = thread
    api(alice).post(f"/api/v1/statuses/{root.pk}/mute")
    assert api(bob).get(f"/api/v1/statuses/{root.pk}").json()["muted"] is False


def test_a_boost_reads_muted_as_the_boosted_status(api, alice, carol, thread):
    root, _reply = thread
    boost = posts.reblog(carol, root)
    client = api(alice)
    client.post(f"/api/v1/statuses/{root.pk}/mute")
    shown = client.get(f"/api/v1/statuses/{boost.pk}").json()
    assert shown["muted"] is True and shown["reblog"]["muted"] is True


def test_unmuting_answers_the_status_with_muted_cleared(api, alice, thread):
    root, _reply = thread
    client = api(alice)
    client.post(f"/api/v1/statuses/{root.pk}/mute")
    response = client.post(f"/api/v1/statuses/{root.pk}/unmute")
    assert response.status_code == 200 and response.json()["muted"] is False


def test_a_thread_one_takes_no_part_in_is_a_422(api, carol, thread):
    root, _reply = thread
    response = api(carol).post(f"/api/v1/statuses/{root.pk}/mute")
    assert response.status_code == 422
    assert response.json()["error"].startswith("Validation failed")


def test_a_status_one_may_not_see_is_a_404(api, alice, carol):
    secret = factories.make_post(alice, "for nobody", visibility="direct")
    assert api(carol).post(f"/api/v1/statuses/{secret.pk}/mute").status_code == 404


def test_muting_needs_the_write_mutes_scope(api, alice, thread):
    root, _reply = thread
    refused = api(alice, "read write:statuses").post(f"/api/v1/statuses/{root.pk}/mute")
    assert refused.status_code == 403
    allowed = api(alice, "write:mutes").post(f"/api/v1/statuses/{root.pk}/mute")
    assert allowed.status_code == 200


def test_a_muted_thread_adds_no_notifications_until_unmuted(
        api, alice, bob, thread, django_capture_on_commit_callbacks):
    root, reply = thread
    client, replier = api(alice), api(bob)
    body = {"status": "@alice more", "in_reply_to_id": str(reply.pk)}
    client.post(f"/api/v1/statuses/{root.pk}/mute")
    with django_capture_on_commit_callbacks(execute=True):
        while_muted = replier.post("/api/v1/statuses", body).json()
    client.post(f"/api/v1/statuses/{root.pk}/unmute")
    with django_capture_on_commit_callbacks(execute=True):
        after = replier.post("/api/v1/statuses", body).json()
    told = Notification.objects.filter(account=alice).exclude(post=reply)
    assert [str(n.post_id) for n in told] == [after["id"]]
    assert while_muted["id"] != after["id"]
