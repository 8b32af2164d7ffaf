"""Decisions act on posts and accounts, each explained by a statement of reasons;
appeals reviewed by another moderator undo them exactly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from rostra.accounts.models import User
from rostra.moderation import appeals, decisions, services
from rostra.moderation.models import Appeal, AuditEntry, Case, Category, Decision, Ground, Measure
from rostra.notifications.models import Notification
from rostra.posts import services as posts
from rostra.posts.errors import PostError
from rostra.posts.models import Post
from rostra.posts.visibility import can_see, visible_posts
from rostra.timelines import services as timelines
from rostra.timelines.pagination import Page
from tests import factories

pytestmark = pytest.mark.django_db
BASE = "http://localhost:8000"
ILLEGAL = {"ground": Ground.ILLEGAL, "legal_ground": "Art. 2 Directive 2011/93/EU",
           "explanation": "The image shows a child in sexual abuse.",
           "facts": "A notice pointed to the image; a moderator confirmed it."}
TERMS = {"ground": Ground.TERMS, "terms_ground": "Rule 3: no spam",
         "explanation": "The post advertises bought followers.",
         "facts": "Posted 40 times in an hour to strangers."}


@pytest.fixture
def mods():
    return factories.make_user("mod1", admin=True), factories.make_user("mod2", admin=True)


def notice_about(post, category=Category.SPAM, email="ana@example.org"):
    return services.file_notice(content_url=f"{BASE}/@{post.account.username}/{post.pk}",
                                category=category, explanation="Look at this.", name="Ana",
                                email=email, good_faith=True)


def test_removal_hides_the_post_from_everyone_and_tells_the_author_why(
        alice, bob, mods, django_capture_on_commit_callbacks):
    post = factories.make_post(alice, "Buy followers now")
    case = notice_about(post)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decision = decisions.decide(case, Measure.REMOVE, by=mods[0], **TERMS)
    post.refresh_from_db()
    assert post.removed_at is not None
    for viewer in (None, bob, alice):
        assert not can_see(viewer, post)
        assert post not in visible_posts(viewer)
    assert post.pk not in [p.pk for p in timelines.local(None, Page(limit=20))]
    case.refresh_from_db()
    assert case.status == Case.Status.DECIDED and case.decided_at is not None
    warning = Notification.objects.get(account=alice, type="moderation_warning")
    assert warning.warning_id == decision.pk
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [f"A decision about your account ({case.number})",
                        f"The outcome of your notice {case.number}"]
    to_alice = next(m for m in mail.outbox if m.to == [alice.user.email])
    assert "Rule 3: no spam" in to_alice.body and f"/statements/{decision.pk}" in to_alice.body
    assert AuditEntry.objects.filter(action="decision.taken", case=case).exists()


def test_a_restrictive_decision_needs_its_ground_and_facts(alice, mods):
    case = notice_about(factories.make_post(alice))
    for missing, field in (("ground", "ground"), ("legal_ground", "legal_ground"),
                           ("facts", "facts"), ("explanation", "explanation")):
        given = {k: v for k, v in ILLEGAL.items() if k != missing}
        with pytest.raises(services.NoticeError) as refused:
            decisions.decide(case, Measure.REMOVE, by=mods[0], **given)
        assert refused.value.field == field
    assert not Decision.objects.exists() and Case.objects.get().status == Case.Status.OPEN
    with pytest.raises(services.NoticeError):
        decisions.decide(case, Measure.SUSPEND, by=mods[0], territorial_scope=["US"], **ILLEGAL)
    with pytest.raises(services.NoticeError):
        decisions.decide(case, Measure.REMOVE, by=factories.make_user("nobody"), **ILLEGAL)


def test_each_post_measure_does_what_it_says(alice, bob, mods):
    made = {m: factories.make_post(alice, f"post {m}") for m in (
        Measure.DEMOTE, Measure.AGE_RESTRICT, Measure.MARK_SENSITIVE, Measure.LABEL,
        Measure.RESTRICT_INTERACTIONS)}
    for measure, post in made.items():
        decisions.decide(notice_about(post), measure, by=mods[0], label="Disputed claim",
                         **TERMS)
    demoted = Post.objects.get(pk=made[Measure.DEMOTE].pk)
    assert demoted.demoted and can_see(None, demoted)
    public_ids = [p.pk for p in timelines.public(None, Page(limit=40))]
    assert demoted.pk not in public_ids and made[Measure.LABEL].pk in public_ids
    aged = Post.objects.get(pk=made[Measure.AGE_RESTRICT].pk)
    assert not can_see(None, aged) and can_see(bob, aged)
    assert Post.objects.get(pk=made[Measure.MARK_SENSITIVE].pk).sensitive
    assert Post.objects.get(pk=made[Measure.LABEL].pk).label == "Disputed claim"
    closed = Post.objects.get(pk=made[Measure.RESTRICT_INTERACTIONS].pk)
    for act in (posts.favourite, posts.reblog):
        with pytest.raises(PostError):
            act(bob, closed)
    with pytest.raises(PostError):
        posts.create_post(bob, "a reply", in_reply_to=closed)
    posts.favourite(alice, closed)  # its author still can


def test_suspension_hides_the_account_and_an_appeal_restores_it_exactly(alice, bob, mods):
    post = factories.make_post(alice, "hello")
    case = services.report(bob, alice, posts=[post], category="violation", comment="abuse")
    decision = decisions.decide(case, Measure.SUSPEND, by=mods[0], **TERMS)
    alice.refresh_from_db()
    assert alice.suspended_at is not None and not can_see(bob, post)
    with pytest.raises(PostError):
        posts.create_post(alice, "still here?")
    appeal = appeals.file_appeal(decision, "I did nothing wrong.", account=alice)
    assert appeal.role == Appeal.Role.AFFECTED
    with pytest.raises(services.NoticeError):  # the same moderator cannot review it
        appeals.review(appeal, by=mods[0], reverse=True, response="Fair.")
    appeals.review(appeal, by=mods[1], reverse=True, response="The report was mistaken.")
    alice.refresh_from_db()
    assert alice.suspended_at is None and can_see(bob, post)
    decision.refresh_from_db()
    assert decision.reversed_at is not None and not decision.in_force


def test_a_reversal_restores_a_removed_post_exactly(alice, bob, mods,
                                                   django_capture_on_commit_callbacks):
    post = factories.make_post(alice, "My holiday photo", sensitive=False)
    snapshot = {f.attname: getattr(post, f.attname) for f in Post._meta.concrete_fields}
    case = notice_about(post, Category.INTIMATE_IMAGES)
    decision = decisions.decide(case, Measure.REMOVE, by=mods[0], **ILLEGAL)
    appeal = appeals.file_appeal(decision, "This is my own photo of a beach.", account=alice)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appeals.review(appeal, by=mods[1], reverse=True, response="It is a landscape.")
    post.refresh_from_db()
    assert {f.attname: getattr(post, f.attname) for f in Post._meta.concrete_fields} == snapshot
    assert can_see(bob, post) and can_see(None, post)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.user.email, "ana@example.org"])
    assert all("reversed" in m.body for m in mail.outbox)


def test_a_reversal_keeps_a_later_measure_on_the_same_post(alice, mods):
    post = factories.make_post(alice, "claim")
    first = decisions.decide(notice_about(post), Measure.LABEL, by=mods[0], label="Disputed",
                             **TERMS)
    decisions.decide(notice_about(post), Measure.REMOVE, by=mods[0], **TERMS)
    appeal = appeals.file_appeal(first, "The label is wrong.", account=alice)
    appeals.review(appeal, by=mods[1], reverse=True, response="Label removed.")
    post.refresh_from_db()
    assert post.label == "" and post.removed_at is not None


def test_the_notifier_can_appeal_a_decision_not_to_act_which_reopens_the_case(alice, mods):
    post = factories.make_post(alice, "a scam link")
    case = notice_about(post, Category.SCAM)
    decision = decisions.decide(case, Measure.NONE, by=mods[0],
                                explanation="The link goes to a real bank.")
    with pytest.raises(services.NoticeError):  # the author is not affected by no action
        appeals.file_appeal(decision, "fine by me", account=alice)
    appeal = appeals.file_appeal(decision, "The bank's domain is misspelt.",
                                 receipt=case.receipt)
    assert appeal.role == Appeal.Role.NOTIFIER
    appeals.review(appeal, by=mods[1], reverse=True, response="You are right; we look again.")
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN and case in services.queue()


def test_an_appeal_after_six_months_is_refused(alice, mods):
    case = notice_about(factories.make_post(alice))
    decision = decisions.decide(case, Measure.REMOVE, by=mods[0], **TERMS)
    Decision.objects.filter(pk=decision.pk).update(
        created_at=timezone.now() - timedelta(days=190))
    decision.refresh_from_db()
    with pytest.raises(services.NoticeError):
        appeals.file_appeal(decision, "too late", account=alice)
    assert not Appeal.objects.exists()


def test_a_temporary_suspension_ends_by_itself(alice, mods):
    case = services.report(factories.make_account("zed"), alice, category="spam")
    decision = decisions.decide(case, Measure.SUSPEND, by=mods[0],
                                ends_at=timezone.now() + timedelta(days=7), **TERMS)
    alice.refresh_from_db()
    assert alice.suspended_until == decision.ends_at
    assert decisions.end_lapsed_measures() == 0
    Decision.objects.filter(pk=decision.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    assert decisions.end_lapsed_measures() == 1
    alice.refresh_from_db()
    assert alice.suspended_at is None and alice.suspended_until is None
    assert Decision.objects.get(pk=decision.pk).ended_at is not None


def test_termination_freezes_the_log_in_and_an_appeal_thaws_it(alice, mods):
    case = services.report(factories.make_account("zed"), alice, category="spam")
    decision = decisions.decide(case, Measure.TERMINATE, by=mods[0], **ILLEGAL)
    assert not User.objects.get(account=alice).is_active
    appeal = appeals.file_appeal(decision, "Please look again.", account=alice)
    appeals.review(appeal, by=mods[1], reverse=False, response="The decision stands.")
    assert not User.objects.get(account=alice).is_active
    assert Appeal.objects.get().status == Appeal.Status.UPHELD
    second = appeals.file_appeal(decision, "Once more.", account=alice)
    appeals.review(second, by=mods[1], reverse=True, response="Reinstated.")
    user = User.objects.get(account=alice)
    alice.refresh_from_db()
    assert user.is_active and alice.suspended_at is None and alice.terminated_at is None


def test_limit_keeps_the_account_visible_but_out_of_discovery(alice, bob, mods):
    post = factories.make_post(alice, "limited voice #tag")
    case = services.report(bob, alice, category="spam")
    decisions.decide(case, Measure.LIMIT, by=mods[0], **TERMS)
    assert can_see(bob, post)
    assert post.pk not in [p.pk for p in timelines.public(bob, Page(limit=40))]
    assert post.pk not in [p.pk for p in timelines.tag(bob, "tag", Page(limit=40))]
