"""The account migration pages (aliases, moving away) and a moved account's profile:
its "has moved" banner and the redirect to the new account."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from rostra.accounts import services as accounts
from rostra.accounts.models import Account, Follow
from rostra.portability import move as moving
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ALICE_URI = "http://localhost:8000/users/alice"


def fresh(account: Account) -> Account:
    return Account.objects.select_related("moved_to").get(pk=account.pk)


def test_the_settings_menu_links_to_account_migration(login, alice):
    page = login(alice).get("/settings/profile").content.decode()
    assert 'href="/settings/migration"' in page and "Account migration" in page


def test_migration_pages_need_a_log_in(client, db):
    for path in ("/settings/aliases", "/settings/migration"):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response["Location"]


def test_an_alias_is_added_and_listed(login, alice, bob):
    client = login(bob)
    response = client.post("/settings/aliases", {"acct": "@alice"})
    assert response.status_code == 302
    assert fresh(bob).also_known_as == [ALICE_URI]
    page = client.get("/settings/aliases").content.decode()
    assert "@alice" in page and f'value="{ALICE_URI}"' in page


def test_an_alias_is_removed(login, alice, bob):
    moving.add_alias(bob, "alice")
    login(bob).post("/settings/aliases", {"remove": ALICE_URI})
    assert fresh(bob).also_known_as == []


def test_an_unknown_alias_is_refused_with_a_message(login, bob):
    response = login(bob).post("/settings/aliases", {"acct": "@nobody"})
    assert response.status_code == 400
    assert "Could not find @nobody" in response.content.decode()
    assert fresh(bob).also_known_as == []


def test_the_migration_page_says_the_account_has_not_moved(login, alice):
    page = login(alice).get("/settings/migration").content.decode()
    assert "This account has not moved." in page and 'name="password"' in page


def test_moving_needs_the_password(login, alice, bob):
    moving.add_alias(bob, "alice")
    response = login(alice).post("/settings/migration", {"acct": "bob", "password": "wrong"})
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    assert fresh(alice).moved_to is None


def test_a_move_the_target_did_not_allow_is_refused_with_what_to_do(login, alice, bob):
    response = login(alice).post("/settings/migration", {"acct": "bob", "password": PASSWORD})
    assert response.status_code == 400
    assert "does not name this account as an alias" in response.content.decode()
    assert fresh(alice).moved_to is None


def test_moving_moves_the_followers_and_shows_the_status(login, alice, bob, carol):
    moving.add_alias(bob, "alice")
    accounts.follow(carol, alice)
    client = login(alice)
    response = client.post("/settings/migration", {"acct": "@bob", "password": PASSWORD})
    assert response.status_code == 302
    assert fresh(alice).moved_to == bob
    assert Follow.objects.filter(account=carol, target_account=bob).exists()
    page = client.get("/settings/migration").content.decode()
    assert "This account has moved to" in page and "@bob" in page
    assert "you can move again from" in page and 'name="password"' not in page


def test_the_redirect_can_be_cancelled(login, alice, bob):
    moving.add_alias(bob, "alice")
    moving.move_account(alice, "bob")
    client = login(alice)
    client.post("/settings/migration/cancel")
    assert fresh(alice).moved_to is None
    assert "the redirect was cancelled" in client.get("/settings/migration").content.decode()


# --- the old profile --------------------------------------------------------------------

@pytest.fixture
def moved(alice, bob):
    moving.add_alias(bob, "alice")
    moving.move_account(alice, "bob")
    return alice, bob


def test_a_moved_profile_redirects_to_the_new_account_and_says_why(client, moved):
    response = client.get("/@alice")
    assert response.status_code == 302 and response["Location"] == "/@bob"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "@alice has moved to @bob."]


def test_stay_shows_the_old_profile_with_its_banner(client, moved):
    response = client.get("/@alice?stay=1")
    assert response.status_code == 200
    page = response.content.decode()
    assert "@alice has moved to" in page and 'href="/@bob"' in page


def test_the_owner_sees_their_own_moved_profile(login, moved):
    alice, _ = moved
    response = login(alice).get("/@alice")
    assert response.status_code == 200 and "has moved to" in response.content.decode()


def test_the_old_profiles_other_tabs_show_the_banner(client, moved):
    response = client.get("/@alice/followers")
    assert response.status_code == 200 and "has moved to" in response.content.decode()


def test_no_redirect_to_an_account_that_moved_on(client, moved, carol):
    alice, bob = moved
    moving.add_alias(carol, "bob")
    moving.move_account(bob, "carol")
    assert client.get("/@bob")["Location"] == "/@carol"
    assert client.get("/@alice").status_code == 200  # no chain of redirects


def test_the_actor_document_keeps_serving_with_moved_to(client, moved):
    response = client.get("/@alice", HTTP_ACCEPT="application/activity+json")
    assert response.status_code == 200
    assert response.json()["movedTo"] == "http://localhost:8000/users/bob"


def test_a_move_notification_names_the_new_account(login, moved, carol):
    alice, bob = moved
    accounts.follow(carol, alice)
    moving.apply_move(fresh(alice), bob)
    page = login(carol).get("/notifications").content.decode()
    assert "moved" in page and 'href="/@bob"' in page
