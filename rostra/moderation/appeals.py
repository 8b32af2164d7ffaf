"""Appeals (Art. 20 DSA): the account a decision affected, or the person whose
notice led to it, asks for a review within six months; a moderator other than the
one who decided reviews it. A reversal undoes the decision exactly (a decision not
to act is reversed by reopening the case) and everyone involved is told."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rostra.accounts.models import Account, User
from rostra.core.links import absolute_url
from rostra.moderation import events
from rostra.moderation.decisions import (
    APPEAL_WINDOW,
    statement_url,
    undo,
    write_to_holder,
    write_to_notifier,
)
from rostra.moderation.models import Appeal, Case, Decision, Measure
from rostra.moderation.services import MAX_EXPLANATION, NoticeError, audit
from rostra.notifications.services import notify_moderation


def roles_of(decision: Decision, account: Account | None, receipt=None) -> list[str]:
    """How ``account`` (or whoever holds the case's ``receipt``) may appeal ``decision``."""
    case = decision.case
    roles = []
    if (account is not None and decision.restrictive
            and decision.target_account_id == account.pk and account.local):
        roles.append(Appeal.Role.AFFECTED)
    if ((account is not None and case.notifier_id == account.pk)
            or (receipt is not None and str(receipt) == str(case.receipt))):
        roles.append(Appeal.Role.NOTIFIER)
    return roles


def can_appeal(decision: Decision, role: str) -> bool:
    """Is the window open and nothing pending for ``role``?"""
    if decision.reversed_at is not None:
        return False
    if timezone.now() > decision.created_at + APPEAL_WINDOW:
        return False
    return not decision.appeals.filter(role=role, status=Appeal.Status.PENDING).exists()


def file_appeal(decision: Decision, text: str, *, account: Account | None = None,
                receipt=None) -> Appeal:
    """Appeal ``decision`` as its affected account or as the notifier (by account, or
    by the notice's ``receipt`` when they have no account). Raises ``NoticeError``."""
    roles = roles_of(decision, account, receipt)
    if not roles:
        raise NoticeError(_("Only the account a decision is about, or whoever sent the "
                            "notice, can appeal it."))
    role = roles[0]
    text = (text or "").strip()
    if not text:
        raise NoticeError(_("Say why the decision should change."), "text")
    if len(text) > MAX_EXPLANATION:
        raise NoticeError(_("Appeals are limited to %(limit)s characters.")
                          % {"limit": MAX_EXPLANATION}, "text")
    if decision.reversed_at is not None:
        raise NoticeError(_("This decision has already been reversed."))
    if timezone.now() > decision.created_at + APPEAL_WINDOW:
        raise NoticeError(_("The six months to appeal this decision have passed."))
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(decision=decision, role=role, account=account,
                                           text=text)
            # Back to the queue, first in its category: an appeal is a case to review.
            audit(None, "appeal.filed", decision.case, decision=decision.pk, appeal=appeal.pk,
                  role=role)
    except IntegrityError:
        raise NoticeError(_("An appeal of this decision is already under review.")) from None
    return appeal


def pending():
    """Appeals waiting for a review, the oldest first."""
    return (Appeal.objects.filter(status=Appeal.Status.PENDING)
            .select_related("decision__case", "decision__decided_by", "account")
            .order_by("created_at", "pk"))


def review(appeal: Appeal, *, by: User, reverse: bool, response: str) -> Appeal:
    """Uphold or reverse the decision appealed (``by``: a moderator other than the
    one who decided). A reversal undoes the measure, or reopens the case when the
    decision was not to act. Raises ``NoticeError``."""
    response = (response or "").strip()
    if not by.is_staff:
        raise NoticeError(_("Only moderators review appeals."))
    if appeal.status != Appeal.Status.PENDING:
        raise NoticeError(_("This appeal has already been reviewed."))
    decision = appeal.decision
    if decision.decided_by_id is not None and decision.decided_by_id == by.pk:
        raise NoticeError(_("Another moderator must review an appeal of your own decision."))
    if not response:
        raise NoticeError(_("Explain the outcome to the people concerned."), "response")
    if len(response) > MAX_EXPLANATION:
        raise NoticeError(_("The response is limited to %(limit)s characters.")
                          % {"limit": MAX_EXPLANATION},
                          "response")
    now = timezone.now()
    with transaction.atomic():
        status = Appeal.Status.REVERSED if reverse else Appeal.Status.UPHELD
        updated = Appeal.objects.filter(pk=appeal.pk, status=Appeal.Status.PENDING).update(
            status=status, reviewer=by, response=response, decided_at=now)
        if not updated:
            raise NoticeError(_("This appeal has already been reviewed."))
        appeal.status, appeal.reviewer, appeal.response, appeal.decided_at = (
            status, by, response, now)
        if reverse:
            _reverse(decision, now)
            # Other appeals of the same decision are settled by the reversal.
            Appeal.objects.filter(decision=decision, status=Appeal.Status.PENDING).update(
                status=Appeal.Status.REVERSED, reviewer=by, response=response, decided_at=now)
        audit(by, "appeal.reversed" if reverse else "appeal.upheld", decision.case,
              decision=decision.pk, appeal=appeal.pk)
        account = decision.target_account
        if account is not None and account.local and decision.restrictive:
            notify_moderation(account, decision.pk)
        transaction.on_commit(lambda: _tell_outcome(appeal))
        if reverse:
            transaction.on_commit(lambda: events.decision_reversed.send(
                Decision, decision=decision, appeal=appeal))
    return appeal


def _reverse(decision: Decision, now) -> None:
    if decision.measure == Measure.NONE:
        Case.objects.filter(pk=decision.case_id).update(status=Case.Status.OPEN,
                                                        decided_at=None)
    elif decision.in_force:
        undo(decision)
    Decision.objects.filter(pk=decision.pk).update(reversed_at=now)
    decision.reversed_at = now


def _tell_outcome(appeal: Appeal) -> None:
    """E-mail the affected account and the notifier what the review found, each in
    their own language."""
    decision = appeal.decision
    case = decision.case

    def outcome() -> str:
        if appeal.status != Appeal.Status.REVERSED:
            text = _("The decision was upheld.")
        elif decision.measure == Measure.NONE:
            text = _("The decision was reversed: the case is open again and will be decided "
                     "anew.")
        else:
            text = _("The decision was reversed: what it changed is restored.")
        return f"{text}\n\n{appeal.response}\n"

    def to_account() -> tuple[str, str]:
        statement = _("The statement of reasons: %(url)s") % {"url": statement_url(decision)}
        return (_("Your appeal (%(number)s): %(outcome)s")
                % {"number": case.number, "outcome": appeal.get_status_display().lower()},
                f"{outcome()}\n{statement}\n")

    def to_notifier() -> tuple[str, str]:
        follow = (_("Follow your notice: %(url)s")
                  % {"url": absolute_url(f"/notices/{case.receipt}")})
        return (_("Review of the decision on your notice %(number)s") % {"number": case.number},
                f"{outcome()}\n{follow}\n")

    account = decision.target_account
    if account is not None and account.local and decision.restrictive:
        write_to_holder(account, to_account)
    write_to_notifier(case, to_notifier)
