"""Self-service blocking of one's own intimate images: the service
(``rostra.safety.ncii``), the pages ``/protect`` and ``/protect/withdraw``, and in a
real Chromium the promise the page makes: the images never leave the device."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.hashers import check_password
from django.core.cache import cache
from django.test import Client

from rostra.safety import events, ncii
from rostra.safety.models import HashEntry, HashList, NciiSubmission
from tests import chromium

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / ".." / "shared" / "fixtures" / "pdq"


@pytest.fixture(autouse=True)
def _limits():
    cache.clear()  # the per-network limits count in the cache
    yield
    cache.clear()


def image(n: int = 1, quality: int = 90) -> dict:
    """The fingerprints of a made-up image number ``n``."""
    seed = f"image-{n}".encode()
    return {"sha256": hashlib.sha256(seed).hexdigest(), "md5": hashlib.md5(seed).hexdigest(),
            "pdq": hashlib.sha256(b"pdq" + seed).hexdigest(), "quality": quality}


# --- the service ---------------------------------------------------------------------

@pytest.mark.django_db
def test_submit_lists_each_fingerprint_under_a_case_number():
    submission, _secret = ncii.submit([image(1), image(2, quality=30)])
    assert re.fullmatch(r"N-\d{4}-\d{6}", submission.number)
    hash_list = HashList.objects.get(name=ncii.LIST_NAME)
    assert (hash_list.kind, hash_list.action, hash_list.source) == ("ncii", "block", "victims")
    entries = HashEntry.objects.filter(submission=submission)
    assert {(e.signal_type, e.value) for e in entries} == {
        (signal, img[signal]) for img in (image(1), image(2, 30))
        for signal in ("sha256", "md5", "pdq")}
    assert {e.quality for e in entries if e.signal_type == "pdq"} == {90, 30}
    assert {e.quality for e in entries if e.signal_type != "pdq"} == {None}
    assert all(e.hash_list_id == hash_list.pk for e in entries)


@pytest.mark.django_db
def test_the_secret_is_kept_only_as_a_hash():
    submission, secret = ncii.submit([image()])
    stored = NciiSubmission.objects.get(pk=submission.pk).secret_hash
    plain = secret.replace("-", "")
    assert plain not in stored and secret not in stored
    assert check_password(plain, stored)
    assert re.fullmatch(r"([A-Z2-7]{4}-){5}[A-Z2-7]{4}", secret)


@pytest.mark.django_db
def test_withdraw_removes_the_fingerprints_once():
    submission, secret = ncii.submit([image(1), image(2)])
    kept, _ = ncii.submit([image(3)])
    assert ncii.withdraw(submission.number, secret.lower().replace("-", " "))
    assert not HashEntry.objects.filter(submission=submission).exists()
    assert HashEntry.objects.filter(submission=kept).count() == 3
    assert NciiSubmission.objects.get(pk=submission.pk).withdrawn_at is not None
    assert not ncii.withdraw(submission.number, secret)  # the secret works once


@pytest.mark.django_db
def test_an_image_two_people_blocked_stays_blocked_until_both_withdraw():
    first, first_secret = ncii.submit([image(1)])
    second, second_secret = ncii.submit([image(1), image(2)])
    assert HashEntry.objects.count() == 6  # image 1 listed once, image 2 once
    assert ncii.withdraw(first.number, first_secret)
    assert HashEntry.objects.filter(value=image(1)["sha256"]).get().submission == second
    assert ncii.withdraw(second.number, second_secret)
    assert not HashEntry.objects.exists()


@pytest.mark.django_db
def test_a_wrong_secret_withdraws_nothing():
    submission, secret = ncii.submit([image()])
    _other, other_secret = ncii.submit([image(2)])
    assert not ncii.withdraw(submission.number, other_secret)
    assert not ncii.withdraw("N-2020-999999", secret)
    assert HashEntry.objects.filter(submission=submission).count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("number,secret", [("12345", "A" * 24), ("N-2026-000001", "short"),
                                           ("N-2026-000001", "1" * 24)])
def test_a_malformed_number_or_secret_is_refused_with_a_reason(number, secret):
    with pytest.raises(ncii.NciiError):
        ncii.withdraw(number, secret)


@pytest.mark.django_db
@pytest.mark.parametrize("change", [
    {"sha256": "ab" * 31},  # too short
    {"sha256": "g" * 64},  # not hex
    {"md5": "0" * 31},
    {"md5": "0" * 32 + " "},
    {"pdq": "f" * 65},
    {"pdq": 12},
    {"quality": 101},
    {"quality": -1},
    {"quality": "90"},
    {"quality": True},
    {"name": "holiday.jpg"},  # nothing but fingerprints
])
def test_malformed_fingerprints_are_refused(change):
    bad = {**image(), **change}
    with pytest.raises(ncii.NciiError) as caught:
        ncii.submit([image(2), bad])
    assert "Image 2" in str(caught.value)
    assert not NciiSubmission.objects.exists()
    assert not HashEntry.objects.exists()


@pytest.mark.django_db
def test_a_missing_fingerprint_is_refused():
    bad = image()
    del bad["md5"]
    with pytest.raises(ncii.NciiError):
        ncii.submit([bad])


@pytest.mark.django_db
@pytest.mark.parametrize("images", [[], {"0": image()}, "x", [image(n) for n in range(51)]])
def test_submissions_hold_one_to_fifty_images(images):
    with pytest.raises(ncii.NciiError):
        ncii.submit(images)


@pytest.mark.django_db
def test_fifty_images_are_accepted():
    submission, _ = ncii.submit([image(n) for n in range(ncii.MAX_IMAGES)])
    assert submission.entries.count() == 3 * ncii.MAX_IMAGES


@pytest.mark.django_db
def test_upper_case_hex_is_stored_lower_case_and_repeats_count_once():
    shouted = {k: v.upper() if isinstance(v, str) else v for k, v in image().items()}
    submission, _ = ncii.submit([shouted, image()])
    assert sorted(submission.entries.values_list("value", flat=True)) == sorted(
        v for k, v in image().items() if k != "quality")


@pytest.mark.django_db
def test_a_fingerprint_already_listed_is_not_listed_twice():
    first, _ = ncii.submit([image(1)])
    second, _ = ncii.submit([image(1), image(2)])
    assert first.entries.count() == 3
    assert second.entries.count() == 3
    assert HashEntry.objects.count() == 6


@pytest.mark.django_db
def test_submit_bumps_the_list_and_tells_after_commit(django_capture_on_commit_callbacks):
    ncii.submit([image(9)])
    hash_list = HashList.objects.get(name=ncii.LIST_NAME)
    before = hash_list.updated_at
    heard = []

    def listener(sender, hash_list, entries, **kwargs):
        heard.append((hash_list.name, sorted(e.value for e in entries), all(e.pk for e in entries)))

    events.hashes_added.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            ncii.submit([image(1)])
        assert heard == []  # not before the commit
        for callback in callbacks:
            callback()
    finally:
        events.hashes_added.disconnect(listener)
    assert heard == [(ncii.LIST_NAME, sorted(v for k, v in image(1).items() if k != "quality"),
                      True)]
    assert HashList.objects.get(pk=hash_list.pk).updated_at > before


@pytest.mark.django_db
def test_withdraw_tells_which_fingerprints_left(django_capture_on_commit_callbacks):
    submission, secret = ncii.submit([image(1)])
    heard = []

    def listener(sender, hash_list, entries, **kwargs):
        heard.append(sorted(e.value for e in entries))

    events.hashes_withdrawn.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert ncii.withdraw(submission.number, secret)
    finally:
        events.hashes_withdrawn.disconnect(listener)
    assert heard == [sorted(v for k, v in image(1).items() if k != "quality")]


@pytest.mark.django_db
@pytest.mark.skipif(not FIXTURES.exists(), reason="no PDQ fixtures beside the repository")
def test_a_submission_makes_the_matcher_flag_copies_until_withdrawn():
    from rostra.safety import matching
    from rostra.safety.hashing import hash_image

    original = hash_image((FIXTURES / "bridge-mods" / "aaa-orig.jpg").read_bytes())
    copy = hash_image((FIXTURES / "bridge-mods" / "shrink-a-lot.jpg").read_bytes())
    submission, secret = ncii.submit([{"sha256": original.sha256, "md5": original.md5,
                                       "pdq": original.pdq, "quality": original.pdq_quality}])

    def matches():
        return matching.match(sha256=copy.sha256, md5=copy.md5,
                              pdqs=[(copy.pdq, copy.pdq_quality)], variants=[copy.dihedral])

    found = matches()
    assert [(m.list_name, m.kind, m.action, m.signal_type) for m in found] == [
        (ncii.LIST_NAME, "ncii", "block", "pdq")]
    assert ncii.withdraw(submission.number, secret)
    assert matches() == []


# --- the pages -------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_page_explains_and_cannot_upload_an_image(client):
    response = client.get("/protect")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("What is sent", "What is not sent", "Three short fingerprints per image",
                 "Your images, or any part of them", "What happens next",
                 "Other servers that subscribe", "withdraw the fingerprints",
                 "Fingerprinting needs JavaScript"):
        assert text in html, text
    picker = re.search(r'<input type="file"[^>]*>', html).group(0)
    assert 'id="protect-files"' in picker and "name=" not in picker
    form = re.search(r'<form method="post" action="/protect/submit".*?</form>', html, re.S)
    assert 'type="file"' not in form.group(0)
    assert "multipart" not in form.group(0)
    assert '<label for="protect-files">' in html
    assert '<label for="id_consent">' in html


@pytest.mark.django_db
def test_pasted_fingerprints_are_blocked_without_javascript(client):
    lines = "\n".join(" ".join([img["sha256"], img["md5"], img["pdq"], str(img["quality"])])
                      for img in (image(1), image(2, quality=12)))
    response = client.post("/protect/submit", {"fingerprints": lines, "consent": "on"})
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    submission = NciiSubmission.objects.get()
    assert submission.number in html
    assert re.search(r"([A-Z2-7]{4}-){5}[A-Z2-7]{4}", html)
    assert "1 of 2 images is too plain" in html
    assert submission.entries.count() == 6


@pytest.mark.django_db
def test_form_errors_point_at_their_fields(client):
    response = client.post("/protect/submit", {"fingerprints": "abc def"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Line 1: write four values" in html
    assert 'aria-describedby="id_fingerprints_helptext id_fingerprints_error"' in html
    assert 'id="id_fingerprints_error"' in html
    assert 'aria-describedby="id_consent_error"' in html
    assert not NciiSubmission.objects.exists()


@pytest.mark.django_db
def test_a_malformed_pasted_fingerprint_is_named_by_line(client):
    bad = image(2)
    lines = f"{' '.join(map(str, image(1).values()))}\n{bad['sha256'][:-1]} {bad['md5']} " \
            f"{bad['pdq']} 80"
    response = client.post("/protect/submit", {"fingerprints": lines, "consent": "on"})
    assert response.status_code == 400
    assert "Line 2: the SHA256 fingerprint must be 64 hexadecimal" in response.content.decode()


def _json(client, body, **extra):
    return client.post("/protect/submit", json.dumps(body), content_type="application/json",
                       **extra)


@pytest.mark.django_db
def test_json_submission_answers_the_number_and_secret(client):
    response = _json(client, {"images": [image(1), image(2, quality=3)], "consent": True})
    assert response.status_code == 201
    data = response.json()
    submission = NciiSubmission.objects.get(number=data["number"])
    assert check_password(data["secret"].replace("-", ""), submission.secret_hash)
    assert data["withdraw_url"] == "/protect/withdraw"
    assert data["plain"] == 1
    assert data["number"] in data["html"] and data["secret"] in data["html"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("body,status", [
    ({"images": [image()], "consent": False}, 400),
    ({"images": [image()]}, 400),
    ({"images": [image()], "consent": True, "email": "a@example.org"}, 400),
    ({"images": [{**image(), "md5": "xyz"}], "consent": True}, 400),
    ([image()], 400),
])
def test_json_submission_takes_fingerprints_and_consent_only(client, body, status):
    response = _json(client, body)
    assert response.status_code == status
    assert response.json()["error"]
    assert not NciiSubmission.objects.exists()


@pytest.mark.django_db
def test_a_large_body_is_refused_unread(client):
    response = client.post("/protect/submit", b"{" + b" " * 70_000 + b"}",
                           content_type="application/json")
    assert response.status_code == 413


@pytest.mark.django_db
def test_json_submission_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    page = client.get("/protect")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"',
                      page.content.decode()).group(1)
    body = {"images": [image()], "consent": True}
    assert _json(client, body).status_code == 403
    assert _json(client, body, HTTP_X_CSRFTOKEN=token).status_code == 201


@pytest.mark.django_db
def test_submissions_are_limited_per_network(client, monkeypatch):
    from rostra.web.views import protect

    monkeypatch.setattr(protect, "RATE_LIMIT", 2)
    for n in range(2):
        assert _json(client, {"images": [image(n)], "consent": True}).status_code == 201
    refused = _json(client, {"images": [image(5)], "consent": True})
    assert refused.status_code == 429
    assert "Too many" in refused.json()["error"]
    assert client.post("/protect/submit", {}).status_code == 429
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert _json(other, {"images": [image(6)], "consent": True}).status_code == 201


@pytest.mark.django_db
def test_the_withdraw_page_removes_a_submission(client):
    submission, secret = ncii.submit([image()])
    assert client.get("/protect/withdraw").status_code == 200
    wrong = client.post("/protect/withdraw", {"number": submission.number,
                                              "secret": "A" * 24})
    assert wrong.status_code == 400
    assert "do not match" in wrong.content.decode()
    assert submission.entries.count() == 3
    done = client.post("/protect/withdraw", {"number": submission.number.lower(),
                                             "secret": secret})
    assert done.status_code == 200
    assert "Fingerprints withdrawn" in done.content.decode()
    assert not HashEntry.objects.exists()


@pytest.mark.django_db
def test_withdraw_form_errors_point_at_their_fields(client):
    response = client.post("/protect/withdraw", {"number": "42", "secret": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "A case number looks like N-2026-000123." in html
    assert 'aria-describedby="id_number_helptext id_number_error"' in html
    assert 'aria-describedby="id_secret_helptext id_secret_error"' in html


# --- in a real browser -------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    with chromium.launch() as launched:
        yield launched


PICKED = ["reg-test-input/labelme-subset/q0122.jpg", "reg-test-input/dih/bridge-1-original.jpg"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.path.exists(chromium.CHROMIUM), reason="no system Chromium")
@pytest.mark.skipif(not FIXTURES.exists(), reason="no PDQ fixtures beside the repository")
def test_the_browser_sends_fingerprints_and_never_the_images(browser, live_server):
    from playwright.sync_api import expect

    from rostra.safety.hashing import hash_image

    files = [FIXTURES / name for name in PICKED]
    heads = [f.read_bytes()[:512] for f in files]
    requests = []
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("request", lambda r: requests.append(
        (r.method, r.url, r.headers.get("content-type", ""), r.post_data_buffer or b"")))

    page.goto(f"{live_server.url}/protect")
    expect(page.locator("#protect-picker")).to_be_visible()
    page.get_by_label("Images to fingerprint on this device").set_input_files(
        [str(f) for f in files])
    expect(page.get_by_text("2 of 2 images fingerprinted. Nothing has been sent yet.")
           ).to_be_visible()
    expect(page.locator("#protect-table tbody tr")).to_have_count(2)
    assert not [r for r in requests if r[0] != "GET"]  # choosing sent nothing

    page.get_by_label("These images show me").check()
    page.get_by_role("button", name="Send the fingerprints").click()
    expect(page.get_by_role("heading", name=re.compile(r"Your images are blocked: case N-"))
           ).to_be_visible()
    number = page.locator("#protect-number").inner_text()
    secret = page.locator("#protect-secret").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4}-){5}[A-Z2-7]{4}", secret)

    posts = [r for r in requests if r[0] != "GET"]
    assert len(posts) == 1
    method, url, content_type, body = posts[0]
    assert url == f"{live_server.url}/protect/submit"
    assert content_type == "application/json"
    assert len(body) < 2048
    sent = json.loads(body)
    assert set(sent) == {"images", "consent"} and sent["consent"] is True
    assert all(set(i) == {"sha256", "md5", "pdq", "quality"} for i in sent["images"])
    for _method, _url, content_type, body in requests:
        assert "multipart" not in content_type
        assert len(body) < 4096
        assert not any(head in body for head in heads)
        assert b"q0122" not in body and b"bridge" not in body  # not even the names

    # What the server stored is what it would compute from the images itself.
    submission = NciiSubmission.objects.get(number=number)
    stored = {(e.signal_type, e.value): e.quality for e in submission.entries.all()}
    pdqs = {value: quality for (signal, value), quality in stored.items() if signal == "pdq"}
    assert len(stored) == 6
    for f in files:
        data = f.read_bytes()
        assert ("sha256", hashlib.sha256(data).hexdigest()) in stored
        assert ("md5", hashlib.md5(data).hexdigest()) in stored
        reference = hash_image(data)
        nearest = min(pdqs, key=lambda v: (int(v, 16) ^ int(reference.pdq, 16)).bit_count())
        gap = (int(nearest, 16) ^ int(reference.pdq, 16)).bit_count()
        assert gap <= (10 if reference.pdq_quality >= 80 else 16), (f.name, gap)
        assert pdqs[nearest] == reference.pdq_quality

    # The secret withdraws them, from the page it links to.
    page.locator('#protect-result a[href="/protect/withdraw"]').last.click()
    page.get_by_label("Case number").fill(number)
    page.get_by_label("Withdrawal secret").fill(secret)
    page.get_by_role("button", name="Withdraw the fingerprints").click()
    expect(page.get_by_role("heading", name="Fingerprints withdrawn")).to_be_visible()
    assert not HashEntry.objects.filter(submission=submission).exists()
    context.close()
