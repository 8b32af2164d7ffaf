"""Mastodon's admin API for reports and account actions, driven by Mastodon.py
against a real ``rostra serve``: every action is a decision with a statement of
reasons, the account is told (a ``moderation_warning``), and only staff tokens
with the admin scopes may act."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest

from rostra.accounts.services import update_site_settings
from rostra.moderation import appeals, decisions, services
from rostra.moderation.models import Case, Decision, Ground, Measure, Source
from tests import factories
from tests.api.live import PASSWORD, running_server

mastodon = pytest.importorskip("mastodon")
Mastodon = mastodon.Mastodon

USERS = ("alice", "bob", "carol", "dave", "erin", "frank", "gina")
ADMIN_SCOPES = ["read", "write", "follow", "admin:read", "admin:write"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server of its own with a moderator, ``mod``, and ``USERS``."""
    with running_server(tmp_path_factory.mktemp("rostra-admin"), users=USERS, admins=("mod",),
                        extra_env={"ROSTRA_RATE_LIMITS_ENABLED": "false"}) as base:
        yield base


@pytest.fixture(scope="module")
def login(server):
    """``login(username, scopes)`` → a logged-in Mastodon.py client."""
    client_id, client_secret = Mastodon.create_app(
        "Rostra admin tests", api_base_url=server, scopes=ADMIN_SCOPES)

    def make(username: str, scopes=ADMIN_SCOPES) -> Mastodon:
        api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server)
        api.log_in(username, PASSWORD, scopes=list(scopes), allow_http=True)
        return api

    return make


@pytest.fixture(scope="module")
def mod(login):
    return login("mod")


def _id(api: Mastodon) -> str:
    return str(api.account_verify_credentials().id)


def _warnings(api: Mastodon) -> list:
    return [n for n in api.notifications() if n.type == "moderation_warning"]


def _statement_page(server: str, decision_id) -> httpx.Response:
    """The statement of reasons, as the moderator sees it in the web UI."""
    with httpx.Client(base_url=server) as browser:
        page = browser.get("/auth/login")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        browser.post("/auth/login", data={"csrfmiddlewaretoken": unescape(token),
                                           "login": "mod", "password": PASSWORD})
        return browser.get(f"/statements/{decision_id}")


def test_a_moderator_lists_assigns_resolves_and_reopens_a_report(login, mod):
    bob, carol = login("bob"), login("carol")
    post = carol.status_post("buy followers here")
    filed = bob.report(_id(carol), status_ids=[post.id], comment="spam bot", category="spam")
    open_ids = [str(r.id) for r in mod.admin_reports()]
    assert str(filed.id) in open_ids
    report = mod.admin_report(filed.id)
    assert report.account.username == "bob" and report.target_account.username == "carol"
    assert report.comment == "spam bot" and [str(s.id) for s in report.statuses] == [
        str(post.id)]
    assert report.action_taken is False and report.assigned_account is None
    assert mod.admin_report_assign(filed.id).assigned_account.username == "mod"
    assert mod.admin_report_unassign(filed.id).assigned_account is None
    resolved = mod.admin_report_resolve(filed.id)
    assert resolved.action_taken is True and resolved.action_taken_by_account.username == "mod"
    assert str(filed.id) not in [str(r.id) for r in mod.admin_reports()]
    assert str(filed.id) in [str(r.id) for r in mod.admin_reports(resolved=True)]
    assert not _warnings(carol)  # resolving without action warns nobody
    reopened = mod.admin_report_reopen(filed.id)
    assert reopened.action_taken is False
    assert str(filed.id) in [str(r.id) for r in mod.admin_reports()]


