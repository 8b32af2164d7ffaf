"""Clusters become incidents; moderators review, dismiss or act on them through
moderation (one case and statement of reasons per account); live incidents weigh
their accounts down in trends."""

from __future__ import annotations

import pytest

from rostra.accounts.models import Account
from rostra.integrity import incidents
from rostra.integrity.detect.records import CO_BOOST, CO_TEXT, Cluster
from rostra.integrity.models import Incident, IncidentMember
from rostra.moderation import appeals
from rostra.moderation.models import AuditEntry, Case, Category, Decision, Ground, Measure, Source
from rostra.posts import services as posts
from rostra.timelines.feeds.coordination import coordination_weight
from tests import factories

pytestmark = pytest.mark.django_db
ACT = {"explanation": "These accounts boosted the same posts within seconds, again and again, "
                      "to make a few posts look popular.",
       "facts": "Seen by the integrity detectors and checked by a moderator."}


@pytest.fixture
def mods():
    return factories.make_user("mod1", admin=True), factories.make_user("mod2", admin=True)


@pytest.fixture
def ring():
    """Four local accounts and a remote one, each with a boost of the same post."""
    target = factories.make_post(factories.make_account("newsdesk"),
                                 "The candidate said something.")
    accounts = [factories.make_account(f"amp{i}") for i in range(4)]
    accounts.append(Account.objects.create(username="amp", domain="far.example",
                                           uri="https://far.example/users/amp"))
    boosts = [posts.reblog(a, target) for a in accounts[:4]]
    return accounts, boosts, target


def cluster_of(accounts, evidence, behaviours=(CO_BOOST,), score=0.8) -> Cluster:
    ids = [str(a.pk) for a in accounts]
    return Cluster(accounts=ids, behaviours=list(behaviours), score=score,
                   evidence=[str(p.pk) for p in evidence], first_seen=1_767_000_000.0,
                   last_seen=1_767_000_600.0,
                   edges=[(ids[0], ids[i], 0.9 - i / 100, behaviours[0])
                          for i in range(1, len(ids))],
                   figures={behaviours[0]: {"ties": len(ids) - 1, "threshold": 0.3}})


def test_a_cluster_becomes_an_incident_with_members_evidence_instances_and_techniques(ring):
    accounts, boosts, _ = ring
    (incident,) = incidents.record_clusters([cluster_of(accounts, boosts)], election=False)
    assert incident.recorded_as == "new" and incident.status == Incident.Status.OPEN
    assert {m.account_id for m in incident.members.all()} == {a.pk for a in accounts}
    assert set(incident.evidence_posts.all()) == set(boosts)
    assert incident.instances == ["", "far.example"]
    assert incident.behaviours == [CO_BOOST]
    assert incident.techniques == ["T0049.003", "T0118"]
    assert incident.strength == 0.8 and incident.first_seen < incident.last_seen
    assert "Co-boosting by 5 accounts on 2 servers" == incident.title
    member = incident.members.get(account=accounts[1])
    assert member.behaviours == [CO_BOOST] and member.weight == 0.89
    assert member.evidence_count == 1
    assert len(incident.details["edges"]) == 4 and incident.details["figures"][CO_BOOST]


def test_a_second_overlapping_run_grows_the_same_incident(ring, make_post):
    accounts, boosts, _ = ring
    incidents.record_clusters([cluster_of(accounts[:4], boosts[:3])], election=False)
    newcomer = factories.make_account("amp9")
    texts = [make_post(a, "Vote early, the polls close at noon on Sunday!") for a in accounts[:2]]
    grown = cluster_of(accounts[1:] + [newcomer], boosts[1:] + texts,
                       behaviours=(CO_TEXT, CO_BOOST), score=0.9)
    (incident,) = incidents.record_clusters([grown], election=False)
    assert incident.recorded_as == "grown" and Incident.objects.count() == 1
    assert incident.members.count() == 6
    assert incident.evidence_posts.count() == len(boosts) + 2
    assert incident.behaviours == [CO_BOOST, CO_TEXT]
    assert "T0084.001" in incident.techniques and incident.strength == 0.9
    assert incident.details["runs"] == 2
    assert incident.members.get(account=accounts[1]).behaviours == [CO_BOOST, CO_TEXT]


