"""POST /api/v1/reports: Mastodon's report, a moderation case."""

from __future__ import annotations

import pytest

from rostra.moderation.models import Case, Category
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_report_with_posts_becomes_a_case(api, alice, bob):
    post = factories.make_post(alice, "Spam spam")
    response = api(bob).post("/api/v1/reports", {"account_id": str(alice.pk),
                                                 "status_ids": [str(post.pk)],
                                                 "category": "spam", "comment": "A bot",
                                                 "forward": False})
    assert response.status_code == 200
    body, case = response.json(), Case.objects.get()
    assert body["id"] == str(case.pk) and body["category"] == "spam"
    assert body["status_ids"] == [str(post.pk)] and body["action_taken"] is False
    assert body["target_account"]["id"] == str(alice.pk)
    assert (case.category, case.notifier, case.explanation) == (Category.SPAM, bob, "A bot")


def test_a_post_of_someone_else_or_unseen_is_refused(api, alice, bob, carol):
    theirs = factories.make_post(carol, "Not alice's")
    client = api(bob)
    response = client.post("/api/v1/reports", {"account_id": str(alice.pk),
                                               "status_ids": [str(theirs.pk)]})
    assert response.status_code == 422 and "status_ids" in response.json()["details"]
    hidden = factories.make_post(alice, "Followers only", visibility="private")
    response = client.post("/api/v1/reports", {"account_id": str(alice.pk),
                                               "status_ids": [str(hidden.pk)]})
    assert response.status_code == 422
    assert not Case.objects.exists()


def test_reporting_needs_a_user_and_the_scope(api, alice, bob):
    assert api(bob, scopes="read").post(
        "/api/v1/reports", {"account_id": str(alice.pk)}).status_code == 403
    assert not Case.objects.exists()