def test_reports_filter_by_reporter_and_target_and_page_with_links(server, login, mod):
    erin, frank = login("erin"), login("frank")
    first = erin.report(_id(frank), comment="first")
    second = erin.report(_id(frank), comment="second")
    about_frank = mod.admin_reports(target_account_id=_id(frank))
    assert [str(r.id) for r in about_frank][:2] == [str(second.id), str(first.id)]
    assert all(str(r.account.id) == _id(erin) for r in mod.admin_reports(account_id=_id(erin)))
    page = httpx.get(server + "/api/v1/admin/reports",
                     params={"target_account_id": _id(frank), "limit": 1},
                     headers={"Authorization": f"Bearer {mod.access_token}"})
    assert [r["id"] for r in page.json()] == [str(second.id)]
    assert f"target_account_id={_id(frank)}" in page.headers["Link"]
    following = httpx.get(page.links["next"]["url"],
                          headers={"Authorization": f"Bearer {mod.access_token}"})
    assert [r["id"] for r in following.json()] == [str(first.id)]


def test_suspension_is_a_decision_told_to_the_account_and_unsuspend_restores(
        server, login, mod):
    dave = login("dave")
    dave_id = _id(dave)
    mod.admin_account_moderate(dave_id, "suspend", text="Repeated harassment of others.")
    account = mod.admin_account(dave_id)
    assert account.suspended is True and account.account.suspended is True
    with pytest.raises(mastodon.MastodonAPIError):  # a suspended account's log-in is refused
        dave.account_verify_credentials()
    restored = mod.admin_account_unsuspend(dave_id)
    assert restored.suspended is False
    warning = next(n for n in _warnings(dave)
                   if n.moderation_warning.action == "suspend").moderation_warning
    assert warning.text == "Repeated harassment of others."
    assert str(warning.target_account.id) == dave_id and warning.appeal is None
    statement = _statement_page(server, warning.id)
    assert statement.status_code == 200
    assert "Repeated harassment of others." in statement.text
    with pytest.raises(mastodon.MastodonAPIError):  # nothing left to lift
        mod.admin_account_unsuspend(dave_id)


def test_silencing_on_a_report_resolves_it_and_warns_the_account_at_once(login, mod):
    alice, gina = login("alice"), login("gina")
    filed = alice.report(_id(gina), comment="floods the local timeline", category="spam")
    mod.admin_account_moderate(_id(gina), "silence", report_id=filed.id)
    assert mod.admin_account(_id(gina)).silenced is True
    report = mod.admin_report(filed.id)
    assert report.action_taken is True
    with pytest.raises(mastodon.MastodonAPIError):  # a measure in force: lift it first
        mod.admin_report_reopen(filed.id)
    (warning,) = [n.moderation_warning for n in _warnings(gina)
                  if n.moderation_warning.action == "silence"]
    assert warning.text  # a default explanation when the moderator wrote none
    only = gina.notifications(types=["moderation_warning"])
    assert only and all(n.type == "moderation_warning" for n in only)
    assert not [n for n in gina.notifications(exclude_types=["moderation_warning"])
                if n.type == "moderation_warning"]
    assert mod.admin_account_unsilence(_id(gina)).silenced is False
    assert mod.admin_report_reopen(filed.id).action_taken is False


def test_a_warning_without_a_measure_is_still_a_decision_told_to_the_account(login, mod):
    carol = login("carol")
    mod.admin_account_moderate(_id(carol), "none", text="Please mark spoilers.")
    account = mod.admin_account(_id(carol))
    assert not (account.suspended or account.silenced or account.disabled)
    warning = _warnings(carol)[0].moderation_warning
    assert (warning.action, warning.text, warning.status_ids) == (
        "none", "Please mark spoilers.", [])


def test_sensitive_and_disable_are_lifted_by_unsensitive_and_enable(login, mod):
    frank_id = _id(login("frank"))
    mod.admin_account_moderate(frank_id, "sensitive")
    mod.admin_account_moderate(frank_id, "disable")
    account = mod.admin_account(frank_id)
    assert account.sensitized is True and account.disabled is True
    assert mod.admin_account_unsensitive(frank_id).sensitized is False
    assert mod.admin_account_enable(frank_id).disabled is False
    assert login("frank").account_verify_credentials().username == "frank"


def test_an_unknown_action_and_a_report_about_someone_else_are_refused(login, mod):
    alice, bob = login("alice"), login("bob")
    filed = alice.report(_id(bob), comment="rude")
    with pytest.raises(mastodon.MastodonAPIError):
        mod.admin_account_moderate(_id(alice), "explode")
    with pytest.raises(mastodon.MastodonAPIError):
        mod.admin_account_moderate(_id(alice), "suspend", report_id=filed.id)
    assert mod.admin_account(_id(alice)).suspended is False
    assert mod.admin_report(filed.id).action_taken is False


