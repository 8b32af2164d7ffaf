"""The staff page of hash lists: the lists, importing a file, switching, deleting,
subscribing, pulling and the allow-list; each change in the audit log."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rostra.federation import hash_feeds
from rostra.moderation.models import AuditEntry
from rostra.safety import matching, ncii
from rostra.safety.lists import import_list
from rostra.safety.models import AllowEntry, HashEntry, HashList
from tests import factories

pytestmark = pytest.mark.django_db
PAGE = "/moderation/hashlists"
PDQ = "f" * 16 + "0" * 48
MD5 = "d41d8cd98f00b204e9800998ecf8427e"
HMA = f"# from HMA\npdq {PDQ} 90\nmd5 {MD5}\npdq nothex\n".encode()


@pytest.fixture(autouse=True)
def _fresh_index(settings):
    settings.ROSTRA_HASH_INDEX_REFRESH = 0
    matching.reset()
    yield
    matching.reset()


@pytest.fixture
def staff(client):
    client.force_login(factories.make_user("mod", admin=True))
    return client


def last_audit() -> AuditEntry:
    return AuditEntry.objects.order_by("-pk").first()


def upload(data: bytes = HMA, **fields):
    return {"file": SimpleUploadedFile("list.txt", data, content_type="text/plain"),
            "name": "hma-list", "kind": "terror", "action": "review", "fmt": "",
            "description": "", **fields}


def test_staff_see_the_lists_with_their_counts_and_the_published_feed(staff):
    import_list(f"md5 {MD5}\n", name="ncmec", kind="csam", action="block")
    ncii.victims_list()
    page = staff.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "ncmec" in html and "Child sexual abuse material" in html
    assert "http://localhost:8000/safety/feeds/ncii-victims.json" in html
    assert "/safety/feeds/ncmec.json" not in html


def test_people_who_are_not_staff_get_403(client):
    list_ = import_list(f"md5 {MD5}\n", name="ncmec", kind="csam", action="block")
    client.force_login(factories.make_user("someone"))
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}/import", upload()).status_code == 403
    assert client.post(f"{PAGE}/{list_.hash_list.pk}/enabled", {"enabled": "0"}
                       ).status_code == 403
    assert HashList.objects.get(name="ncmec").enabled
    assert not HashList.objects.filter(name="hma-list").exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(PAGE).status_code == 302


def test_staff_import_an_hma_file_through_the_form(staff):
    response = staff.post(f"{PAGE}/import", upload(), follow=True)
    assert response.redirect_chain[-1][0] == PAGE
    hash_list = HashList.objects.get(name="hma-list")
    assert (hash_list.kind, hash_list.action, hash_list.source) == ("terror", "review", "import")
    assert set(hash_list.entries.values_list("signal_type", "value", "quality")) == {
        ("pdq", PDQ, 90), ("md5", MD5, None)}
    html = response.content.decode()
    assert "2 hashes read (hma), 2 added" in html and "line 4:" in html
    entry = last_audit()
    assert entry.action == "hashlist.imported" and entry.actor.username == "mod"
    assert entry.details["added"] == 2 and entry.details["rejected"] == 1


def test_a_large_upload_is_imported_from_the_file_django_spooled(staff, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 16
    staff.post(f"{PAGE}/import", upload())
    assert HashEntry.objects.filter(hash_list__name="hma-list").count() == 2


def test_an_uploaded_path_is_read_as_text_not_opened(staff, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(f"md5 {MD5}\n")
    response = staff.post(f"{PAGE}/import", upload(str(secret).encode()), follow=True)
    assert not HashEntry.objects.filter(hash_list__name="hma-list").exists()
    assert "1 rejected" in response.content.decode()


def test_an_incomplete_import_form_is_shown_again_with_its_errors(staff):
    response = staff.post(f"{PAGE}/import", upload(name=""))
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert not HashList.objects.exists()


def test_a_list_is_switched_off_and_on(staff):
    hash_list = import_list(f"md5 {MD5}\n", name="ncmec", kind="csam",
                            action="block").hash_list
    staff.post(f"{PAGE}/{hash_list.pk}/enabled", {"enabled": "0"})
    assert not HashList.objects.get(pk=hash_list.pk).enabled
    assert matching.match(md5=MD5) == []
    assert last_audit().action == "hashlist.disabled"
    staff.post(f"{PAGE}/{hash_list.pk}/enabled", {"enabled": "1"})
    assert HashList.objects.get(pk=hash_list.pk).enabled
    assert [m.list_name for m in matching.match(md5=MD5)] == ["ncmec"]
    assert last_audit().details == {"list": "ncmec", "list_id": hash_list.pk}


def test_deleting_a_list_asks_first(staff):
    hash_list = import_list(f"md5 {MD5}\n", name="ncmec", kind="csam",
                            action="block").hash_list
    confirm = staff.get(f"{PAGE}/{hash_list.pk}/delete")
    assert confirm.status_code == 200 and "Delete the hash list ncmec?" in confirm.content.decode()
    staff.post(f"{PAGE}/{hash_list.pk}/delete")  # no confirmation: the page again
    assert HashList.objects.filter(pk=hash_list.pk).exists()
    staff.post(f"{PAGE}/{hash_list.pk}/delete", {"confirm": "yes"})
    assert not HashList.objects.filter(pk=hash_list.pk).exists()
    entry = last_audit()
    assert entry.action == "hashlist.deleted" and entry.details["entries"] == 1


def test_a_hash_is_cleared_and_the_clearing_removed(staff):
    import_list(f"md5 {MD5}\n", name="ncmec", kind="csam", action="block")
    staff.post(f"{PAGE}/allow", {"signal_type": "md5", "value": MD5.upper(),
                                 "reason": "a blank file"})
    entry = AllowEntry.objects.get()
    assert (entry.value, entry.created_by.username) == (MD5, "mod")
    assert matching.match(md5=MD5) == []
    assert MD5 in staff.get(PAGE).content.decode()
    assert last_audit().action == "hash.allowed"
    staff.post(f"{PAGE}/allow/{entry.pk}/remove")
    assert not AllowEntry.objects.exists()
    assert [m.list_name for m in matching.match(md5=MD5)] == ["ncmec"]
    assert last_audit().action == "hash.allow_removed"


def test_an_invalid_hash_is_not_cleared(staff):
    response = staff.post(f"{PAGE}/allow", {"signal_type": "md5", "value": "abc"})
    assert response.status_code == 400 and "32 hexadecimal digits" in response.content.decode()
    assert not AllowEntry.objects.exists()


def test_a_feed_that_cannot_be_fetched_is_not_subscribed(staff):
    response = staff.post(f"{PAGE}/subscribe", {
        "url": "http://peer.example/safety/feeds/ncii-victims.json", "name": "peer",
        "action": "block"})
    assert response.status_code == 400 and "scheme" in response.content.decode()
    assert not HashList.objects.exists()


def test_pull_now_reports_a_refused_feed_and_audits_it(staff, monkeypatch):
    def refuse(url, *, etag=""):
        raise hash_feeds.FeedError("The signature does not match the feed.")

    monkeypatch.setattr(hash_feeds, "fetch", refuse)
    hash_list = HashList.objects.create(name="peer", kind="ncii", source="feed",
                                        feed_url="https://peer.example/f.json")
    response = staff.post(f"{PAGE}/{hash_list.pk}/pull", follow=True)
    html = response.content.decode()
    assert "peer: refused, entries kept" in html and "last pull refused" in html
    entry = last_audit()
    assert entry.action == "hashlist.pulled" and entry.details["status"] == "refused"
