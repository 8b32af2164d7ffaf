"""The "AI-generated" label over ActivityPub: an AI-generated attachment of a Note
carries ``digitalSourceType`` (schema.org's property, an IPTC term as value,
defined in our JSON-LD context), and a remote attachment that says so is stored
labelled, its source "remote"."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rostra.federation import notes
from rostra.federation.serializers.context import CONTEXT
from rostra.federation.serializers.note import AI_GENERATED, attachment
from rostra.posts.media import upload_media
from rostra.posts.models import Media, Post
from tests.factories import image_bytes

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
AS2 = {"HTTP_ACCEPT": "application/activity+json"}


def _document(**extra) -> dict:
    return {"type": "Document", "mediaType": "image/png", "url": "https://cdn.example/a.png",
            **extra}


# --- out ----------------------------------------------------------------------------


def test_context_defines_digital_source_type_as_an_iri():
    extensions = CONTEXT[-1]
    assert extensions["digitalSourceType"] == {"@id": "https://schema.org/digitalSourceType",
                                               "@type": "@id"}


@pytest.mark.django_db
def test_an_ai_generated_attachment_says_so_in_the_note(client, alice, make_post):
    media = upload_media(alice, image_bytes(), description="a dream", ai_generated=True)
    post = make_post(alice, "Made with a model", media=[media])
    note = client.get(f"/users/alice/statuses/{post.pk}", **AS2).json()
    [doc] = note["attachment"]
    assert doc["digitalSourceType"] == IPTC + "trainedAlgorithmicMedia" == AI_GENERATED
    assert "digitalSourceType" in note["@context"][-1]


@pytest.mark.django_db
def test_a_plain_attachment_has_no_source_type(alice):
    assert "digitalSourceType" not in attachment(upload_media(alice, image_bytes()))


@pytest.mark.django_db
def test_every_kind_of_label_is_sent(alice):
    media = upload_media(alice, image_bytes())
    for source in ("c2pa", "iptc", "author", "remote"):
        Media.objects.filter(pk=media.pk).update(ai_generated=True, ai_source=source)
        media.refresh_from_db()
        assert attachment(media)["digitalSourceType"] == AI_GENERATED


# --- in -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    IPTC + "trainedAlgorithmicMedia",
    IPTC + "compositeWithTrainedAlgorithmicMedia",
    "https://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
    {"id": IPTC + "trainedAlgorithmicMedia"},
    {"@id": IPTC + "trainedAlgorithmicMedia"},
    [IPTC + "digitalCapture", IPTC + "trainedAlgorithmicMedia"],
    "https://schema.org/TrainedAlgorithmicMediaDigitalSource",
    "schema:CompositeWithTrainedAlgorithmicMediaDigitalSource",
])
def test_remote_declarations_that_mean_ai_generated(value):
    assert notes.declares_ai_generated(_document(digitalSourceType=value))


@pytest.mark.parametrize("key", ["schema:digitalSourceType",
                                 "https://schema.org/digitalSourceType",
                                 "http://schema.org/digitalSourceType"])
def test_the_property_under_other_names(key):
    assert notes.declares_ai_generated(_document(**{key: IPTC + "trainedAlgorithmicMedia"}))


@pytest.mark.parametrize("value", [
    None, "", 1, True, [], {}, {"id": 5},
    IPTC + "digitalCapture", IPTC + "algorithmicMedia", IPTC + "compositeSynthetic",
    "https://schema.org/DigitalCaptureDigitalSource",
    "https://example.org/TrainedAlgorithmicMediaDigitalSource",
    "https://example.org/trainedAlgorithmicMedia",
])
def test_remote_declarations_that_do_not(value):
    assert not notes.declares_ai_generated(_document(digitalSourceType=value))


def test_our_own_documents_read_back_as_ai_generated():
    assert notes.declares_ai_generated(_document(digitalSourceType=AI_GENERATED))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(
    st.sampled_from(["digitalSourceType", "schema:digitalSourceType", "type", "url"]),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=80),
                 lambda inner: st.lists(inner, max_size=4)
                 | st.dictionaries(st.sampled_from(["id", "@id", "x"]), inner, max_size=3),
                 max_leaves=10)))
def test_any_attachment_json_is_read_without_error(item):
    assert notes.declares_ai_generated(item) in (True, False)


@pytest.mark.django_db
def test_parsed_attachments_carry_the_label():
    doc = {"id": "https://remote.example/notes/1", "attachment": [
        _document(digitalSourceType=IPTC + "trainedAlgorithmicMedia"),
        _document(url="https://cdn.example/b.png")]}
    labelled, plain = notes.attachments(doc, "remote.example")
    assert labelled.ai_generated is True and plain.ai_generated is False


def test_an_incoming_ai_attachment_is_stored_labelled_remote(client, remote, alice):
    note = remote.note("zoe", "<p>Hi @alice</p>",
                       tag=[{"type": "Mention", "href": "http://localhost:8000/users/alice"}],
                       attachment=[_document(digitalSourceType=IPTC + "trainedAlgorithmicMedia",
                                             name="a generated cat"),
                                   _document(url="https://cdn.example/photo.png")])
    assert remote.deliver(client, remote.activity("zoe", "Create", note)).status_code == 202
    post = Post.objects.get(uri=note["id"])
    generated, photo = post.media.order_by("position")
    assert (generated.ai_generated, generated.ai_source) == (True, "remote")
    assert (photo.ai_generated, photo.ai_source) == (False, "")


def test_an_incoming_attachment_without_the_property_is_stored_unlabelled(client, remote,
                                                                         alice):
    note = remote.note("zoe", "<p>Hi @alice</p>",
                       tag=[{"type": "Mention", "href": "http://localhost:8000/users/alice"}],
                       attachment=[_document()])
    remote.deliver(client, remote.activity("zoe", "Create", note))
    media = Post.objects.get(uri=note["id"]).media.get()
    assert media.ai_generated is False