def test_the_same_cluster_again_changes_nothing(ring):
    accounts, boosts, _ = ring
    incidents.record_clusters([cluster_of(accounts, boosts)], election=False)
    (again,) = incidents.record_clusters([cluster_of(accounts, boosts)], election=False)
    assert again.recorded_as == "unchanged" and Incident.objects.count() == 1
    assert IncidentMember.objects.count() == len(accounts)


def test_a_cluster_of_other_accounts_opens_another_incident(ring):
    accounts, boosts, _ = ring
    others = [factories.make_account(f"other{i}") for i in range(3)]
    found = incidents.record_clusters([cluster_of(accounts, boosts), cluster_of(others, [])],
                                      election=True)
    assert len(found) == 2 and Incident.objects.count() == 2
    assert all(i.election_mode for i in Incident.objects.all())


def test_unknown_accounts_and_non_public_posts_never_enter_an_incident(ring, make_post):
    accounts, boosts, _ = ring
    private = make_post(accounts[0], "for my followers only", visibility="private")
    direct = make_post(accounts[1], "@amp2 just us", visibility="direct")
    cluster = cluster_of(accounts, boosts + [private, direct])
    cluster.accounts.append("999999999")
    (incident,) = incidents.record_clusters([cluster], election=False)
    assert incident.members.count() == len(accounts)
    assert private not in incident.evidence_posts.all()
    assert direct not in incident.evidence_posts.all()
    assert incidents.record_clusters([cluster_of(accounts[:1], boosts)], election=False) == []


def test_a_cluster_like_a_dismissed_incident_comes_back_only_with_new_activity(ring, mods,
                                                                              make_post):
    accounts, boosts, _ = ring
    (first,) = incidents.record_clusters([cluster_of(accounts, boosts)], election=False)
    incidents.dismiss(first, by=mods[0], reason="A fan club boosting its band's tour dates.")
    (same,) = incidents.record_clusters([cluster_of(accounts, boosts)], election=False)
    assert same.pk == first.pk and same.recorded_as == "unchanged"
    fresh = make_post(accounts[0], "New tour date announced for the spring in Lyon")
    (later,) = incidents.record_clusters([cluster_of(accounts, boosts + [fresh])],
                                         election=False)
    assert later.pk != first.pk and later.recorded_as == "new"
    assert later.details["previous_incident"] == first.pk


def test_dismissing_needs_a_reason_and_goes_to_the_audit_log(ring, mods):
    accounts, boosts, _ = ring
    (incident,) = incidents.record_clusters([cluster_of(accounts, boosts)], election=False)
    with pytest.raises(incidents.IncidentError):
        incidents.dismiss(incident, by=mods[0], reason="  ")
    incidents.start_review(incident, by=mods[0])
    assert Incident.objects.get().status == Incident.Status.REVIEWING
    incidents.dismiss(incident, by=mods[0], reason="Breaking news: everyone boosted it.")
    incident.refresh_from_db()
    assert incident.status == Incident.Status.DISMISSED
    assert incident.details["dismissal"]["reason"] == "Breaking news: everyone boosted it."
    actions = list(AuditEntry.objects.filter(actor=mods[0]).values_list("action", flat=True))
    assert {"incident.review_started", "incident.dismissed"} <= set(actions)
    with pytest.raises(incidents.IncidentError):
        incidents.act(incident, accounts[:1], Measure.SUSPEND, by=mods[0], **ACT)


