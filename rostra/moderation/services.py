"""Notices and reports become cases, in the order moderators must take them.

Every door calls these: the public notice form (anyone, no account: Art. 16 DSA),
"Report" in the web UI and ``POST /api/v1/reports`` (signed-in users), and later
federated ``Flag`` activities and the image-abuse shield. A case keeps what the
notice said, who sent it (or that they chose not to say, which the law allows only
for child sexual abuse material), a receipt the notifier can follow without an
account, a priority and a deadline (``due_at``) by category.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from urllib.parse import SplitResult, unquote, urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rostra.accounts.models import Account
from rostra.core import mail
from rostra.core.links import absolute_url, account_path_username, post_path_ref
from rostra.moderation import events
from rostra.moderation.models import (
    AuditEntry,
    Case,
    CaseNote,
    Category,
    Source,
    TrustedFlagger,
)
from rostra.posts.models import Media, Post
from rostra.posts.visibility import can_see

MAX_EXPLANATION = 5000

# Higher first. Child sexual abuse material and intimate-image abuse before
# everything; then trusted flaggers (Art. 22); then illegal content; then the rest.
PRIORITY = {Category.CSAM: 100, Category.INTIMATE_IMAGES: 90, Category.AI_SEXUAL_IMAGERY: 90}
TRUSTED_BONUS = 50
ILLEGAL_PRIORITY = 30
OTHER_PRIORITY = 10

# How long a case may wait for a decision. Intimate-image abuse: removal within
# 48 hours at most (the US TAKE IT DOWN Act), and we aim for one hour.
DEADLINE = {
    Category.CSAM: timedelta(hours=1),
    Category.INTIMATE_IMAGES: timedelta(hours=1),
    Category.AI_SEXUAL_IMAGERY: timedelta(hours=1),
    Category.TERRORISM: timedelta(hours=1),  # EU Regulation 2021/784: one hour
}
ILLEGAL_DEADLINE = timedelta(hours=24)
OTHER_DEADLINE = timedelta(days=7)
ANONYMOUS_ALLOWED = frozenset({Category.CSAM})

# Mastodon's report categories, as clients send them; every illegal one is "legal".
MASTODON_CATEGORIES = {"spam": Category.SPAM, "legal": Category.OTHER_ILLEGAL,
                       "violation": Category.TERMS, "other": Category.OTHER}


_TO_MASTODON = {ours: name for name, ours in MASTODON_CATEGORIES.items() if name != "legal"}


def mastodon_category(category: str) -> str:
    """``category`` as one of Mastodon's four (for its ``Report`` entity)."""
    return _TO_MASTODON.get(category, "legal")


