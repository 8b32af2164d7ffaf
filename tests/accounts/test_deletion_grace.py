"""Leaving for good with a grace period (GDPR Art. 17): the request hides the
account from every door at once and federates nothing; cancelling puts it back
exactly; at ``delete_after`` (or when a worker starts late) it is deleted, every
media file with it, and its ``Delete`` reaches every server that got its content."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, TestCase
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rostra.accounts import deletion, sanctions
from rostra.accounts import services as accounts
from rostra.accounts.errors import AccountError
from rostra.accounts.models import Account
from rostra.api import oauth
from rostra.core import worker
from rostra.federation.models import Delivery
from rostra.moderation import shield
from rostra.posts import media as media_service
from rostra.posts import quarantine
from rostra.posts import services as posts
from rostra.posts.models import Media, Post
from rostra.safety.models import HashEntry, HashList
from tests import factories
from tests.accounts.test_deletion import committed, remote, run_queued

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaver(db):
    return factories.make_user("leaver").account


@pytest.fixture
def later(monkeypatch):
    """``later(account)``: the clock moves past the account's ``delete_after``."""

    def move(account: Account) -> None:
        moment = Account.objects.get(pk=account.pk).delete_after + timedelta(seconds=1)
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return move


def token(account: Account) -> str:
    app, _secret = oauth.create_application("App", "urn:ietf:wg:oauth:2.0:oob", "read")
    return oauth.issue_token(app, account.user, ["read"]).access_token


def seen(account: Account, post: Post, bearer: str) -> dict[str, int]:
    """What each door answers about ``account`` and ``post`` to an outsider."""
    web, auth = Client(), {"Authorization": f"Bearer {bearer}"}
    public = Client().get("/api/v1/timelines/public").json()
    return {
        "profile": web.get(f"/@{account.username}").status_code,
        "post page": web.get(f"/@{account.username}/{post.pk}").status_code,
        "api account": web.get(f"/api/v1/accounts/{account.pk}").status_code,
        "api lookup": web.get("/api/v1/accounts/lookup",
                              {"acct": account.username}).status_code,
        "api status": web.get(f"/api/v1/statuses/{post.pk}").status_code,
        "public timeline": int(any(s["id"] == str(post.pk) for s in public)),
        "actor": web.get(f"/users/{account.username}",
                         HTTP_ACCEPT="application/activity+json").status_code,
        "webfinger": web.get("/.well-known/webfinger", {
            "resource": f"acct:{account.username}@localhost:8000"}).status_code,
        "own token": web.get("/api/v1/accounts/verify_credentials",
                             headers=auth).status_code,
    }


def test_asking_hides_the_account_from_every_door_and_cancelling_shows_it_again(leaver):
    post = factories.make_post(leaver, "Still here")
    bearer = token(leaver)
    shown = seen(leaver, post, bearer)
    assert shown == {"profile": 200, "post page": 200, "api account": 200, "api lookup": 200,
                     "api status": 200, "public timeline": 1, "actor": 200, "webfinger": 200,
                     "own token": 200}
    due = committed(deletion.request_deletion, leaver)
    assert seen(leaver, post, bearer) == {
        "profile": 404, "post page": 404, "api account": 404, "api lookup": 404,
        "api status": 404, "public timeline": 0,
        "actor": 404,  # as a suspension: never 410, so no server deletes its copy yet
        "webfinger": 404, "own token": 403}
    assert due - timezone.now() > timedelta(days=29, hours=23)
    committed(deletion.cancel_deletion, Account.objects.get(pk=leaver.pk))
    assert seen(leaver, post, bearer) == shown


def test_cancelling_restores_every_field_of_the_account_exactly(leaver, bob):
    accounts.update_profile(leaver, display_name="Leaver", note="Bio", locked=True,
                            avatar=factories.image_bytes())
    committed(accounts.follow, bob, leaver)
    factories.make_post(leaver, "Mine")
    before = Account.objects.filter(pk=leaver.pk).values().get()
    committed(deletion.request_deletion, leaver)
    committed(deletion.cancel_deletion, Account.objects.get(pk=leaver.pk))
    after = Account.objects.filter(pk=leaver.pk).values().get()
    before.pop("updated_at"), after.pop("updated_at")
    assert after == before
    assert Post.objects.filter(account=leaver).count() == 1
    assert (Path(settings.MEDIA_ROOT) / after["avatar"]).is_file()


def test_nothing_is_federated_while_the_deletion_is_pending(leaver):
    committed(accounts.follow, remote("fan", "one.example"), leaver)
    factories.make_post(leaver, "Posted before")
    sent = Delivery.objects.count()
    committed(deletion.request_deletion, leaver)
    run_queued_now()
    committed(deletion.cancel_deletion, Account.objects.get(pk=leaver.pk))
    run_queued_now()
    assert Delivery.objects.count() == sent


