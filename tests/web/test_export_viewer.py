"""The export's offline viewer in a real Chromium: unzip the export, open
``index.html`` from the disk (no server) and see the posts and the image.

Uses the system Chromium (never a downloaded one); skipped when it is missing."""

import zipfile

import pytest

from rostra.portability.export import build_export
from rostra.posts.media import upload_media
from tests import chromium, factories

ALT = "A red square on a white wall"

pytestmark = [
    *chromium.MARKS,
]


@pytest.fixture(scope="module")
def browser():
    with chromium.launch() as launched:
        yield launched


def test_the_offline_viewer_shows_the_posts_and_the_image(db, browser, tmp_path):
    from playwright.sync_api import expect

    wanda, bob = factories.make_account("wanda"), factories.make_account("bob")
    photo = upload_media(wanda, factories.image_bytes(size=(120, 90)), description=ALT)
    first = factories.make_post(wanda, "My first picture on Rostra", media=[photo])
    factories.make_post(wanda, "Only my followers read this", visibility="private")
    factories.make_post(wanda, "A reply in my own thread", in_reply_to=first)
    factories.make_post(wanda, "Careful <now> & then", spoiler_text="Spoilers ahead")
    factories.make_post(bob, "Bob's own followers-only post", visibility="private")
    report = build_export(wanda, tmp_path / "export.zip")
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(report.path) as zf:
        zf.extractall(folder)

    context = browser.new_context(offline=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto((folder / "index.html").as_uri())
    expect(page.get_by_role("heading", level=1)).to_have_text("Archive of wanda")
    for text in ("My first picture on Rostra", "Only my followers read this",
                 "A reply in my own thread"):
        expect(page.get_by_text(text)).to_be_visible()
    expect(page.get_by_text("Followers only")).to_be_visible()
    expect(page.get_by_text("Bob's own followers-only post")).to_have_count(0)
    img = page.locator(f'img[alt="{ALT}"]')
    expect(img).to_be_visible()
    assert img.evaluate("el => el.complete && el.naturalWidth === 120")
    page.get_by_text("Spoilers ahead").click()
    expect(page.get_by_text("Careful <now> & then")).to_be_visible()
    page.get_by_role("link", name="In reply to a post").click()
    assert page.url.endswith(f"#post-{first.pk}")
    context.close()
