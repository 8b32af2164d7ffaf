"""Posts as Notes/Questions, their activities, and the collections."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rostra.accounts import services as accounts
from rostra.federation.serializers import activity
from rostra.posts import services as posts
from rostra.posts.media import upload_media
from tests.factories import image_bytes

pytestmark = pytest.mark.django_db

BASE = "http://localhost:8000"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
AS2 = {"HTTP_ACCEPT": "application/activity+json"}
HTML = {"HTTP_ACCEPT": "text/html"}


def note_of(client, post):
    response = client.get(f"/users/{post.account.username}/statuses/{post.pk}", **AS2)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/activity+json"
    return response.json()


def test_public_note_has_mastodons_shape(client, make_post, alice, bob):
    media = upload_media(alice, image_bytes(), description="a red square", focus=(0.5, -0.25))
    post = make_post(alice, "Hello @bob #Rostra", language="en", media=[media],
                     spoiler_text="cw")
    note = note_of(client, post)
    assert note["id"] == f"{BASE}/users/alice/statuses/{post.pk}"
    assert note["type"] == "Note"
    assert note["attributedTo"] == f"{BASE}/users/alice"
    assert note["url"] == f"{BASE}/@alice/{post.pk}"
    assert note["to"] == [PUBLIC]
    assert note["cc"] == [f"{BASE}/users/alice/followers", f"{BASE}/users/bob"]
    assert note["summary"] == "cw"
    assert note["sensitive"] is True
    assert note["published"].endswith("Z")
    assert note["inReplyTo"] is None
    assert "updated" not in note
    assert note["contentMap"] == {"en": note["content"]}
    assert f'href="{BASE}/tags/rostra"' in note["content"]
    assert {"type": "Mention", "href": f"{BASE}/users/bob",
            "name": "@bob@localhost:8000"} in note["tag"]
    assert {"type": "Hashtag", "href": f"{BASE}/tags/rostra", "name": "#Rostra"} in note["tag"]
    [doc] = note["attachment"]
    assert doc["type"] == "Document"
    assert doc["mediaType"].startswith("image/")
    assert doc["url"].startswith(f"{BASE}/media/")
    assert doc["name"] == "a red square"
    assert doc["blurhash"]
    assert doc["width"] == 64 and doc["height"] == 48
    assert doc["focalPoint"] == [0.5, -0.25]
    assert note["replies"]["id"] == f"{note['id']}/replies"
    assert note["replies"]["first"]["items"] == []


def test_reply_and_edit_are_described(client, make_post, alice, bob):
    parent = make_post(bob, "Question?")
    reply = make_post(alice, "Answer", in_reply_to=parent)
    posts.edit_post(alice, reply, "Better answer")
    note = note_of(client, reply)
    assert note["inReplyTo"] == f"{BASE}/users/bob/statuses/{parent.pk}"
    assert note["updated"].endswith("Z")
    assert note_of(client, parent)["replies"]["first"]["items"] == [note["id"]]


def test_unlisted_addressing(client, make_post, alice):
    note = note_of(client, make_post(alice, "quiet", visibility="unlisted"))
    assert note["to"] == [f"{BASE}/users/alice/followers"]
    assert note["cc"] == [PUBLIC]


def test_private_and_direct_addressing(make_post, alice, bob):
    from rostra.federation.serializers.note import serialize_note

    private = serialize_note(make_post(alice, "hi @bob", visibility="private"))
    assert private["to"] == [f"{BASE}/users/alice/followers"]
    assert private["cc"] == [f"{BASE}/users/bob"]
    direct = serialize_note(make_post(alice, "psst @bob", visibility="direct"))
    assert direct["to"] == [f"{BASE}/users/bob"]
    assert direct["cc"] == []
    assert PUBLIC not in private["to"] + private["cc"] + direct["to"] + direct["cc"]


@pytest.mark.parametrize("visibility", ["private", "direct"])
def test_hidden_posts_are_404_as_as2_to_anonymous_requesters(client, make_post, alice,
                                                             visibility):
    post = make_post(alice, "secret", visibility=visibility)
    for path in (f"/users/alice/statuses/{post.pk}", f"/@alice/{post.pk}",
                 f"/users/alice/statuses/{post.pk}/activity",
                 f"/users/alice/statuses/{post.pk}/replies"):
        response = client.get(path, **AS2)
        assert response.status_code == 404, path
        assert b"secret" not in response.content


@pytest.mark.parametrize("visibility", ["private", "direct"])
def test_hidden_posts_are_absent_from_the_outbox(client, make_post, alice, visibility):
    make_post(alice, "secret", visibility=visibility)
    shown = make_post(alice, "shown")
    outbox = client.get("/users/alice/outbox", **AS2).json()
    assert outbox["totalItems"] == 1
    page = client.get("/users/alice/outbox?page=true", **AS2).json()
    assert [item["object"]["id"] for item in page["orderedItems"]] == [
        f"{BASE}/users/alice/statuses/{shown.pk}"]
    assert b"secret" not in client.get("/users/alice/outbox?page=true", **AS2).content


def test_post_of_another_account_is_404(client, make_post, alice, bob):
    post = make_post(alice, "mine")
    assert client.get(f"/users/bob/statuses/{post.pk}", **AS2).status_code == 404
    assert client.get(f"/@bob/{post.pk}", **AS2).status_code == 404


def test_post_page_serves_as2_to_servers_and_html_to_browsers(client, make_post, alice):
    post = make_post(alice, "both ways")
    as2 = client.get(f"/@alice/{post.pk}", **AS2)
    assert as2["Content-Type"] == "application/activity+json"
    assert as2.json()["id"] == f"{BASE}/users/alice/statuses/{post.pk}"
    html = client.get(f"/@alice/{post.pk}", **HTML)
    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
    redirect = client.get(f"/users/alice/statuses/{post.pk}", **HTML)
    assert redirect.status_code == 302 and redirect["Location"] == f"/@alice/{post.pk}"


def test_create_activity_endpoint(client, make_post, alice):
    post = make_post(alice, "created")
    create = client.get(f"/users/alice/statuses/{post.pk}/activity", **AS2).json()
    assert create["type"] == "Create"
    assert create["id"] == f"{BASE}/users/alice/statuses/{post.pk}/activity"
    assert create["actor"] == f"{BASE}/users/alice"
    assert create["object"]["id"] == f"{BASE}/users/alice/statuses/{post.pk}"
    assert create["to"] == create["object"]["to"] and create["cc"] == create["object"]["cc"]
    assert "@context" not in create["object"]


def test_poll_is_a_question(client, make_post, alice, bob, carol):
    post = make_post(alice, "Tea or coffee?", poll=posts.PollSpec(["Tea", "Coffee"],
                                                                  timedelta(days=1)))
    posts.vote(bob, post.poll, [1])
    posts.vote(carol, post.poll, [1])
    question = note_of(client, post)
    assert question["type"] == "Question"
    assert question["oneOf"] == [
        {"type": "Note", "name": "Tea", "replies": {"type": "Collection", "totalItems": 0}},
        {"type": "Note", "name": "Coffee", "replies": {"type": "Collection", "totalItems": 2}},
    ]
    assert "anyOf" not in question
    assert question["votersCount"] == 2
    assert question["endTime"].endswith("Z")
    assert "closed" not in question


def test_multiple_choice_poll_uses_any_of(make_post, alice):
    from rostra.federation.serializers.note import serialize_note

    post = make_post(alice, "Pick", poll=posts.PollSpec(["a", "b"], timedelta(days=1),
                                                        multiple=True))
    assert [o["name"] for o in serialize_note(post)["anyOf"]] == ["a", "b"]


def test_outbox_pages_and_boosts(client, make_post, alice, bob):
    originals = [make_post(alice, f"post {i}") for i in range(25)]
    boosted = make_post(bob, "boost me")
    boost = posts.reblog(alice, boosted)
    outbox = client.get("/users/alice/outbox", **AS2).json()
    assert outbox["type"] == "OrderedCollection"
    assert outbox["totalItems"] == 26
    assert outbox["first"] == f"{BASE}/users/alice/outbox?page=true"
    first = client.get(outbox["first"].removeprefix(BASE), **AS2).json()
    assert first["type"] == "OrderedCollectionPage"
    assert first["partOf"] == f"{BASE}/users/alice/outbox"
    assert len(first["orderedItems"]) == 20
    announce = first["orderedItems"][0]
    assert announce["type"] == "Announce"
    assert announce["object"] == f"{BASE}/users/bob/statuses/{boosted.pk}"
    assert announce["id"] == f"{BASE}/users/alice/statuses/{boost.pk}/activity"
    assert announce["to"] == [PUBLIC]
    second = client.get(first["next"].removeprefix(BASE), **AS2).json()
    ids = [item["object"]["id"] for item in first["orderedItems"][1:] + second["orderedItems"]]
    assert ids == [f"{BASE}/users/alice/statuses/{p.pk}" for p in reversed(originals)]
    assert "next" not in second


def test_boost_object_url_serves_the_announce(client, make_post, alice, bob):
    boost = posts.reblog(alice, make_post(bob, "boost me"))
    assert note_of(client, boost)["type"] == "Announce"


def test_followers_and_following_collections(client, alice, bob, carol):
    accounts.follow(bob, alice)
    accounts.follow(carol, alice)
    accounts.follow(alice, bob)
    followers = client.get("/users/alice/followers", **AS2).json()
    assert followers["type"] == "OrderedCollection"
    assert followers["totalItems"] == 2
    page = client.get("/users/alice/followers?page=true", **AS2).json()
    assert sorted(page["orderedItems"]) == [f"{BASE}/users/bob", f"{BASE}/users/carol"]
    following = client.get("/users/alice/following?page=true", **AS2).json()
    assert following["orderedItems"] == [f"{BASE}/users/bob"]
    assert client.get("/users/alice/following", **AS2).json()["totalItems"] == 1


def test_featured_lists_only_public_pins(client, make_post, alice):
    shown = make_post(alice, "pinned")
    hidden = make_post(alice, "pinned but private", visibility="private")
    posts.pin(alice, shown)
    posts.pin(alice, hidden)
    featured = client.get("/users/alice/collections/featured", **AS2).json()
    assert featured["type"] == "OrderedCollection"
    assert featured["totalItems"] == 1
    assert featured["orderedItems"][0]["id"] == f"{BASE}/users/alice/statuses/{shown.pk}"
    assert featured["orderedItems"][0]["type"] == "Note"


def test_collections_of_unknown_accounts_are_404(client, db):
    for suffix in ("outbox", "followers", "following", "collections/featured"):
        assert client.get(f"/users/nobody/{suffix}", **AS2).status_code == 404


# --- activity builders ---------------------------------------------------------------------

def test_activity_builders_have_ids_actors_and_objects(make_post, alice, bob):
    post = make_post(alice, "hello")
    fav = posts.favourite(bob, post)
    follow = activity.follow(bob, alice)
    built = [
        activity.create(post), activity.update_note(post), activity.update_actor(alice),
        activity.delete(alice, f"{BASE}/users/alice/statuses/{post.pk}"),
        activity.like(fav), follow, activity.accept(alice, follow),
        activity.reject(alice, follow["id"], bob), activity.undo(bob, follow),
        activity.block(alice, bob), activity.add(alice, post), activity.remove(alice, post),
        activity.move(alice, bob), activity.flag(bob, [], "spam"),
    ]
    types = [a["type"] for a in built]
    assert types == ["Create", "Update", "Update", "Delete", "Like", "Follow", "Accept",
                     "Reject", "Undo", "Block", "Add", "Remove", "Move", "Flag"]
    for a in built:
        assert a["@context"][0] == "https://www.w3.org/ns/activitystreams"
        assert a["id"].startswith(BASE)
        assert a["actor"].startswith(BASE)
        assert a["object"]
    accept = built[6]
    assert accept["object"]["id"] == follow["id"] and "@context" not in accept["object"]
    assert built[3]["object"]["type"] == "Tombstone"
    assert built[10]["target"] == f"{BASE}/users/alice/collections/featured"
    assert built[13]["actor"] == f"{BASE}/actor"
