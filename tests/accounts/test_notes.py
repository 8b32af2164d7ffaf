"""Private notes on accounts: one per author and target, read by its author alone."""

import pytest

from rostra.accounts import deletion, notes
from rostra.accounts.errors import AccountError
from rostra.accounts.models import AccountNote

pytestmark = pytest.mark.django_db


def test_a_note_is_kept_stripped(alice, bob):
    notes.set_note(alice, bob, "  Met at the conference\r\nLikes birds  ")
    assert notes.note_on(alice, bob) == "Met at the conference\nLikes birds"


def test_setting_a_note_again_replaces_it(alice, bob):
    notes.set_note(alice, bob, "First thought")
    notes.set_note(alice, bob, "Second thought")
    assert notes.note_on(alice, bob) == "Second thought"
    assert AccountNote.objects.filter(account=alice, target_account=bob).count() == 1


@pytest.mark.parametrize("empty", ["", "   \n ", None])
def test_an_empty_note_removes_the_note(alice, bob, empty):
    notes.set_note(alice, bob, "Soon forgotten")
    assert notes.set_note(alice, bob, empty) is None
    assert not AccountNote.objects.exists()
    assert notes.note_on(alice, bob) == ""


def test_a_note_of_2000_characters_is_kept_and_a_longer_one_refused(alice, bob):
    notes.set_note(alice, bob, "kept")
    assert notes.set_note(alice, bob, "x" * notes.MAX_NOTE).text == "x" * 2000
    with pytest.raises(AccountError) as refused:
        notes.set_note(alice, bob, "y" * 2001)
    assert refused.value.field == "text" and "2000" in str(refused.value)
    assert notes.note_on(alice, bob) == "x" * 2000  # the note before is left as it was


def test_a_note_on_oneself_is_allowed_as_in_mastodon(alice):
    notes.set_note(alice, alice, "Remember to post more")
    assert notes.note_on(alice, alice) == "Remember to post more"


def test_a_note_is_read_only_by_its_author(alice, bob, carol):
    notes.set_note(alice, carol, "Alice's private thought")
    assert notes.note_on(bob, carol) == ""
    assert notes.note_on(carol, carol) == ""
    assert notes.note_on(None, carol) == ""
    assert notes.notes_on(bob, [carol.pk]) == {}


def test_notes_on_many_targets_take_one_query(alice, bob, carol, django_assert_num_queries):
    notes.set_note(alice, bob, "On Bob")
    notes.set_note(alice, carol, "On Carol")
    notes.set_note(bob, carol, "Bob's, not Alice's")
    with django_assert_num_queries(1):
        found = notes.notes_on(alice, [bob.pk, carol.pk, alice.pk])
    assert found == {bob.pk: "On Bob", carol.pk: "On Carol"}


def test_deleting_either_account_removes_the_note(alice, bob, carol):
    notes.set_note(alice, bob, "About Bob")
    notes.set_note(bob, carol, "About Carol")
    bob.delete()
    assert not AccountNote.objects.exists()


def test_the_purge_of_a_deleted_account_removes_its_notes_both_ways(alice, bob, carol):
    notes.set_note(alice, bob, "About Bob")
    notes.set_note(bob, carol, "Bob's own note")
    notes.set_note(alice, carol, "Stays")
    deletion.purge_graph(bob)
    assert list(AccountNote.objects.values_list("text", flat=True)) == ["Stays"]
