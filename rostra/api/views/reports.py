"""``POST /api/v1/reports``: a user reports an account (and some of its posts)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rostra.api.auth import endpoint
from rostra.api.errors import validation
from rostra.api.serializers.report import serialize_report
from rostra.api.views.lookups import as_id, get_account
from rostra.moderation import services as moderation
from rostra.posts.models import Post

MAX_STATUSES = 100


@endpoint(["POST"], scope="write:reports")
def create(request):
    p = request.params
    if not p.has("account_id"):
        raise validation(_("account_id is required"), "account_id", "ERR_BLANK")
    target = get_account(p.str("account_id"))
    ids = [as_id(i) for i in p.list("status_ids")[:MAX_STATUSES]]
    posts = list(Post.objects.filter(pk__in=ids, account=target)) if ids else []
    if len(posts) != len(set(ids)):
        raise validation(_("A reported post must be one of the account's."), "status_ids")
    try:
        case = moderation.report(
            request.api_account, target, posts=posts, category=p.str("category") or "other",
            comment=p.str("comment", ""), rule_ids=p.list("rule_ids"),
            forward=p.bool("forward", False))
    except moderation.NoticeError as exc:
        raise validation(str(exc), exc.field) from exc
    return serialize_report(case)