class NoticeError(ValueError):
    """A notice that cannot be accepted; the message says what to fix."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def priority_of(category: str, trusted: bool) -> int:
    from rostra.moderation.models import ILLEGAL

    base = PRIORITY.get(category) or (ILLEGAL_PRIORITY if category in ILLEGAL
                                       else OTHER_PRIORITY)
    return base + (TRUSTED_BONUS if trusted and category not in PRIORITY else 0)


def deadline_of(category: str) -> timedelta:
    from rostra.moderation.models import ILLEGAL

    return DEADLINE.get(category) or (ILLEGAL_DEADLINE if category in ILLEGAL
                                      else OTHER_DEADLINE)


def file_notice(*, content_url: str, category: str, explanation: str, name: str = "",
                email: str = "", good_faith: bool = False,
                notifier: Account | None = None) -> Case:
    """A notice from anyone about content at ``content_url`` (Art. 16 DSA).

    Requires the exact URL, a category, an explanation and the good-faith statement;
    a name and e-mail address unless the category is child sexual abuse material.
    The content is located when the URL is one of this server's posts or profiles.
    Raises ``NoticeError``. The notifier gets a receipt by e-mail when they gave one."""
    content_url = (content_url or "").strip()
    explanation = (explanation or "").strip()
    name, email = (name or "").strip()[:200], (email or "").strip()[:254]
    if category not in Category.values:
        raise NoticeError(_("Choose what is wrong with the content."), "category")
    parts = urlsplit(content_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise NoticeError(_("Give the exact address (URL) of the content."), "content_url")
    if not explanation:
        raise NoticeError(_("Explain why the content is illegal or against the rules."),
                          "explanation")
    if len(explanation) > MAX_EXPLANATION:
        raise NoticeError(_("The explanation is limited to %(limit)s characters.")
                          % {"limit": MAX_EXPLANATION},
                          "explanation")
    if not good_faith:
        raise NoticeError(_("Confirm that the notice is accurate and made in good faith."),
                          "good_faith")
    if notifier is None and category not in ANONYMOUS_ALLOWED and not (name and email):
        raise NoticeError(_("Give your name and e-mail address (only notices of child sexual "
                            "abuse material may be anonymous)."), "email")
    post, account = locate(content_url)
    flagger = trusted_flagger_for(notifier, email)
    case = _open(category=category, source=Source.TRUSTED_FLAGGER if flagger else Source.NOTICE,
                 account=account, posts=[post] if post else [], content_url=content_url[:2048],
                 explanation=explanation, notifier=notifier, name=name, email=email,
                 good_faith=True, flagger=flagger)
    if email:
        transaction.on_commit(lambda: _send_receipt(case))
    return case


def report(reporter: Account, target: Account, *, posts: Sequence[Post] = (),
           category: str = Category.OTHER, comment: str = "", rule_ids: Sequence = (),
           forward: bool = False) -> Case:
    """A signed-in user reports ``target`` (and some of its posts): the web UI's
    "Report" and Mastodon's ``POST /api/v1/reports``. Posts the reporter cannot see
    are refused as if missing. Raises ``NoticeError``."""
    if target.pk == reporter.pk:
        raise NoticeError(_("You cannot report yourself."), "account_id")
    category = MASTODON_CATEGORIES.get(category, category)
    if category not in Category.values:
        raise NoticeError(_("Unknown category."), "category")
    comment = (comment or "").strip()
    if len(comment) > MAX_EXPLANATION:
        raise NoticeError(_("The comment is limited to %(limit)s characters.")
                          % {"limit": MAX_EXPLANATION}, "comment")
    posts = list(posts)
    for post in posts:
        if post.account_id != target.pk or not can_see(reporter, post):
            raise NoticeError(_("A reported post must be one of the account's that you can see."),
                              "status_ids")
    flagger = trusted_flagger_for(reporter, "")
    return _open(category=category, source=Source.TRUSTED_FLAGGER if flagger else Source.REPORT,
                 account=target, posts=posts, content_url=target.url or target.uri or "",
                 explanation=comment, notifier=reporter, name="", email="", good_faith=True,
                 flagger=flagger, rule_ids=[str(r)[:32] for r in rule_ids][:20],
                 forward=forward and not target.local)


def open_flag_case(*, external_id: str, reporter: Account | None, reporter_uri: str,
                   target: Account, posts: Sequence[Post], comment: str) -> Case:
    """A report another server sent (a federated ``Flag``): one case per Flag."""
    existing = Case.objects.filter(external_id=external_id).first()
    if existing is not None:
        return existing
    return _open(category=Category.OTHER, source=Source.FEDERATION, account=target,
                 posts=list(posts), content_url=target.url or target.uri or "",
                 explanation=comment, notifier=reporter, name=reporter_uri[:200], email="",
                 good_faith=False, flagger=None, external_id=external_id[:2048])


def open_own_initiative(by, *, account: Account | None = None, posts: Sequence[Post] = (),
                        category: str = Category.TERMS, explanation: str = "",
                        automated: bool = False, evidence: dict | None = None) -> Case:
    """A case moderators (``by``, a staff user) or automated detection (``automated``)
    open themselves, to decide on ``account`` or ``posts`` without a notice;
    ``evidence`` is kept with restricted access (e.g. an integrity incident's figures)."""
    if category not in Category.values:
        raise NoticeError(_("Unknown category."), "category")
    posts = list(posts)
    if account is None and posts:
        account = posts[0].account
    if account is None:
        raise NoticeError(_("A case is about an account or posts."), "account_id")
    case = _open(category=category, source=Source.AUTOMATED if automated else Source.OWN_INITIATIVE,
                 account=account, posts=posts, content_url=account.url or account.uri or "",
                 explanation=(explanation or "").strip()[:MAX_EXPLANATION], notifier=None,
                 name="", email="", good_faith=False, flagger=None, evidence=evidence)
    if by is not None:
        audit(by, "case.opened_own_initiative", case)
    return case


def _open(*, category, source, account, posts, content_url, explanation, notifier, name, email,
          good_faith, flagger, rule_ids=(), forward=False, external_id="",
          evidence: dict | None = None) -> Case:
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.create(external_id=external_id,
            category=category, source=source, priority=priority_of(category, flagger is not None),
            target_account=account, content_url=content_url, explanation=explanation,
            rule_ids=list(rule_ids), notifier=notifier, notifier_name=name, notifier_email=email,
            good_faith=good_faith, trusted_flagger=flagger, forward=forward, created_at=now,
            due_at=now + deadline_of(category), evidence=evidence or {})
        if posts:
            case.target_posts.set(posts)
        audit(None, "case.opened", case, source=source, category=category,
              priority=case.priority)
        transaction.on_commit(lambda: events.case_opened.send(Case, case=case))
    return case


def audit(actor, action: str, case: Case | None = None, **details) -> AuditEntry:
    """Append one entry to the audit log (``actor``: a staff ``User`` or None)."""
    return AuditEntry.objects.create(actor=actor, action=action, case=case, details=details)


def assign(case: Case, moderator, *, by) -> Case:
    """Give ``case`` to ``moderator`` (a staff user; None: nobody)."""
    if moderator is not None and not moderator.is_staff:
        raise NoticeError(_("Only staff can be assigned a case."), "assigned_to")
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(assigned_to=moderator)
        case.assigned_to = moderator
        audit(by, "case.assigned", case, to=moderator.username if moderator else None)
    return case


def reopen(case: Case, *, by) -> Case:
    """Put a decided case back in the queue (its decisions stay on record), unless
    a measure it led to is still in force: lift or reverse that first, so that an
    open case never hides a running sanction. Raises ``NoticeError``."""
    if case.status == Case.Status.OPEN:
        return case
    if any(d.in_force for d in case.decisions.all()):
        raise NoticeError(_("A measure taken on this case is still in force: lift it first."))
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=Case.Status.OPEN, decided_at=None)
        case.status, case.decided_at = Case.Status.OPEN, None
        audit(by, "case.reopened", case)
    return case


