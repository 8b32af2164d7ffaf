"""Direct conversations: listed per participant, unread, read, removed."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_a_direct_message_opens_a_conversation_for_both(api, alice, bob):
    post = factories.make_post(alice, "psst @bob", visibility="direct")
    mine = api(alice).get("/api/v1/conversations").json()
    theirs = api(bob).get("/api/v1/conversations").json()
    assert [c["last_status"]["id"] for c in mine] == [str(post.pk)]
    assert mine[0]["unread"] is False and theirs[0]["unread"] is True
    assert [a["username"] for a in theirs[0]["accounts"]] == ["alice"]


def test_a_reply_moves_the_conversation_on(api, alice, bob):
    first = factories.make_post(alice, "psst @bob", visibility="direct")
    reply = factories.make_post(bob, "@alice yes", visibility="direct", in_reply_to=first)
    convs = api(alice).get("/api/v1/conversations").json()
    assert len(convs) == 1 and convs[0]["last_status"]["id"] == str(reply.pk)
    assert convs[0]["unread"] is True


def test_read_and_remove(api, alice, bob):
    factories.make_post(alice, "psst @bob", visibility="direct")
    client = api(bob)
    conv = client.get("/api/v1/conversations").json()[0]
    assert client.post(f"/api/v1/conversations/{conv['id']}/read").json()["unread"] is False
    assert client.delete(f"/api/v1/conversations/{conv['id']}").status_code == 200
    assert client.get("/api/v1/conversations").json() == []
    assert client.delete(f"/api/v1/conversations/{conv['id']}").status_code == 404


def test_others_conversations_are_not_found(api, alice, bob, carol):
    factories.make_post(alice, "psst @bob", visibility="direct")
    conv = api(bob).get("/api/v1/conversations").json()[0]
    assert api(carol).post(f"/api/v1/conversations/{conv['id']}/read").status_code == 404
    assert api(carol).get("/api/v1/conversations").json() == []


def test_public_posts_make_no_conversation(api, alice, bob):
    factories.make_post(alice, "hi @bob")
    assert api(bob).get("/api/v1/conversations").json() == []
