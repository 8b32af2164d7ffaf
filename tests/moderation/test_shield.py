"""The image-abuse shield end to end below the doors: a known image, even resized or
recompressed, is quarantined on upload and on import, opens a case first in the
queue, and a moderator confirms or clears it; a victim's new hashes take down
what is already stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from rostra.moderation import services, shield
from rostra.moderation.models import Case, Category, Decision, Measure, Source
from rostra.notifications.models import Notification
from rostra.posts.media import REFUSED, MediaHeld, upload_media
from rostra.posts.models import Media
from rostra.posts.visibility import can_see
from rostra.safety.hashing import hash_image
from rostra.safety.models import AllowEntry, HashEntry, HashList
from tests import factories

pytestmark = pytest.mark.django_db
PDQ = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "pdq"
ORIGINAL = PDQ / "bridge-mods" / "aaa-orig.jpg"


def listing(kind: str, *paths: Path, action: str = "block") -> HashList:
    """A hash list holding the PDQ (and exact hashes) of ``paths``."""
    hash_list = HashList.objects.create(name=f"{kind}-list", kind=kind, action=action)
    for path in paths:
        hashes = hash_image(path.read_bytes())
        HashEntry.objects.create(hash_list=hash_list, signal_type="pdq", value=hashes.pdq,
                                 quality=hashes.pdq_quality)
        HashEntry.objects.create(hash_list=hash_list, signal_type="md5", value=hashes.md5)
    return hash_list


@pytest.fixture(autouse=True)
def _fresh_index(settings):
    settings.ROSTRA_HASH_INDEX_REFRESH = 0  # every match sees the lists as they are now


@pytest.mark.parametrize("variant", ["shrink-a-lot.jpg", "blur-a-little.jpg",
                                     "high-contrast.jpg", "square-256x256.jpg"])
def test_a_known_image_even_altered_is_held_on_upload_and_a_case_opens(alice, variant):
    listing("ncii", ORIGINAL)
    with pytest.raises(MediaHeld) as held:
        upload_media(alice, (PDQ / "bridge-mods" / variant).read_bytes(), source="api",
                     ip="192.0.2.7")
    media = held.value.media
    assert media.quarantined_at is not None
    assert not default_storage.exists(media.file.name)  # its public address answers 404
    assert Client().get(media.file.url).status_code == 404
    assert Client().get(media.thumbnail.url).status_code == 404
    (case,) = services.queue()
    assert (case.category, case.source) == (Category.INTIMATE_IMAGES, Source.AUTOMATED)
    assert case.priority == services.PRIORITY[Category.INTIMATE_IMAGES]
    assert list(case.media.all()) == [media] and case.evidence["ip"] == "192.0.2.7"
    assert case.evidence["matches"][0]["kind"] == "ncii"
    # The uploader is told (an automated, provisional measure), the case stays open.
    (provisional,) = Decision.objects.filter(case=case)
    assert provisional.automated_decision == "fully" and provisional.automated_detection
    assert Notification.objects.filter(account=alice, type="moderation_warning").exists()


def test_unrelated_images_pass(alice):
    listing("ncii", ORIGINAL)
    for path in sorted((PDQ / "misc-images").glob("*.jpg"))[:3]:
        media = upload_media(alice, path.read_bytes())
        assert media.quarantined_at is None and media.pdq
    assert not Case.objects.exists()


def test_a_csam_match_does_not_tip_off_the_uploader(alice):
    listing("csam", ORIGINAL)
    with pytest.raises(MediaHeld) as held:
        upload_media(alice, ORIGINAL.read_bytes())
    assert str(held.value) == REFUSED
    (case,) = Case.objects.all()
    assert case.report_to_authority and case.category == Category.CSAM
    assert not Decision.objects.exists()
    assert not Notification.objects.filter(account=alice).exists()


def test_a_moderator_clears_a_false_positive_which_never_matches_again(alice):
    listing("other", ORIGINAL, action="review")
    with pytest.raises(MediaHeld) as held:
        upload_media(alice, ORIGINAL.read_bytes())
    media = held.value.media
    case = Case.objects.get()
    mod = factories.make_user("mod", admin=True)
    shield.clear(case, by=mod, explanation="A bridge, not abuse.")
    media.refresh_from_db()
    assert media.quarantined_at is None and default_storage.exists(media.file.name)
    assert AllowEntry.objects.filter(signal_type="pdq", value=media.pdq).exists()
    case.refresh_from_db()
    assert case.status == Case.Status.DECIDED
    assert Decision.objects.get(case=case, decided_by__isnull=True).reversed_at is not None
    again = upload_media(alice, ORIGINAL.read_bytes())
    assert again.quarantined_at is None


def test_an_imported_post_with_a_known_image_is_held_and_a_confirmation_removes_it(alice):
    from rostra.posts import services as posts

    listing("ncii", ORIGINAL)
    with pytest.raises(MediaHeld) as held:
        upload_media(alice, ORIGINAL.read_bytes(), source="import")
    post = posts.create_post(alice, "from my archive", media=[held.value.media],
                             source="import")
    assert post.held == "quarantine" and not can_see(alice, post)
    case = Case.objects.get()
    assert shield.held_posts(case) == [post]
    mod = factories.make_user("mod", admin=True)
    decision = shield.confirm(case, by=mod, explanation="It is the reported image.")
    assert decision.measure == Measure.REMOVE and list(decision.target_posts.all()) == [post]
    post.refresh_from_db()
    assert post.removed_at is not None
    assert Media.objects.get(pk=held.value.media.pk).quarantined_at is not None  # evidence


def test_a_victims_new_hashes_take_down_stored_media(alice, bob):
    media = upload_media(alice, ORIGINAL.read_bytes())
    post = factories.make_post(alice, "a photo", media=[media])
    assert can_see(bob, post)
    hash_list = HashList.objects.create(name="victims", kind="ncii", source="victims")
    variant = hash_image((PDQ / "bridge-mods" / "shrink-a-little.jpg").read_bytes())
    entry = HashEntry.objects.create(hash_list=hash_list, signal_type="pdq",
                                     value=variant.pdq, quality=variant.pdq_quality)
    assert shield.rescan([entry.pk]) == 1
    post.refresh_from_db()
    assert post.held == "quarantine" and not can_see(bob, post)
    assert Case.objects.get().category == Category.INTIMATE_IMAGES


def test_moderators_see_the_media_blurred_and_others_cannot(alice, client):
    listing("ncii", ORIGINAL)
    with pytest.raises(MediaHeld):
        upload_media(alice, ORIGINAL.read_bytes())
    case = Case.objects.get()
    media = case.media.get()
    url = f"/moderation/cases/{case.pk}/media/{media.pk}/thumbnail"
    client.force_login(alice.user)
    assert client.get(url).status_code == 403
    client.force_login(factories.make_user("mod", admin=True))
    assert client.get(url).status_code == 200
    page = client.get(f"/moderation/cases/{case.pk}")
    assert b'class="blurred"' in page.content and b"Confirm the match" in page.content


def test_a_large_list_import_rescans_stored_media_by_the_time_it_added_them(alice, settings):
    from rostra.safety import lists

    media = upload_media(alice, ORIGINAL.read_bytes())
    settings.ROSTRA_HASH_INDEX_REFRESH = 0
    report = lists.import_list(f"md5 {media.md5}\n", name="big", kind="other",
                               action="review", fmt="hma")
    assert report.added == 1
    added_at = HashEntry.objects.get(hash_list__name="big").added_at
    assert shield.rescan_added(report.hash_list.pk, added_at.isoformat()) == 1
    assert Media.objects.get(pk=media.pk).quarantined_at is not None


def test_the_automated_provisional_measure_exports_as_a_valid_statement(alice):
    from rostra.moderation.transparency_db import statement
    from rostra.moderation.transparency_db_rules import validate

    listing("ncii", ORIGINAL)
    with pytest.raises(MediaHeld):
        upload_media(alice, ORIGINAL.read_bytes())
    exported = statement(Decision.objects.get())
    assert validate(exported) == []
    assert exported["automated_detection"] == "Yes"
    assert exported["automated_decision"] == "AUTOMATED_DECISION_FULLY"
    assert "CONTENT_TYPE_IMAGE" in exported["content_type"]