def mark_reported_to_authority(case: Case, *, by) -> Case:
    """Record that the case (child sexual abuse material) went to the competent
    hotline or authority."""
    if not case.report_to_authority:
        raise NoticeError(_("This case is not one to report to an authority."))
    now = timezone.now()
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(reported_to_authority_at=now)
        case.reported_to_authority_at = now
        audit(by, "case.reported_to_authority", case)
    return case


def add_note(case: Case, author, text: str) -> CaseNote:
    """An internal note by a moderator (kept with the case, logged in the audit)."""
    text = (text or "").strip()
    if not text:
        raise NoticeError(_("Write the note first."), "text")
    if len(text) > MAX_EXPLANATION:
        raise NoticeError(_("Notes are limited to %(limit)s characters.")
                          % {"limit": MAX_EXPLANATION}, "text")
    with transaction.atomic():
        note = CaseNote.objects.create(case=case, author=author, text=text)
        audit(author, "case.note_added", case, note=note.pk)
    return note


def locate(url: str) -> tuple[Post | None, Account | None]:
    """The post or account at ``url``: one of ours (a post or profile page, its
    ActivityPub id, or one of its media files) or a remote one we store (by its id
    or a media file's address); (None, None) otherwise."""
    parts = urlsplit(url)
    name = _stored_name(parts)
    if name is not None:  # an image or video file of ours
        media = (Media.objects.filter(Q(file=name) | Q(thumbnail=name))
                 .select_related("post__account").first())
        post = media.post if media is not None else None
        return (post, post.account) if post else (None, None)
    if parts.netloc.lower() == settings.ROSTRA_DOMAIN.lower():
        ref = post_path_ref(parts.path)
        if ref:
            post = (Post.objects.filter(pk=ref[1], account__domain="",
                                        account__username__iexact=ref[0])
                    .select_related("account").first())
            return (post, post.account) if post else (None, None)
        username = account_path_username(parts.path)
        if username:
            return None, Account.objects.filter(username__iexact=username, domain="").first()
        return None, None
    post = Post.objects.filter(uri=url).select_related("account").first()
    if post is None:  # a remote post's media file, by the address we know it by
        post = getattr(Media.objects.filter(remote_url=url).select_related("post__account")
                       .first(), "post", None)
    if post is not None:
        return post, post.account
    return None, Account.objects.filter(uri=url).first()


