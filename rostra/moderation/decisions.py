"""Decisions on cases, each with its statement of reasons (Art. 17 DSA).

A decision acts through the services below moderation (``posts.restrictions``,
``accounts.sanctions``), records what each measure changed (``Decision.effects``),
tells the account it affects (a notification, an e-mail, the statement page) and
the person whose notice opened the case (the outcome and how to appeal), and can
be undone exactly: by an appeal (``appeals``) or when a temporary measure ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core import signing
from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rostra.accounts import sanctions
from rostra.accounts.models import Account, User
from rostra.core import mail
from rostra.core.links import absolute_url
from rostra.moderation import events, territories
from rostra.moderation.models import (
    ACCOUNT_MEASURES,
    POST_MEASURES,
    Automation,
    Case,
    Decision,
    Ground,
    Measure,
    Source,
)
from rostra.moderation.services import MAX_EXPLANATION, NoticeError, audit
from rostra.notifications.services import notify_moderation
from rostra.posts import restrictions
from rostra.posts.models import Post

APPEAL_WINDOW = timedelta(days=183)  # six months (Art. 20(1) DSA)
MAX_GROUND = 500
# Where people can take a dispute outside this server (Art. 21 DSA): the list of
# certified out-of-court dispute settlement bodies the Commission keeps.
DISPUTE_BODIES_URL = "https://digital-strategy.ec.europa.eu/en/policies/dsa-out-court-dispute-settlement"

MEASURE_LINES = {
    Measure.NONE: gettext_lazy("We decided not to act on the content."),
    Measure.REMOVE: gettext_lazy("We removed the content."),
    Measure.DISABLE: gettext_lazy("We disabled access to the content."),
    Measure.DEMOTE: gettext_lazy("We restricted the content's visibility: it no longer "
                                 "appears in public timelines, trends or search."),
    Measure.AGE_RESTRICT: gettext_lazy("We age-restricted the content: visitors who are not "
                                       "signed in no longer see it."),
    Measure.MARK_SENSITIVE: gettext_lazy("We marked the content as sensitive: its media show "
                                         "behind a warning."),
    Measure.LABEL: gettext_lazy("We labelled the content."),
    Measure.RESTRICT_INTERACTIONS: gettext_lazy("We turned off replies, boosts and likes on the "
                                                "content."),
    Measure.SUSPEND: gettext_lazy("We suspended the account."),
    Measure.LIMIT: gettext_lazy("We limited the account: its posts no longer appear in public "
                                "timelines, trends or search, and it is not suggested to "
                                "others."),
    Measure.SENSITIZE: gettext_lazy("We put all the account's media behind a warning."),
    Measure.DISABLE_LOGIN: gettext_lazy("We froze the account's log-in."),
    Measure.TERMINATE: gettext_lazy("We terminated the account."),
}


def _post_changes(decision: Decision) -> dict:
    return {
        Measure.REMOVE: {"removed": True},
        Measure.DISABLE: {"removed": True},
        Measure.DEMOTE: {"demoted": True},
        Measure.AGE_RESTRICT: {"age_restricted": True},
        Measure.MARK_SENSITIVE: {"sensitive": True},
        Measure.LABEL: {"label": decision.label},
        Measure.RESTRICT_INTERACTIONS: {"interactions_restricted": True},
    }[decision.measure]


def _account_changes(decision: Decision, now: datetime) -> dict:
    return {
        Measure.SUSPEND: {"suspended_at": now, "suspended_until": decision.ends_at},
        Measure.LIMIT: {"limited_at": now},
        Measure.SENSITIZE: {"sensitized_at": now},
        Measure.DISABLE_LOGIN: {"login_disabled": True},
        Measure.TERMINATE: {"suspended_at": now, "suspended_until": None, "terminated_at": now,
                            "login_disabled": True},
    }[decision.measure]


def decide(case: Case, measure: str, *, by: User | None, explanation: str = "", ground: str = "",
           legal_ground: str = "", terms_ground: str = "", facts: str = "",
           posts: Sequence[Post] | None = None, label: str = "",
           territorial_scope: Sequence[str] = (), ends_at: datetime | None = None,
           automated_detection: bool | None = None,
           automated_decision: str = Automation.NOT, send_flag: bool = False,
           warn: bool = False, keep_open: bool = False) -> Decision:
    """Decide ``case`` (open) with ``measure``; return the decision.

    A restrictive measure needs a ground (``illegal`` with the law, or ``terms``
    with the rule), an explanation and the facts; a post measure acts on ``posts``
    (by default the case's posts), an account measure on the case's account.
    ``ends_at`` makes it temporary. ``by`` is the moderator (a staff user), or None
    for a fully automated decision. ``warn`` tells the account of a decision not to
    act too (a warning). ``keep_open`` leaves the case in the queue (an automated
    provisional measure that a moderator must still review). Raises ``NoticeError``."""
    if measure not in Measure.values:
        raise NoticeError(_("Choose a measure."), "measure")
    if case.status != Case.Status.OPEN:
        raise NoticeError(_("This case is already decided."), "measure")
    if by is not None and not by.is_staff:
        raise NoticeError(_("Only moderators decide cases."), "measure")
    if by is None and automated_decision != Automation.FULLY:
        raise NoticeError(_("A decision without a moderator is a fully automated one."))
    explanation, facts = (explanation or "").strip(), (facts or "").strip()
    legal_ground, terms_ground = (legal_ground or "").strip(), (terms_ground or "").strip()
    label = (label or "").strip()
    _check_text(explanation=explanation, facts=facts, legal_ground=legal_ground,
                terms_ground=terms_ground)
    if not explanation:
        raise NoticeError(_("Explain the decision: the people it concerns will read it."),
                          "explanation")
    restrictive = measure != Measure.NONE
    if restrictive:
        if ground not in Ground.values:
            raise NoticeError(_("Give the ground: a law, or a rule of this server."), "ground")
        if ground == Ground.ILLEGAL and not legal_ground:
            raise NoticeError(_("Name the law the content breaks."), "legal_ground")
        if ground == Ground.TERMS and not terms_ground:
            raise NoticeError(_("Name the rule the content breaks."), "terms_ground")
        if not facts:
            raise NoticeError(_("State the facts and circumstances you relied on."), "facts")
    else:
        ground = ""
    if measure == Measure.LABEL and not label:
        raise NoticeError(_("Write the label."), "label")
    if len(label) > 200:
        raise NoticeError(_("Labels are limited to 200 characters."), "label")
    now = timezone.now()
    if ends_at is not None and (ends_at <= now or measure in (Measure.NONE, Measure.TERMINATE)):
        raise NoticeError(_("A temporary measure ends in the future (termination is final)."),
                          "ends_at")
    try:
        scope = territories.normalise(territorial_scope)
    except ValueError as exc:
        raise NoticeError(str(exc), "territorial_scope") from None
    if posts is None:
        posts = list(case.target_posts.select_related("account"))
    posts = list(posts)
    account = case.target_account
    if measure in POST_MEASURES and not posts and not case.media.exists():
        raise NoticeError(_("This measure acts on posts, and the case has none."), "measure")
    if measure in POST_MEASURES and any(p.account_id != (account.pk if account else p.account_id)
                                        for p in posts):
        raise NoticeError(_("The posts must be the case's account's."), "posts")
    if measure in ACCOUNT_MEASURES and account is None:
        raise NoticeError(_("This measure acts on an account, and the case has none."), "measure")
    if account is None and posts:
        account = posts[0].account
    if automated_detection is None:
        automated_detection = case.source == Source.AUTOMATED
    with transaction.atomic():
        decision = Decision.objects.create(
            case=case, measure=measure, target_account=account, ground=ground,
            legal_ground=legal_ground, terms_ground=terms_ground, explanation=explanation,
            facts=facts, category=case.category, label=label, territorial_scope=scope,
            starts_at=now, ends_at=ends_at, automated_detection=automated_detection,
            automated_decision=automated_decision,
            send_flag=send_flag and account is not None and not account.local,
            decided_by=by, created_at=now)
        if measure in POST_MEASURES:
            decision.target_posts.set(posts)
        decision.effects = _apply(decision, posts, account, now)
        Decision.objects.filter(pk=decision.pk).update(effects=decision.effects)
        if not keep_open:
            Case.objects.filter(pk=case.pk).update(status=Case.Status.DECIDED, decided_at=now)
            case.status, case.decided_at = Case.Status.DECIDED, now
        audit(by, "decision.taken", case, decision=decision.pk, measure=measure,
              ground=ground, posts=[p.pk for p in posts] if measure in POST_MEASURES else [],
              account=account.acct if account else None,
              ends_at=ends_at.isoformat() if ends_at else None)
        told = (restrictive or warn) and account is not None and account.local
        if told:
            notify_moderation(account, decision.pk)
        if ends_at is not None:
            from rostra.moderation.tasks import end_measure

            transaction.on_commit(
                lambda: end_measure.using(run_after=ends_at).enqueue(decision.pk))
        transaction.on_commit(lambda: _tell_parties(decision, told))
        transaction.on_commit(lambda: events.decision_taken.send(Decision, decision=decision))
    return decision


def _check_text(**values: str) -> None:
    for name, value in values.items():
        limit = MAX_GROUND if name.endswith("ground") else MAX_EXPLANATION
        if len(value) > limit:
            raise NoticeError(_("This text is limited to %(limit)s characters.")
                              % {"limit": limit}, name)


def _apply(decision: Decision, posts: Sequence[Post], account: Account | None,
           now: datetime) -> dict:
    """Apply the measure; return ``effects``: before and after, per post and account."""
    effects: dict = {}
    if decision.measure in POST_MEASURES:
        changes = _post_changes(decision)
        effects["posts"] = {}
        for post in posts:
            before = restrictions.restrict(post, **changes)
            after = {name: restrictions.plain(getattr(post, name)) for name in before}
            effects["posts"][str(post.pk)] = {"before": before, "after": after}
    elif decision.measure in ACCOUNT_MEASURES:
        changes = _account_changes(decision, now)
        before = sanctions.sanction(account, **changes)
        after = {name: sanctions.plain(value) for name, value in changes.items()}
        effects["account"] = {"before": before, "after": after}
    return effects


def undo(decision: Decision) -> None:
    """Put back what ``decision`` changed, field by field, where the field still holds
    what the decision set (a later decision's measure stays)."""
    effects = decision.effects or {}
    for post_id, change in (effects.get("posts") or {}).items():
        post = Post.objects.filter(pk=int(post_id)).select_related("account").first()
        if post is None:
            continue
        now = {name: restrictions.plain(getattr(post, name)) for name in change["after"]}
        back = {name: value for name, value in change["before"].items()
                if now.get(name) == change["after"].get(name)}
        if back:
            restrictions.restore(post, back)
    change = effects.get("account")
    if change and decision.target_account_id:
        account = Account.objects.filter(pk=decision.target_account_id).first()
        if account is not None:
            current = sanctions.current(account, change["after"])
            back = {name: value for name, value in change["before"].items()
                    if current.get(name) == change["after"].get(name)}
            if back:
                sanctions.restore(account, back)


def in_force(account: Account, measure: str):
    """Decisions with ``measure`` on ``account`` still in force, newest first."""
    return Decision.objects.filter(target_account=account, measure=measure,
                                   reversed_at__isnull=True, ended_at__isnull=True)


@transaction.atomic
def lift(account: Account, measure: str, *, by: User) -> int:
    """Moderators end ``measure`` on ``account`` early (e.g. Mastodon's unsuspend):
    every such decision in force is undone and marked ended. Returns how many."""
    if not by.is_staff:
        raise NoticeError(_("Only moderators lift measures."))
    lifted = 0
    for decision in in_force(account, measure).select_for_update():
        undo(decision)
        Decision.objects.filter(pk=decision.pk).update(ended_at=timezone.now())
        audit(by, "decision.lifted", decision.case, decision=decision.pk)
        lifted += 1
    return lifted


@transaction.atomic
def end_measure(decision_id: int) -> bool:
    """A temporary measure reached its end: undo it (once). Returns whether it ended."""
    decision = Decision.objects.select_for_update().filter(pk=decision_id).first()
    if decision is None or not decision.in_force or decision.ends_at is None:
        return False
    if decision.ends_at > timezone.now():
        return False
    undo(decision)
    Decision.objects.filter(pk=decision.pk).update(ended_at=timezone.now())
    audit(None, "decision.ended", decision.case, decision=decision.pk)
    return True


def end_lapsed_measures() -> int:
    """End every temporary measure whose time is up (the worker's safety net)."""
    due = Decision.objects.filter(ends_at__lte=timezone.now(), ended_at__isnull=True,
                                  reversed_at__isnull=True).values_list("pk", flat=True)
    return sum(end_measure(pk) for pk in list(due))


def statement_lines(decision: Decision) -> dict:
    """The statement of reasons in words, for its page, its e-mail and the export, in
    the active language (the reader's: see ``_tell_parties``)."""
    case = decision.case
    if case.source in (Source.OWN_INITIATIVE, Source.AUTOMATED):
        origin = _("We acted on our own initiative.")
    elif case.source == Source.FEDERATION:
        origin = _("We acted on a report another server sent us.")
    elif case.source == Source.TRUSTED_FLAGGER:
        origin = _("We acted on a notice we received from a trusted flagger.")
    else:
        origin = _("We acted on a notice we received.")
    detection = (_("Automated means detected the content.") if decision.automated_detection
                 else _("No automated means detected the content."))
    automation = {Automation.NOT: _("A moderator took the decision."),
                  Automation.PARTIALLY: _("A moderator took the decision with automated help."),
                  Automation.FULLY: _("The decision was taken by automated means.")}
    if decision.ground == Ground.ILLEGAL:
        ground = _("The content is illegal under %(law)s.") % {"law": decision.legal_ground}
    elif decision.ground == Ground.TERMS:
        ground = (_("The content is incompatible with this server's rules: %(rule)s.")
                  % {"rule": decision.terms_ground})
    else:
        ground = ""
    scope = decision.territorial_scope
    where = (_("Everywhere in the European Economic Area.") if len(scope) == len(territories.EEA)
             else _("In: %(countries)s.") % {"countries": ", ".join(scope)})
    until = (_("Until %(when)s UTC.") % {"when": dateformat.format(decision.ends_at,
                                                                   "d F Y, H:i")}
             if decision.ends_at else _("Until further notice."))
    return {"measure": str(MEASURE_LINES[decision.measure]), "origin": origin,
            "detection": detection, "automation": automation[decision.automated_decision],
            "ground": ground, "where": where, "until": until,
            "appeal_until": decision.created_at + APPEAL_WINDOW,
            "dispute_bodies_url": DISPUTE_BODIES_URL}


STATEMENT_SALT = "rostra.moderation.statement"


def statement_url(decision: Decision) -> str:
    """The statement's address for the affected account, with a key: a suspended or
    terminated account cannot sign in, and must still read it and appeal."""
    key = signing.dumps(decision.pk, salt=STATEMENT_SALT)
    return absolute_url(f"/statements/{decision.pk}?key={key}")


def statement_key_valid(decision: Decision, key: str) -> bool:
    try:
        return signing.loads(key or "", salt=STATEMENT_SALT) == decision.pk
    except signing.BadSignature:
        return False


def _tell_parties(decision: Decision, told: bool) -> None:
    """E-mail the affected local account its statement of reasons, and the notifier
    the outcome of their notice with how to appeal, each in their own language."""
    case = decision.case

    def redress(lines: dict) -> str:
        return _("You can appeal until %(date)s: another moderator will review the decision. "
                 "You can also turn to a certified out-of-court dispute settlement body "
                 "(%(bodies)s) or to a court.") % {
                     "date": dateformat.format(lines["appeal_until"], "d F Y"),
                     "bodies": DISPUTE_BODIES_URL}

    def to_account() -> tuple[str, str]:
        lines = statement_lines(decision)
        text = "\n\n".join(t for t in (lines["measure"], lines["ground"],
                                      decision.explanation, lines["until"]) if t)
        statement = _("The statement of reasons: %(url)s") % {"url": statement_url(decision)}
        return (_("A decision about your account (%(number)s)") % {"number": case.number},
                f"{text}\n\n{statement}\n\n{redress(lines)}\n")

    def to_notifier() -> tuple[str, str]:
        lines = statement_lines(decision)
        follow = (_("Follow your notice and appeal here: %(url)s")
                  % {"url": absolute_url(f"/notices/{case.receipt}")})
        return (_("The outcome of your notice %(number)s") % {"number": case.number},
                f"{lines['measure']}\n\n{decision.explanation}\n\n{follow}\n\n"
                f"{redress(lines)}\n")

    if told:
        write_to_holder(decision.target_account, to_account)
    write_to_notifier(case, to_notifier)


def write_to_holder(account, compose) -> None:
    """E-mail the user of ``account`` (a local one) in their own language, when they
    have an address. ``compose()`` returns (subject, body) in the active language."""
    user = User.objects.filter(account=account).first() if account is not None else None
    if user is not None and user.email:
        mail.send_in(mail.language_of(user), compose, [user.email])


def write_to_notifier(case, compose) -> None:
    """E-mail whoever filed ``case``: the address they gave (in the language of the
    user who holds it, if any), or the user of the local account that reported."""
    if case.notifier_email:
        mail.send_in(mail.language_for_address(case.notifier_email), compose,
                     [case.notifier_email])
    elif case.notifier_id and case.notifier.local:
        write_to_holder(case.notifier, compose)
