"""``/about/moderated-servers``: the servers this one limits or suspends, with the
reason its moderators gave publicly."""

from __future__ import annotations


def test_the_page_lists_them_for_everyone_with_the_public_reason_only(client, moderated):
    html = client.get("/about/moderated-servers").content.decode()
    assert "spam.example" in html and "Spam waves" in html and "Suspended" in html
    assert "loud.example" in html and "Limited" in html and "No reason given." in html
    assert "media.example" not in html and "case 12" not in html


def test_the_footer_links_to_it(client, db):
    assert 'href="/about/moderated-servers"' in client.get("/local").content.decode()


def test_an_empty_list_says_so(client, db):
    html = client.get("/about/moderated-servers").content.decode()
    assert "moderates no other server" in html


def test_users_only_shows_it_to_people_signed_in(settings, client, login, alice, moderated):
    settings.ROSTRA_SHOW_DOMAIN_BLOCKS = "users"
    assert client.get("/about/moderated-servers").status_code == 404
    assert 'href="/about/moderated-servers"' not in client.get("/local").content.decode()
    assert login(alice).get("/about/moderated-servers").status_code == 200


def test_disabled_hides_it_from_everyone(settings, login, alice, moderated):
    settings.ROSTRA_SHOW_DOMAIN_BLOCKS = "disabled"
    assert login(alice).get("/about/moderated-servers").status_code == 404
    assert 'href="/about/moderated-servers"' not in login(alice).get("/home").content.decode()