_PROBE = "rostra-probe"


def _stored_name(parts: SplitResult) -> str | None:
    """The storage name of one of our media files at the address ``parts``: under
    ``MEDIA_URL`` here, or under the media storage's own address (an S3-compatible
    bucket, or its public URL)."""
    if parts.netloc.lower() == settings.ROSTRA_DOMAIN.lower() \
            and parts.path.startswith(settings.MEDIA_URL):
        return unquote(parts.path[len(settings.MEDIA_URL):])
    probe = urlsplit(default_storage.url(_PROBE))  # computed locally, no request
    prefix = probe.path[:-len(_PROBE)]
    if probe.netloc and parts.netloc.lower() == probe.netloc.lower() \
            and parts.path.startswith(prefix) and len(parts.path) > len(prefix):
        return unquote(parts.path[len(prefix):])
    return None


def trusted_flagger_for(account: Account | None, email: str) -> TrustedFlagger | None:
    flaggers = TrustedFlagger.objects.filter(active=True)
    if account is not None:
        found = flaggers.filter(accounts=account).first()
        if found is not None:
            return found
    domain = email.rsplit("@", 1)[-1].lower() if "@" in email else ""
    return flaggers.filter(email_domain__iexact=domain).first() if domain else None


def designate_flagger(by, *, name: str, email_domain: str = "",
                      accounts: Sequence[Account] = ()) -> TrustedFlagger:
    """An admin designates a trusted flagger (Art. 22 DSA): notices from its
    accounts, or from addresses at its e-mail domain, go first."""
    name, email_domain = (name or "").strip(), (email_domain or "").strip().lower().lstrip("@")
    if not name:
        raise NoticeError(_("Give the organisation's name."), "name")
    if email_domain and ("." not in email_domain or "@" in email_domain
                         or len(email_domain) > 253):
        raise NoticeError(_("Give a domain name, e.g. hotline.example."), "email_domain")
    if not email_domain and not accounts:
        raise NoticeError(_("Give its e-mail domain or at least one of its accounts."),
                          "email_domain")
    with transaction.atomic():
        flagger = TrustedFlagger.objects.create(name=name[:200], email_domain=email_domain)
        flagger.accounts.set(accounts)
        audit(by, "flagger.designated", None, flagger=flagger.pk, name=flagger.name,
              email_domain=email_domain, accounts=[a.acct for a in accounts])
    return flagger


def set_flagger_active(by, flagger: TrustedFlagger, active: bool) -> None:
    """Suspend or restore a trusted flagger's status (Art. 22(6) DSA)."""
    with transaction.atomic():
        TrustedFlagger.objects.filter(pk=flagger.pk).update(active=active)
        flagger.active = active
        audit(by, "flagger.activated" if active else "flagger.deactivated", None,
              flagger=flagger.pk, name=flagger.name)


def queue() -> QuerySet[Case]:
    """Open cases in the order to take them: priority, then the oldest first."""
    return Case.objects.filter(status=Case.Status.OPEN).order_by("-priority", "created_at", "pk")


def related_cases(case: Case, limit: int = 20) -> list[Case]:
    """Other cases about the same account, or the same address, newest first."""
    if case.target_account_id is None and not case.content_url:
        return []
    same = (Q(target_account_id=case.target_account_id) if case.target_account_id
            else Q(content_url=case.content_url))
    return list(Case.objects.filter(same).exclude(pk=case.pk).order_by("-created_at")[:limit])


def _send_receipt(case: Case) -> None:
    """Confirm a notice to its sender, in the language they wrote it in (the request's,
    unless the address belongs to a user with a language of their own)."""
    link = absolute_url(f"/notices/{case.receipt}")

    def compose() -> tuple[str, str]:
        return (_("Your notice %(number)s was received") % {"number": case.number},
                _("We received your notice about %(url)s.\n\nCase number: %(number)s\n"
                  "Follow it here: %(link)s\n\nWe will tell you what we decided, why, and "
                  "how you can ask for it to be reviewed.\n")
                % {"url": case.content_url, "number": case.number, "link": link})

    mail.send_in(mail.language_for_address(case.notifier_email, translation.get_language()),
                 compose, [case.notifier_email])
