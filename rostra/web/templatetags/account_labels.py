"""``{% account_labels account as labels %}``: the moderators' labels of an account
(state-affiliated media, government, official body) for the post and profile
templates. Within a request one query serves the whole page (``labels_of``)."""

from __future__ import annotations

from django import template

from rostra.integrity.labels import ShownLabel, labels_of

register = template.Library()


@register.simple_tag
def account_labels(account) -> list[ShownLabel]:
    return labels_of(account) if account is not None and account.pk else []
