"""The "AI-generated" label in the API: ``ai_generated``/``ai_source`` on every
MediaAttachment, read from the file's own declaration (C2PA, IPTC) or set by its
author on upload and update."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from rostra.api.openapi import build
from rostra.posts import media as media_service
from rostra.posts.models import Media
from tests import factories
from tests.provenance_samples import AI, IPTC, attribute_form, created, image, jpeg_with_xmp, sign


def _upload(client, data, name="a.jpg", content_type="image/jpeg", **fields):
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    return client.client.post("/api/v2/media", {"file": upload, **fields},
                              headers={"Authorization": f"Bearer {client.token}"})


def test_a_plain_upload_is_not_labelled(api, alice):
    body = _upload(api(alice), image("JPEG")).json()
    assert body["ai_generated"] is False and body["ai_source"] is None


def test_the_author_labels_an_upload(api, alice):
    response = _upload(api(alice), image("JPEG"), ai_generated="true")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ai_generated"] is True and body["ai_source"] == "author"
    assert Media.objects.get(pk=body["id"]).ai_source == "author"


def test_an_iptc_declared_upload_is_labelled_from_its_metadata(api, alice):
    body = _upload(api(alice), jpeg_with_xmp(attribute_form(AI))).json()
    assert body["ai_generated"] is True and body["ai_source"] == "iptc"


def test_a_c2pa_signed_upload_is_labelled_from_its_credentials(api, alice):
    signed = sign(image("PNG"), "image/png", created(AI))
    body = _upload(api(alice), signed, name="gen.png", content_type="image/png").json()
    assert body["ai_generated"] is True and body["ai_source"] == "c2pa"


def test_the_files_declaration_outranks_the_authors_no(api, alice):
    body = _upload(api(alice), jpeg_with_xmp(attribute_form(AI)), ai_generated="false").json()
    assert body["ai_generated"] is True and body["ai_source"] == "iptc"


def test_a_photo_declared_as_a_capture_is_not_labelled(api, alice):
    body = _upload(api(alice), jpeg_with_xmp(attribute_form(IPTC + "digitalCapture"))).json()
    assert body["ai_generated"] is False


def test_a_status_carries_the_label_of_its_attachments(api, alice):
    client = api(alice)
    labelled = _upload(client, image("JPEG"), ai_generated="1").json()
    plain = _upload(client, image("PNG"), name="b.png", content_type="image/png").json()
    status = client.post("/api/v1/statuses", {"status": "Two pictures",
                                              "media_ids": [labelled["id"], plain["id"]]})
    assert status.status_code == 200, status.content
    first, second = status.json()["media_attachments"]
    assert (first["ai_generated"], first["ai_source"]) == (True, "author")
    assert (second["ai_generated"], second["ai_source"]) == (False, None)
    seen = api(alice).get(f"/api/v1/statuses/{status.json()['id']}").json()
    assert seen["media_attachments"][0]["ai_generated"] is True


def test_a_remote_label_shows_as_remote(api, alice):
    media = media_service.upload_media(alice, image("JPEG"))
    Media.objects.filter(pk=media.pk).update(ai_generated=True, ai_source="remote")
    body = api(alice).get(f"/api/v1/media/{media.pk}").json()
    assert (body["ai_generated"], body["ai_source"]) == (True, "remote")


def test_update_without_the_label_leaves_it(api, alice):
    media = media_service.upload_media(alice, image("JPEG"), ai_generated=True)
    response = api(alice).put(f"/api/v1/media/{media.pk}", {"description": "A square"})
    assert response.status_code == 200, response.content
    assert response.json()["ai_generated"] is True


def test_update_with_false_on_an_unlabelled_upload_is_accepted(api, alice):
    media = media_service.upload_media(alice, image("JPEG"))
    response = api(alice).put(f"/api/v1/media/{media.pk}", {"ai_generated": False})
    assert response.status_code == 200, response.content
    assert response.json()["ai_generated"] is False


def test_update_labels_and_unlabels_the_authors_own(api, alice):
    media = media_service.upload_media(alice, image("JPEG"))
    client = api(alice)
    body = client.put(f"/api/v1/media/{media.pk}", {"ai_generated": True}).json()
    assert (body["ai_generated"], body["ai_source"]) == (True, "author")
    body = client.put(f"/api/v1/media/{media.pk}", {"ai_generated": False}).json()
    assert (body["ai_generated"], body["ai_source"]) == (False, None)


def test_update_cannot_remove_what_the_file_declares(api, alice):
    media = media_service.upload_media(alice, jpeg_with_xmp(attribute_form(AI)))
    body = api(alice).put(f"/api/v1/media/{media.pk}", {"ai_generated": False}).json()
    assert (body["ai_generated"], body["ai_source"]) == (True, "iptc")


def test_openapi_documents_the_label():
    document = build()
    schema = document["components"]["schemas"]["MediaAttachment"]["properties"]
    assert schema["ai_generated"] == {"type": "boolean"}
    assert "author" in schema["ai_source"]["enum"]
    upload = document["paths"]["/api/v2/media"]["post"]
    assert "ai_generated" in str(upload["requestBody"])


def test_someone_elses_media_cannot_be_labelled(api, alice, bob):
    media = media_service.upload_media(factories.make_account("dora"), image("JPEG"))
    response = api(bob).put(f"/api/v1/media/{media.pk}", {"ai_generated": True})
    assert response.status_code == 404