def test_acting_opens_one_case_per_account_each_with_its_own_statement_of_reasons(ring, mods):
    accounts, boosts, _ = ring
    (incident,) = incidents.record_clusters([cluster_of(accounts, boosts)], election=False)
    taken = incidents.act(incident, accounts[:3], Measure.LIMIT, by=mods[0], **ACT)
    assert len(taken) == 3 and Case.objects.count() == 3
    for decision, account in zip(taken, accounts[:3], strict=True):
        case = decision.case
        assert case.category == Category.ELECTIONS and case.source == Source.OWN_INITIATIVE
        assert case.target_account == account and case.evidence["incident"] == incident.pk
        assert decision.measure == Measure.LIMIT and decision.ground == Ground.TERMS
        assert decision.terms_ground == incidents.INAUTHENTIC_RULE
        assert decision.category == Category.ELECTIONS and decision.automated_detection
        assert f"@{account.acct}" in decision.facts and ACT["facts"] in decision.facts
        account.refresh_from_db()
        assert account.limited_at is not None
    accounts[3].refresh_from_db()
    assert accounts[3].limited_at is None
    incident.refresh_from_db()
    assert incident.status == Incident.Status.ACTIONED and incident.case_id == taken[0].case_id
    assert AuditEntry.objects.filter(action="incident.actioned").count() == 1


def test_acting_is_all_or_nothing(ring, mods, bob):
    accounts, boosts, _ = ring
    (incident,) = incidents.record_clusters([cluster_of(accounts, boosts)], election=False)
    with pytest.raises(incidents.IncidentError):
        incidents.act(incident, [accounts[0], bob], Measure.SUSPEND, by=mods[0], **ACT)
    with pytest.raises(incidents.IncidentError):  # only moderators decide
        incidents.act(incident, accounts[:2], Measure.SUSPEND,
                      by=factories.make_user("nobody"), **ACT)
    with pytest.raises(incidents.IncidentError):  # the remote account has no evidence post
        incidents.act(incident, accounts[3:], Measure.LABEL, by=mods[0], label="Coordinated",
                      **ACT)
    assert Case.objects.count() == 0 and Decision.objects.count() == 0
    assert Account.objects.filter(suspended_at__isnull=False).count() == 0


def test_a_label_lands_on_the_accounts_evidence_posts(ring, mods):
    accounts, boosts, _ = ring
    (incident,) = incidents.record_clusters([cluster_of(accounts, boosts)], election=False)
    (decision,) = incidents.act(incident, accounts[:1], Measure.LABEL, by=mods[0],
                                label="Part of a coordinated network", **ACT)
    assert list(decision.target_posts.all()) == [boosts[0]]
    boosts[0].refresh_from_db()
    assert boosts[0].label == "Part of a coordinated network"


def test_a_suspension_from_an_incident_is_reversed_by_the_appeal_path(ring, mods):
    accounts, boosts, _ = ring
    (incident,) = incidents.record_clusters([cluster_of(accounts, boosts)], election=False)
    (decision,) = incidents.act(incident, accounts[:1], Measure.SUSPEND, by=mods[0], **ACT)
    accounts[0].refresh_from_db()
    assert accounts[0].suspended_at is not None
    appeal = appeals.file_appeal(decision, "I am a real person who liked that post.",
                                 account=accounts[0])
    appeals.review(appeal, by=mods[1], reverse=True, response="A real person; reinstated.")
    accounts[0].refresh_from_db()
    assert accounts[0].suspended_at is None


def test_accounts_of_live_incidents_weigh_less_in_trends_until_dismissed(ring, mods, bob):
    accounts, boosts, _ = ring
    (incident,) = incidents.record_clusters([cluster_of(accounts, boosts)], election=False)
    ids = {a.pk for a in accounts} | {bob.pk}
    weights = coordination_weight(ids)
    assert weights[bob.pk] == 1.0
    assert all(weights[a.pk] == pytest.approx(0.2) for a in accounts)  # five count as one
    incidents.act(incident, accounts[:1], Measure.LIMIT, by=mods[0], **ACT)
    assert coordination_weight(ids)[accounts[2].pk] == pytest.approx(0.2)  # acted on: still
    (other,) = incidents.record_clusters(
        [cluster_of([bob, factories.make_account("friend")], [], score=0.3)], election=False)
    assert coordination_weight({bob.pk})[bob.pk] == pytest.approx(0.7)  # a weak incident
    incidents.dismiss(other, by=mods[0], reason="Friends who share each other's posts.")
    assert coordination_weight({bob.pk})[bob.pk] == 1.0
