"""End to end in a real Chromium: sign up, post an image with alt text from the
compose form, and a second person follows from the profile page and sees it.

Uses the system Chromium (never a downloaded one); skipped when it is missing."""

import os

import pytest

from tests import factories

CHROMIUM = "/usr/bin/chromium"
ALT = "A red square on a white wall"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no system Chromium"),
]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


def test_sign_up_post_image_and_be_followed(browser, live_server, tmp_path):
    from playwright.sync_api import expect

    base = live_server.url
    writer = browser.new_context()
    page = writer.new_page()
    page.set_default_timeout(15_000)

    # 1. Sign up through the sign-up page.
    page.goto(f"{base}/auth/signup")
    page.get_by_label("Username").fill("wanda")
    page.get_by_label("E-mail address").fill("wanda@example.org")
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_label("Password again").fill(factories.PASSWORD)
    page.get_by_label("I have read and accept the server rules").check()
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(f"{base}/home")

    # 2. Post with an image and its alt text from the compose form.
    image = tmp_path / "square.png"
    image.write_bytes(factories.image_bytes(size=(120, 90)))
    page.get_by_label("What’s on your mind?").fill("My first picture on Rostra")
    page.locator("summary", has_text="Images").click()
    page.locator("#id_media_1").set_input_files(str(image))
    page.locator("#id_alt_1").fill(ALT)
    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(f"{base}/home")
    expect(page.get_by_text("Your post is published.")).to_be_visible()
    img = page.locator(f'img[alt="{ALT}"]')
    expect(img).to_be_visible()
    assert img.evaluate("el => el.complete && el.naturalWidth > 0")

    # 3. A second person logs in, follows Wanda from her profile, sees the post at home.
    factories.make_user("rafael")
    reader = browser.new_context()
    page2 = reader.new_page()
    page2.set_default_timeout(15_000)
    page2.goto(f"{base}/auth/login")
    page2.get_by_label("Username or e-mail address").fill("rafael")
    page2.get_by_label("Password").fill(factories.PASSWORD)
    page2.get_by_role("button", name="Log in").click()
    expect(page2).to_have_url(f"{base}/home")
    expect(page2.get_by_text("My first picture on Rostra")).to_have_count(0)

    page2.goto(f"{base}/@wanda")
    page2.get_by_role("button", name="Follow", exact=True).click()
    expect(page2.get_by_role("button", name="Unfollow")).to_be_visible()

    page2.get_by_role("link", name="Home").click()
    expect(page2.get_by_text("My first picture on Rostra")).to_be_visible()
    expect(page2.locator(f'img[alt="{ALT}"]')).to_be_visible()

    writer.close()
    reader.close()
