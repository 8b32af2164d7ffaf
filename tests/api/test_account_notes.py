"""Private notes on accounts: ``POST /api/v1/accounts/:id/note`` and the
Relationship's ``note``, which each reader sees only for their own notes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rostra.accounts import notes
from rostra.accounts.models import AccountNote

pytestmark = pytest.mark.django_db


def _note_url(account) -> str:
    return f"/api/v1/accounts/{account.pk}/note"


def test_setting_a_note_answers_the_relationship_with_it(api, alice, bob):
    response = api(alice).post(_note_url(bob), {"comment": "  Met at the conference  "})
    assert response.status_code == 200, response.content
    rel = response.json()
    assert rel["id"] == str(bob.pk) and rel["note"] == "Met at the conference"
    assert notes.note_on(alice, bob) == "Met at the conference"


def test_a_form_encoded_comment_is_read_too(api, alice, bob):
    response = api(alice).post(_note_url(bob), {"comment": "From a form"}, json_body=False)
    assert response.json()["note"] == "From a form"


def test_relationships_carry_the_readers_note(api, alice, bob, carol):
    client = api(alice)
    client.post(_note_url(bob), {"comment": "On Bob"})
    rels = client.get("/api/v1/accounts/relationships", {"id[]": [bob.pk, carol.pk]}).json()
    assert [(r["id"], r["note"]) for r in rels] == [(str(bob.pk), "On Bob"), (str(carol.pk), "")]


def test_another_readers_relationship_shows_no_note(api, alice, bob, carol):
    api(alice).post(_note_url(carol), {"comment": "Alice's private thought"})
    rels = api(bob).get("/api/v1/accounts/relationships", {"id[]": [carol.pk]}).json()
    assert rels[0]["note"] == ""
    own = api(carol).get("/api/v1/accounts/relationships", {"id[]": [carol.pk]}).json()
    assert own[0]["note"] == ""
    profile = api(bob).get(f"/api/v1/accounts/{carol.pk}").content.decode()
    assert "Alice's private thought" not in profile


@pytest.mark.parametrize("body", [{"comment": ""}, {"comment": "   "}, {}])
def test_an_empty_or_missing_comment_removes_the_note(api, alice, bob, body):
    client = api(alice)
    client.post(_note_url(bob), {"comment": "Soon forgotten"})
    rel = client.post(_note_url(bob), body).json()
    assert rel["note"] == ""
    assert not AccountNote.objects.exists()


def test_a_comment_over_2000_characters_is_422_naming_comment(api, alice, bob):
    client = api(alice)
    client.post(_note_url(bob), {"comment": "kept"})
    response = client.post(_note_url(bob), {"comment": "x" * 2001})
    assert response.status_code == 422
    body = response.json()
    assert "2000" in body["error"] and body["details"]["comment"][0]["error"] == "ERR_INVALID"
    assert notes.note_on(alice, bob) == "kept"
    assert client.post(_note_url(bob), {"comment": "x" * 2000}).status_code == 200


def test_a_note_on_oneself_is_allowed(api, alice):
    rel = api(alice).post(_note_url(alice), {"comment": "Post more"}).json()
    assert rel["note"] == "Post more"


def test_setting_a_note_needs_write_accounts(api, alice, bob):
    assert api(alice, "read").post(_note_url(bob), {"comment": "x"}).status_code == 403
    assert api(alice, "write:accounts").post(_note_url(bob), {"comment": "x"}).status_code == 200
    assert api(alice, "write").post(_note_url(bob), {"comment": "y"}).status_code == 200


def test_setting_a_note_needs_a_user(anon, bob):
    assert anon.post(_note_url(bob), {"comment": "x"}).status_code == 401


def test_a_note_on_an_unknown_account_is_404(api, alice):
    assert api(alice).post("/api/v1/accounts/999999/note", {"comment": "x"}).status_code == 404


def test_relationships_read_the_notes_in_one_query(api, alice, make_account):
    others = [make_account(f"other{i}") for i in range(4)]
    for other in others:
        notes.set_note(alice, other, f"On {other.username}")
    client = api(alice)
    with CaptureQueriesContext(connection) as queries:
        rels = client.get("/api/v1/accounts/relationships",
                          {"id[]": [o.pk for o in others]}).json()
    assert [r["note"] for r in rels] == [f"On other{i}" for i in range(4)]
    note_queries = [q for q in queries.captured_queries if "accountnote" in q["sql"].lower()]
    assert len(note_queries) == 1
