"""Accessibility in a real Chromium: axe-core finds no serious or critical
violation on any page of the web UI (anonymous, signed-in and moderator pages,
with images, a poll, a content warning, notifications, a case and an incident),
and a page forced right-to-left mirrors its layout.

axe-core is injected with Playwright's ``page.evaluate`` (the DevTools protocol),
which the site's Content Security Policy does not govern: the CSP stays as strict
as in production and the test checks that no page logged a refusal meanwhile."""

from __future__ import annotations

import pytest

from tests import chromium, factories
from tests.web import browser_world

pytestmark = [*chromium.MARKS, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def browser():
    with chromium.launch() as launched:
        yield launched


def _axe():
    return pytest.importorskip("axe_playwright_python.sync_playwright").Axe()


FIRST_FOCUSABLE = """() => {
  const all = document.querySelectorAll('a[href], button, input:not([type=hidden]), select,'
    + ' textarea, summary, [tabindex]:not([tabindex="-1"])');
  const first = [...all].find(el => !el.disabled);
  return first ? first.outerHTML.slice(0, 120) : '';
}"""


def _blocking_violations(axe, page) -> list[str]:
    """One line per serious or critical violation and node, ready to fix."""
    found = axe.run(page).response["violations"]
    lines = []
    for violation in found:
        if violation.get("impact") not in BLOCKING:
            continue
        for node in violation["nodes"]:
            lines.append(f"{page.url} [{violation['impact']}] {violation['id']}: "
                         f"{violation['help']} at {node['target']} -- {node['html'][:160]}")
    return lines


def test_no_page_has_a_serious_or_critical_axe_violation(browser, live_server, tmp_path):
    world = browser_world.build()
    base = live_server.url
    axe = _axe()
    anonymous = browser.new_context().new_page()
    anonymous.set_default_timeout(15_000)
    by_role = {"anonymous": anonymous,
               "reader": browser_world.log_in(browser, base, "reader", color_scheme="dark"),
               "admin": browser_world.log_in(browser, base, "boss")}
    refused, problems = [], []
    for role, paths in browser_world.pages(world).items():
        page = by_role[role]
        page.on("console", lambda msg, page=page: refused.append(f"{page.url}: {msg.text}")
                if "Content Security Policy" in msg.text else None)
        for path in paths:
            answer = page.goto(f"{base}{path}")
            assert answer.status < 400, (role, path, answer.status)
            problems += _blocking_violations(axe, page)
            first = page.evaluate(FIRST_FOCUSABLE)
            if 'class="skip-link"' not in first:
                problems.append(f"{page.url}: the first focusable element is {first}")
    # Two states a page list misses: a refused log-in and the alt-text request.
    anonymous.goto(f"{base}/auth/login")
    anonymous.locator("main form button[type=submit]").click()
    anonymous.wait_for_selector(".error, .form-errors, [aria-invalid=true]")
    problems += _blocking_violations(axe, anonymous)
    reader = by_role["reader"]
    image = tmp_path / "square.png"
    image.write_bytes(factories.image_bytes(size=(80, 60)))
    reader.goto(f"{base}/compose")
    reader.locator("textarea[name=text]").fill("No description yet")
    reader.locator("#id_media_1").set_input_files(str(image))
    reader.locator("form[data-compose] button[type=submit]").click()
    reader.wait_for_selector("#id_alt_1_nudge")
    problems += _blocking_violations(axe, reader)
    for page in by_role.values():
        page.context.close()
    assert not problems, "axe-core found:\n" + "\n".join(problems)
    assert refused == []


def test_a_page_forced_right_to_left_mirrors_the_post_layout(browser, live_server):
    poster = factories.make_account("poster")
    factories.make_post(poster, "مرحبا بالعالم")
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/@poster")
    avatar = page.locator(".post .post-author .avatar").first
    body = page.locator(".post .post-body").first

    def boxes():
        return avatar.bounding_box(), body.bounding_box()

    a, b = boxes()
    assert a["x"] < b["x"]  # left to right: the avatar sits left of the text
    page.evaluate("document.documentElement.dir = 'rtl'")
    a, b = boxes()
    assert a["x"] + a["width"] > b["x"] + b["width"] - 1  # now on the right
    # The text keeps its indent past the avatar, on the right-hand side now.
    post = page.locator(".post").first.bounding_box()
    assert post["x"] + post["width"] - (b["x"] + b["width"]) > a["width"]
    assert page.evaluate("getComputedStyle(document.querySelector('.post-body'))"
                         ".marginRight") != "0px"
    page.context.close()