def test_a_user_who_is_not_staff_gets_403(login):
    alice = login("alice")
    for call in (alice.admin_reports, lambda: alice.admin_account(_id(alice)),
                 lambda: alice.admin_account_moderate(_id(login("bob")), "suspend")):
        with pytest.raises(mastodon.MastodonAPIError) as refused:
            call()
        assert refused.value.args[1] == 403
    assert login("bob").account_verify_credentials().username == "bob"


def test_a_staff_token_without_admin_scopes_gets_403(login):
    plain = login("mod", scopes=["read", "write", "follow"])
    with pytest.raises(mastodon.MastodonAPIError) as refused:
        plain.admin_reports()
    assert refused.value.args[1] == 403
    reports_only = login("mod", scopes=["admin:read:reports"])
    assert isinstance(reports_only.admin_reports(), list)
    with pytest.raises(mastodon.MastodonAPIError) as refused:
        reports_only.admin_account_moderate(_id(login("erin")), "suspend")
    assert refused.value.args[1] == 403


# --- in process: what the decisions say ---------------------------------------------

@pytest.fixture
def staff(db, api):
    return api(factories.make_account("mira", admin=True),
               scopes="read write admin:read admin:write")


def test_an_action_on_a_report_grounds_the_decision_on_the_rules_it_names(staff, alice, bob):
    update_site_settings(rules="Be kind\nNo spam")
    case = services.report(bob, alice, category="violation", comment="He spams",
                           rule_ids=["2"])
    answer = staff.post(f"/api/v1/admin/accounts/{alice.pk}/action",
                        {"type": "silence", "report_id": str(case.pk), "text": "Spam."})
    assert answer.status_code == 200 and answer.json() == {}
    decision = Decision.objects.get(case=case)
    assert (decision.measure, decision.ground, decision.terms_ground, decision.explanation) == (
        Measure.LIMIT, Ground.TERMS, "No spam", "Spam.")
    assert "He spams" in decision.facts and "@alice" in decision.facts
    assert case.source == Source.REPORT


def test_an_action_without_a_report_opens_a_case_on_own_initiative(staff, alice):
    answer = staff.post(f"/api/v1/admin/accounts/{alice.pk}/action", {"type": "suspend"})
    assert answer.status_code == 200
    decision = Decision.objects.get(target_account=alice)
    assert decision.measure == Measure.SUSPEND and decision.terms_ground == "the server rules"
    assert decision.case.source == Source.OWN_INITIATIVE
    assert decision.case.status == Case.Status.DECIDED
    alice.refresh_from_db()
    assert alice.suspended_at is not None


def test_a_staff_account_cannot_be_acted_on(staff, db):
    other = factories.make_account("othermod", admin=True)
    answer = staff.post(f"/api/v1/admin/accounts/{other.pk}/action", {"type": "suspend"})
    assert answer.status_code == 403 and not Decision.objects.exists()


def test_a_removal_warning_names_its_posts_and_the_appeal(api, alice, bob):
    mira = factories.make_user("mira", admin=True)
    post = factories.make_post(alice, "buy followers")
    case = services.report(bob, alice, posts=[post], category="spam")
    decision = decisions.decide(case, Measure.REMOVE, by=mira, ground=Ground.TERMS,
                                terms_ground="No spam", explanation="Spam.",
                                facts="Reported by bob.")
    appeals.file_appeal(decision, "It was a joke.", account=alice)
    (row,) = api(alice).get("/api/v1/notifications",
                            {"types[]": "moderation_warning"}).json()
    assert row["type"] == "moderation_warning" and row["account"]["id"] == str(alice.pk)
    assert row["moderation_warning"] == {
        "id": str(decision.pk), "action": "delete_statuses", "text": "Spam.",
        "status_ids": [str(post.pk)], "target_account": row["account"],
        "appeal": {"text": "It was a joke.", "state": "pending"},
        "created_at": row["moderation_warning"]["created_at"]}
