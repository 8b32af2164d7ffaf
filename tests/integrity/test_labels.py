"""Account labels: who may set them, what is kept, and where readers see them
(profile, timelines, the client API, the actor document)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rostra.accounts import events as account_events
from rostra.accounts.models import Account
from rostra.federation import remote as remote_mod
from rostra.integrity import labels
from rostra.integrity.models import AccountLabel
from rostra.moderation.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db
AS2 = {"HTTP_ACCEPT": "application/activity+json"}
RT = "https://register.example/state-media/rt"


@pytest.fixture
def mod():
    return factories.make_user("mod_ann", admin=True)


@pytest.fixture
def outlet():
    return factories.make_account("statenews")


def label_outlet(outlet, mod, **kwargs):
    return labels.add_label(outlet, AccountLabel.Kind.STATE_MEDIA, by=mod,
                            **{"country": "RU", "source_url": RT, **kwargs})


def label_queries(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "integrity_accountlabel" in q["sql"]]


# --- the service ----------------------------------------------------------------

def test_a_moderator_labels_an_account_and_the_audit_log_records_it(outlet, mod):
    label = label_outlet(outlet, mod, since=date(2022, 3, 1))
    shown = labels.labels_for([outlet])[outlet.pk]
    assert [(s.kind, s.country, s.source_url, s.since) for s in shown] == [
        ("state_media", "RU", RT, date(2022, 3, 1))]
    assert shown[0].text == "State-affiliated media · Russia"
    entry = AuditEntry.objects.get(action="label.added")
    assert entry.actor == mod and entry.details["label_id"] == label.pk


def test_state_media_needs_a_country_and_every_label_a_source(outlet, mod):
    with pytest.raises(labels.LabelError, match="which state"):
        labels.add_label(outlet, "state_media", by=mod, source_url=RT)
    with pytest.raises(labels.LabelError, match="where this comes from"):
        labels.add_label(outlet, "government", by=mod, country="FR")
    with pytest.raises(labels.LabelError, match="http"):
        labels.add_label(outlet, "government", by=mod, source_url="javascript:alert(1)")
    with pytest.raises(labels.LabelError, match="two-letter"):
        labels.add_label(outlet, "state_media", by=mod, country="Russia", source_url=RT)
    with pytest.raises(labels.LabelError, match="future"):
        label_outlet(outlet, mod, since=timezone.localdate() + timedelta(days=2))
    assert not AccountLabel.objects.exists()


def test_a_user_who_is_not_staff_cannot_label(outlet):
    someone = factories.make_user("someone")
    with pytest.raises(labels.LabelError, match="Only moderators"):
        label_outlet(outlet, someone)
    assert not AccountLabel.objects.exists()


def test_an_owner_cannot_set_or_lift_a_label_on_their_own_account(outlet, mod):
    owner = outlet.user
    owner.is_staff = True
    owner.save()
    with pytest.raises(labels.LabelError, match="your own account"):
        label_outlet(outlet, owner)
    label = label_outlet(outlet, mod)
    with pytest.raises(labels.LabelError, match="your own account"):
        labels.remove_label(label, by=owner)
    assert labels.labels_for([outlet])


def test_the_same_label_twice_is_refused_but_another_kind_is_fine(outlet, mod):
    label_outlet(outlet, mod)
    with pytest.raises(labels.LabelError, match="already has this label"):
        label_outlet(outlet, mod)
    labels.add_label(outlet, "official", by=mod, source_note="Registered broadcaster")
    assert sorted(s.kind for s in labels.labels_for([outlet])[outlet.pk]) == [
        "official", "state_media"]


def test_a_lifted_label_stays_on_record_and_is_no_longer_shown(outlet, mod):
    label = label_outlet(outlet, mod)
    labels.remove_label(label, by=mod)
    assert labels.labels_for([outlet]) == {}
    assert AccountLabel.objects.get(pk=label.pk).removed_at is not None
    assert AuditEntry.objects.filter(action="label.removed").count() == 1
    label_outlet(outlet, mod)  # may be set again
    assert len(labels.labels_for([outlet])[outlet.pk]) == 1


def test_labels_for_many_accounts_is_one_query(mod):
    outlets = [factories.make_account(f"outlet{i}") for i in range(5)]
    for outlet in outlets[:3]:
        label_outlet(outlet, mod)
    with CaptureQueriesContext(connection) as ctx:
        found = labels.labels_for(outlets)
    assert len(ctx.captured_queries) == 1
    assert set(found) == {o.pk for o in outlets[:3]}


def test_a_remote_account_can_be_labelled(mod):
    far = Account.objects.create(username="news", domain="far.example",
                                 uri="https://far.example/users/news")
    label_outlet(far, mod, country="CN")
    assert labels.labels_for([far])[far.pk][0].country == "CN"


def test_labelling_a_local_account_tells_its_followers_servers(
        outlet, mod, django_capture_on_commit_callbacks):
    updated = []

    def receiver(sender, account, **kwargs):
        updated.append(account.pk)

    account_events.profile_updated.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            label = label_outlet(outlet, mod)
        with django_capture_on_commit_callbacks(execute=True):
            labels.remove_label(label, by=mod)
    finally:
        account_events.profile_updated.disconnect(receiver)
    assert updated == [outlet.pk, outlet.pk]  # Update(Person) out, with and without


# --- the web door ---------------------------------------------------------------

def test_the_label_shows_on_the_profile_with_its_source(client, outlet, mod):
    label_outlet(outlet, mod)
    page = client.get("/@statenews").content.decode()
    assert "State-affiliated media · Russia" in page
    assert f'href="{RT}"' in page


def test_the_label_shows_next_to_the_author_in_a_timeline_at_one_query(client, mod):
    authors = [factories.make_account(f"paper{i}") for i in range(4)]
    for author in authors:
        label_outlet(author, mod)
        factories.make_post(author, f"News from {author.username}")
    factories.make_post(factories.make_account("plain"), "Just me")
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/public").content.decode()
    assert page.count("State-affiliated media · Russia") == 4
    assert len(label_queries(ctx)) == 1


def test_the_label_shows_in_a_thread(client, outlet, mod):
    label_outlet(outlet, mod)
    post = factories.make_post(outlet, "An announcement")
    page = client.get(f"/@statenews/{post.pk}").content.decode()
    assert "State-affiliated media · Russia" in page


def test_the_moderators_page_adds_and_lifts_labels(client, outlet, mod):
    client.force_login(mod)
    answer = client.post("/moderation/labels", {
        "handle": "@statenews", "kind": "government", "country": "ru",
        "source_url": "https://gov.example/registry", "source_note": "", "since": ""})
    assert answer.status_code == 302
    label = AccountLabel.objects.get(account=outlet)
    assert label.kind == "government" and label.country == "RU" and label.created_by == mod
    listing = client.get("/moderation/labels").content.decode()
    assert "@statenews" in listing and "https://gov.example/registry" in listing
    assert client.post(f"/moderation/labels/{label.pk}/remove").status_code == 302
    assert labels.labels_for([outlet]) == {}


def test_the_moderators_page_says_when_the_handle_is_unknown(client, mod):
    client.force_login(mod)
    answer = client.post("/moderation/labels", {"handle": "@nobody@nowhere.example",
                                                "kind": "official", "source_note": "x"})
    assert answer.status_code == 400
    assert "No account @nobody@nowhere.example is known here." in answer.content.decode()
    assert not AccountLabel.objects.exists()


def test_the_labels_page_is_refused_to_people_who_are_not_staff(client, outlet):
    client.force_login(factories.make_user("curious"))
    assert client.get("/moderation/labels").status_code == 403
    answer = client.post("/moderation/labels", {"handle": "@statenews", "kind": "official",
                                                "source_note": "x"})
    assert answer.status_code == 403
    assert not AccountLabel.objects.exists()


# --- the client API -------------------------------------------------------------

def test_the_api_account_carries_the_label(client, outlet, mod):
    label_outlet(outlet, mod, since=date(2021, 5, 4))
    account = client.get(f"/api/v1/accounts/{outlet.pk}").json()
    assert account["rostra"]["labels"] == [{
        "kind": "state_media", "name": "State-affiliated media", "country": "RU",
        "source_url": RT, "source_note": "", "since": "2021-05-04"}]
    other = factories.make_account("other")
    assert client.get(f"/api/v1/accounts/{other.pk}").json()["rostra"] == {"labels": []}


def test_api_statuses_read_labels_in_one_query_whatever_the_number_of_authors(client, mod):
    for i in range(5):
        author = factories.make_account(f"wire{i}")
        label_outlet(author, mod)
        factories.make_post(author, f"Dispatch {i}")
    with CaptureQueriesContext(connection) as ctx:
        statuses = client.get("/api/v1/timelines/public").json()
    assert len(statuses) == 5
    assert all(s["account"]["rostra"]["labels"][0]["kind"] == "state_media" for s in statuses)
    assert len(label_queries(ctx)) == 1


# --- ActivityPub ----------------------------------------------------------------

def test_the_actor_document_carries_the_label_in_rostras_terms(client, outlet, mod):
    label_outlet(outlet, mod, since=date(2020, 1, 2), source_note="Listed by the regulator")
    actor = client.get("/users/statenews", **AS2).json()
    terms = actor["@context"][-1]
    assert terms["accountLabels"]["@id"] == "rostra:accountLabels"
    assert terms["rostra"].startswith("https://")
    [label] = actor["accountLabels"]
    assert label["type"] == "AccountLabel" and label["labelKind"] == "state_media"
    assert label["country"] == "RU" and label["labelSource"] == RT
    assert label["since"] == "2020-01-02" and label["sourceNote"] == "Listed by the regulator"
    assert label["attributedTo"].endswith("/actor")


def test_an_unlabelled_actor_document_is_unchanged(client, outlet):
    actor = client.get("/users/statenews", **AS2).json()
    assert "accountLabels" not in actor
    assert len(actor["@context"]) == 3


def test_a_label_a_remote_server_claims_for_its_own_account_is_not_taken_as_ours():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    pem = key.public_bytes(serialization.Encoding.PEM,
                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    actor_id = "https://far.example/users/ministry"
    document = {
        "@context": ["https://www.w3.org/ns/activitystreams",
                     {"rostra": "https://rostra.social/ns#",
                      "accountLabels": "rostra:accountLabels"}],
        "id": actor_id, "type": "Person", "preferredUsername": "ministry",
        "inbox": actor_id + "/inbox",
        "publicKey": {"id": actor_id + "#main-key", "owner": actor_id, "publicKeyPem": pem},
        "accountLabels": [{"type": "AccountLabel", "labelKind": "official",
                           "labelSource": "https://far.example/about"}],
    }
    account = remote_mod.store_actor(document, fetched_from=actor_id)
    assert labels.labels_for([account]) == {}
    assert not AccountLabel.objects.exists()