def run_queued_now() -> None:
    """Run the tasks whose time has come (not the deletion due in 30 days)."""
    for row in DBTaskResult.objects.filter(run_after__isnull=True):
        row.delete()
        module, name = row.task_path.rsplit(".", 1)
        task = getattr(__import__(module, fromlist=[name]), name)
        with TestCase.captureOnCommitCallbacks(execute=True):
            task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])


def test_an_email_confirms_the_request_with_the_date_and_how_to_cancel(leaver):
    due = committed(deletion.request_deletion, leaver)
    (message,) = mail.outbox
    assert message.to == ["leaver@example.org"]
    assert deletion.when(due) in message.subject and deletion.when(due) in message.body
    assert "http://localhost:8000/auth/login" in message.body
    assert "Cancel deletion" in message.body


def test_asking_twice_keeps_the_first_date(leaver):
    first = committed(deletion.request_deletion, leaver)
    assert committed(deletion.request_deletion, Account.objects.get(pk=leaver.pk)) == first
    assert len(mail.outbox) == 1


def test_a_suspended_account_cannot_ask_and_a_remote_one_cannot_be_deleted_here(leaver):
    sanctions.sanction(leaver, suspended_at=timezone.now())
    with pytest.raises(AccountError, match="suspended"):
        deletion.request_deletion(leaver)
    with pytest.raises(AccountError):
        deletion.request_deletion(remote("far", "one.example"))


def test_the_task_queued_for_delete_after_deletes_the_account_then_and_not_before(
        leaver, later):
    due = committed(deletion.request_deletion, leaver)
    (row,) = DBTaskResult.objects.filter(task_path__endswith="delete_when_due")
    assert row.run_after == due and row.args_kwargs["args"] == [leaver.pk]
    assert deletion.delete_when_due.call(leaver.pk) is False  # too early
    assert Account.objects.get(pk=leaver.pk).deleted_at is None
    later(leaver)
    assert committed(deletion.delete_when_due.call, leaver.pk) is True
    gone = Account.objects.get(pk=leaver.pk)
    assert gone.deleted_at and gone.suspended_at == gone.deleted_at
    assert not gone.user.is_active and "leaver@" not in gone.user.email


def test_a_cancelled_request_leaves_its_queued_task_harmless(leaver, later):
    committed(deletion.request_deletion, leaver)
    later(leaver)
    committed(deletion.cancel_deletion, Account.objects.get(pk=leaver.pk))
    assert deletion.delete_when_due.call(leaver.pk) is False
    assert Account.objects.get(pk=leaver.pk).suspended_at is None


def test_a_worker_starting_late_deletes_the_overdue_accounts_only(leaver, bob, later):
    committed(deletion.request_deletion, leaver)
    later(leaver)
    committed(deletion.request_deletion, bob)  # asked "now": due in 30 days
    assert deletion.delete_overdue in worker._start_hooks  # run when a worker starts
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert deletion.delete_overdue() == 1
    assert Account.objects.get(pk=leaver.pk).deleted_at is not None
    assert Account.objects.get(pk=bob.pk).deleted_at is None
    assert deletion.awaiting_deletion(Account.objects.get(pk=bob.pk))


def test_a_moderators_suspension_during_the_grace_period_blocks_the_cancel(leaver):
    committed(deletion.request_deletion, leaver)
    leaver.refresh_from_db()
    before = sanctions.sanction(leaver, suspended_at=timezone.now())
    assert not deletion.awaiting_deletion(leaver)
    with pytest.raises(AccountError):
        deletion.cancel_deletion(leaver)
    sanctions.restore(leaver, before)  # the suspension is lifted: the request is back
    leaver.refresh_from_db()
    assert deletion.awaiting_deletion(leaver)


def test_a_grace_period_of_zero_days_deletes_at_once(leaver, settings):
    settings.ROSTRA_ACCOUNT_DELETION_GRACE_DAYS = 0
    committed(deletion.request_deletion, leaver)
    assert Account.objects.get(pk=leaver.pk).deleted_at is not None


def files_under(root: str) -> set[str]:
    return {str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file()}


