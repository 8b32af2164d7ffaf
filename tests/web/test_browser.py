"""End to end in a real Chromium: sign up, post an image with alt text from the
compose form, and a second person follows from the profile page and sees it.

Uses the system Chromium (never a downloaded one); skipped when it is missing."""


import pytest

from tests import chromium, factories

ALT = "A red square on a white wall"

pytestmark = [*chromium.MARKS, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    with chromium.launch() as launched:
        yield launched


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


def _log_in(browser, base: str, username: str):
    from playwright.sync_api import expect

    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/auth/login")
    page.get_by_label("Username or e-mail address").fill(username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/home")
    return page


def test_a_notice_is_decided_appealed_and_reversed_in_the_browser(browser, live_server,
                                                                  settings):
    """Issue 6's "done when": a notice from someone without an account is decided,
    the author reads the statement of reasons and wins an appeal restoring the post."""
    from playwright.sync_api import expect

    base = live_server.url
    settings.ROSTRA_DOMAIN = base.split("://", 1)[1]  # the notice's URL is one of ours
    author = factories.make_user("olga").account
    post = factories.make_post(author, "Tickets for the concert, half price")
    for name in ("mod1", "mod2"):
        factories.make_user(name, admin=True)

    visitor = browser.new_context().new_page()
    visitor.set_default_timeout(15_000)
    visitor.goto(f"{base}/notices/new?url={base}/@olga/{post.pk}")
    visitor.get_by_label("Scam, fraud or phishing").check()
    visitor.get_by_label("Why it is illegal or against this server's rules").fill(
        "The same tickets are sold by ten accounts; nobody receives them.")
    visitor.get_by_label("Your name").fill("Pia")
    visitor.get_by_label("Your e-mail address").fill("pia@example.org")
    visitor.get_by_label("I believe, in good faith").check()
    visitor.get_by_role("button", name="Send the notice").click()
    expect(visitor.get_by_role("heading", name="Notice R-")).to_be_visible()

    mod1 = _log_in(browser, base, "mod1")
    mod1.goto(f"{base}/moderation")
    mod1.get_by_role("link", name="R-").first.click()
    mod1.get_by_label("Remove the content").check()
    mod1.get_by_label("Illegal content (a law)").check()
    mod1.get_by_label("The law (for illegal content)").fill("Art. 6 Directive 2005/29/EC")
    mod1.get_by_label("Why the content breaks it").fill("Tickets that do not exist.")
    mod1.get_by_label("Facts and circumstances relied on").fill("Ten identical offers.")
    mod1.get_by_role("button", name="Decide").click()
    expect(mod1.get_by_text("Decided: Remove the content.")).to_be_visible()
    visitor.goto(f"{base}/@olga/{post.pk}")
    expect(visitor.get_by_text("Tickets for the concert")).to_have_count(0)

    olga = _log_in(browser, base, "olga")
    olga.goto(f"{base}/notifications")
    olga.get_by_role("link", name="Read the statement of reasons").click()
    expect(olga.get_by_text("We removed the content.")).to_be_visible()
    expect(olga.get_by_text("Art. 6 Directive 2005/29/EC")).to_be_visible()
    olga.get_by_label("Why the decision should change").fill("I am the organiser's agent.")
    olga.get_by_role("button", name="Send the appeal").click()
    expect(olga.get_by_text("Your appeal was received.")).to_be_visible()

    mod2 = _log_in(browser, base, "mod2")
    mod2.goto(f"{base}/moderation/appeals")
    mod2.get_by_role("link", name="Appeal ").first.click()
    mod2.get_by_label("Reverse the decision").check()
    mod2.get_by_label("Explain the outcome").fill("The organiser confirmed the sale.")
    mod2.get_by_role("button", name="Send the outcome").click()
    expect(mod2.get_by_text("Appeal decision reversed.")).to_be_visible()

    visitor.goto(f"{base}/@olga/{post.pk}")
    expect(visitor.get_by_text("Tickets for the concert, half price")).to_be_visible()
    for page in (visitor, mod1, olga, mod2):
        page.context.close()
