"""E-mail in the recipient's language.

An e-mail is read by its recipient, not by whoever's request or task sends it: a
moderator deciding in French tells a German user in German. Callers render the
subject and body inside ``translation.override(language_of(user))`` (or
:func:`in_language`), then send with :func:`send`, which stamps the message with
the language it was written in (``Content-Language``, RFC 3282) for mail clients.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.utils import translation

from rostra.core.i18n import supported


def language_of(user) -> str:
    """The language to write to ``user`` in: their setting, else the server's default."""
    return supported(getattr(user, "locale", "") or "") or settings.LANGUAGE_CODE


def language_for_address(email: str, default: str | None = None) -> str:
    """The language of the user who holds ``email``; for an address no user holds
    (an anonymous notifier), ``default`` or the server's default language."""
    user = (get_user_model().objects.filter(email__iexact=email).only("locale").first()
            if email else None)
    if user is not None and supported(user.locale or ""):
        return language_of(user)
    return supported(default or "") or settings.LANGUAGE_CODE


def send(subject: str, body: str, to: Iterable[str], *, fail_silently: bool = True) -> int:
    """Send one plain-text e-mail written in the active language; return how many went."""
    recipients = [a for a in to if a]
    if not recipients:
        return 0
    language = translation.get_language() or settings.LANGUAGE_CODE
    message = EmailMessage(subject, body, None, recipients,
                           headers={"Content-Language": language})
    return message.send(fail_silently=fail_silently)


def send_in(language: str, compose: Callable[[], tuple[str, str]], to: Iterable[str], *,
            fail_silently: bool = True) -> int:
    """Compose (subject, body) while ``language`` is active, and send it to ``to``."""
    with translation.override(language):
        subject, body = compose()
        return send(subject, body, to, fail_silently=fail_silently)


def send_each(addresses: Iterable[str], compose: Callable[[], tuple[str, str]], *,
              fail_silently: bool = True) -> int:
    """Send to every address in its holder's language: one e-mail per language, with
    the recipients who share it (staff alerts, moderators' notices)."""
    by_language: dict[str, list[str]] = defaultdict(list)
    for address in dict.fromkeys(a for a in addresses if a):
        by_language[language_for_address(address)].append(address)
    return sum(send_in(language, compose, group, fail_silently=fail_silently)
               for language, group in sorted(by_language.items()))