def test_the_deletion_removes_every_media_file_of_the_account(leaver, later):
    accounts.update_profile(leaver, avatar=factories.image_bytes(),
                            header=factories.image_bytes(size=(300, 100)))
    attached = media_service.upload_media(leaver, factories.image_bytes(size=(900, 700)))
    factories.make_post(leaver, "With a picture", media=[attached])
    media_service.upload_media(leaver, factories.image_bytes(color=(0, 0, 200)))  # unposted
    stored = files_under(settings.MEDIA_ROOT)
    assert {attached.file.name, attached.thumbnail.name} <= stored
    assert len(stored) == 6  # avatar, header, 2 × (original and thumbnail)
    committed(deletion.request_deletion, leaver)
    assert files_under(settings.MEDIA_ROOT) == stored  # kept while cancel is possible
    later(leaver)
    committed(deletion.delete_when_due.call, leaver.pk)
    run_queued()
    assert files_under(settings.MEDIA_ROOT) == set()
    assert not Media.objects.filter(account=leaver, quarantined_at__isnull=True).exists()


def test_quarantined_media_stay_in_quarantine_as_evidence_of_their_case(leaver, settings):
    settings.ROSTRA_HASH_INDEX_REFRESH = 0
    held = media_service.upload_media(leaver, factories.image_bytes(color=(10, 200, 10)))
    factories.make_post(leaver, "Matched later", media=[held])
    listing = HashList.objects.create(name="ncii-list", kind="ncii", action="block")
    entry = HashEntry.objects.create(hash_list=listing, signal_type="md5", value=held.md5)
    with TestCase.captureOnCommitCallbacks(execute=True):
        shield.rescan([entry.pk])
    held.refresh_from_db()
    assert held.quarantined_at is not None
    evidence = {held.file.name, held.thumbnail.name}
    assert evidence <= files_under(quarantine.quarantine_storage().location)
    committed(deletion.delete_account, leaver)
    run_queued()
    assert not Post.objects.filter(account=leaver).exists()
    kept = Media.objects.get(pk=held.pk)  # the case still holds it
    assert kept.post_id is None and kept.quarantined_at is not None
    from rostra.moderation.models import Case

    assert Case.objects.filter(media=kept).exists()
    assert evidence <= files_under(quarantine.quarantine_storage().location)
    assert files_under(settings.MEDIA_ROOT) == set()


def test_the_delete_reaches_every_inbox_that_got_content_once_per_server(leaver):
    fan = remote("fan", "one.example")  # a follower (shared inbox)
    committed(accounts.follow, fan, leaver)
    solo = remote("solo", "two.example")  # a server without a shared inbox
    Account.objects.filter(pk=solo.pk).update(shared_inbox_url="")
    late = remote("late", "three.example")  # its shared inbox learned after a mention
    Account.objects.filter(pk=late.pk).update(shared_inbox_url="")
    gone = remote("gone", "four.example")  # got a mention; we forgot the account since
    Account.objects.filter(pk=gone.pk).update(shared_inbox_url="")
    author = remote("author", "five.example")  # we liked their post
    Account.objects.filter(pk=author.pk).update(shared_inbox_url="")
    theirs = posts.create_remote_post(Account.objects.get(pk=author.pk),
                                      content_html="<p>Hi</p>", visibility="public",
                                      uri="https://five.example/notes/1",
                                      published=timezone.now())
    factories.make_post(leaver, "@solo@two.example @late@three.example @gone@four.example hi")
    committed(posts.favourite, leaver, theirs)
    content = {d.inbox_url for d in Delivery.objects.all()}
    assert {"https://two.example/users/solo/inbox", "https://three.example/users/late/inbox",
            "https://four.example/users/gone/inbox",
            "https://five.example/users/author/inbox"} <= content
    Account.objects.filter(pk=late.pk).update(shared_inbox_url="https://three.example/inbox")
    Account.objects.filter(pk=gone.pk).delete()
    Delivery.objects.update(status=Delivery.Status.DELIVERED)
    committed(deletion.delete_account, leaver)
    deletes = [d.inbox_url for d in Delivery.objects.all()
               if json.loads(d.payload)["type"] == "Delete"
               and json.loads(d.payload)["object"].endswith("/users/leaver")]
    assert sorted(deletes) == ["https://five.example/users/author/inbox",
                               "https://four.example/users/gone/inbox",
                               "https://one.example/inbox", "https://three.example/inbox",
                               "https://two.example/users/solo/inbox"]


def test_the_admin_command_schedules_cancels_or_deletes_at_once(leaver):
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("deleteuser", "leaver")
    assert deletion.awaiting_deletion(Account.objects.get(pk=leaver.pk))
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("deleteuser", "leaver", cancel=True)
    assert Account.objects.get(pk=leaver.pk).suspended_at is None
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("deleteuser", "leaver")
        call_command("deleteuser", "leaver", now=True)
    gone = Account.objects.get(pk=leaver.pk)
    assert gone.deleted_at and gone.suspended_at == gone.deleted_at  # not the future date
    with pytest.raises(CommandError, match="already deleted"):
        call_command("deleteuser", "leaver", now=True)
    with pytest.raises(CommandError, match="No local account"):
        call_command("deleteuser", "nobody")
