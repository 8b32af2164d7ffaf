"""The private note form on a profile: shown to its author alone, saved by a plain
POST (no JavaScript) that comes back to the profile with a message."""

import re

from rostra.accounts import notes

SECRET = "Owes me a coffee"


def test_a_signed_in_viewer_sees_a_labelled_note_form_on_another_profile(login, alice, bob):
    html = login(alice).get("/@bob").content.decode()
    form = re.search(r'<form method="post" action="/@bob/note".*?</form>', html, re.S).group(0)
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<label for="private-note">Note (only visible to you)</label>' in form
    assert re.search(r'<textarea name="note" id="private-note"[^>]*maxlength="2000"', form)
    assert 'aria-describedby="private-note-hint"' in form and 'id="private-note-hint"' in form


def test_saving_a_note_redirects_back_with_a_message_and_shows_it(login, alice, bob):
    client = login(alice)
    response = client.post("/@bob/note", {"note": SECRET, "next": "/@bob"})
    assert response.status_code == 302 and response.url == "/@bob"
    assert notes.note_on(alice, bob) == SECRET
    html = client.get("/@bob").content.decode()
    assert "Your note on @bob was saved." in html
    assert f">{SECRET}</textarea>" in html


def test_saving_an_empty_note_removes_it(login, alice, bob):
    notes.set_note(alice, bob, SECRET)
    client = login(alice)
    client.post("/@bob/note", {"note": "  ", "next": "/@bob"})
    assert notes.note_on(alice, bob) == ""
    assert "Your note on @bob was removed." in client.get("/@bob").content.decode()


def test_a_note_too_long_is_refused_with_a_message_and_the_old_one_kept(login, alice, bob):
    notes.set_note(alice, bob, SECRET)
    client = login(alice)
    response = client.post("/@bob/note", {"note": "x" * 2001, "next": "/@bob"}, follow=True)
    html = response.content.decode()
    assert "A note can be at most 2000 characters long" in html
    assert notes.note_on(alice, bob) == SECRET


def test_the_note_is_never_shown_to_anyone_else(client, login, alice, bob, carol):
    notes.set_note(alice, bob, SECRET)
    for path in ("/@bob", "/@bob/followers", "/@bob/with_replies"):
        assert SECRET not in client.get(path).content.decode(), path  # anonymous visitor
    others = login(carol).get("/@bob").content.decode()
    assert SECRET not in others
    assert re.search(r'id="private-note"[^>]*></textarea>', others)  # carol's own, empty
    own_page = login(bob).get("/@bob").content.decode()
    assert SECRET not in own_page and "private-note" not in own_page


def test_a_visitor_has_no_note_form_and_cannot_post_one(client, bob):
    assert "private-note" not in client.get("/@bob").content.decode()
    response = client.post("/@bob/note", {"note": "sneaky"})
    assert response.status_code == 302 and "/login" in response.url
    assert notes.notes_on(bob, [bob.pk]) == {}
