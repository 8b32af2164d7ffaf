"""``GET /api/v1/statuses?id[]=`` and ``GET /api/v1/accounts?id[]=`` (Mastodon 4.3):
several objects in one request, in the order asked, never one the reader may not see."""

from __future__ import annotations

import pytest
from django.utils import timezone

from rostra.accounts import services as accounts
from rostra.accounts.models import Account
from tests import factories

pytestmark = pytest.mark.django_db


def test_several_statuses_in_the_order_asked_without_what_the_reader_may_not_see(
        api, anon, alice, bob):
    first = factories.make_post(alice, "first")
    second = factories.make_post(alice, "second")
    secret = factories.make_post(alice, "for followers", visibility="private")
    asked = [second.pk, 999, "nonsense", secret.pk, first.pk, second.pk]
    query = {"id[]": [str(i) for i in asked]}
    assert [s["id"] for s in anon.get("/api/v1/statuses", query).json()] == [
        str(second.pk), str(first.pk)]
    accounts.follow(bob, alice)
    assert [s["id"] for s in api(bob).get("/api/v1/statuses", query).json()] == [
        str(second.pk), str(secret.pk), str(first.pk)]


def test_more_than_twenty_statuses_is_refused(anon, alice):
    answer = anon.get("/api/v1/statuses", {"id[]": [str(i) for i in range(1, 22)]})
    assert answer.status_code == 422 and "20" in answer.json()["error"]


def test_posting_a_status_still_works_on_the_same_route(api, alice):
    made = api(alice).post("/api/v1/statuses", {"status": "still here"})
    assert made.status_code == 200 and "still here" in made.json()["content"]


def test_several_accounts_in_the_order_asked_without_suspended_ones(anon, alice, bob, carol):
    Account.objects.filter(pk=carol.pk).update(suspended_at=timezone.now())
    answer = anon.get("/api/v1/accounts", {"id[]": [str(bob.pk), str(carol.pk), "x",
                                                    str(alice.pk)]})
    assert [a["username"] for a in answer.json()] == ["bob", "alice"]
    assert anon.get("/api/v1/accounts",
                    {"id[]": [str(i) for i in range(1, 42)]}).status_code == 422
