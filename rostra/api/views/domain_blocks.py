"""``/api/v1/domain_blocks``: the servers the reader blocked (Mastodon's user-level
domain blocks): a page of domain names, and blocking or unblocking one. A value
that is not a domain name is a 422 (the ``AccountError`` of the service, turned
into Mastodon's error shape by ``@endpoint``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rostra.accounts import domain_blocks
from rostra.api.auth import by_method, endpoint
from rostra.api.errors import validation
from rostra.api.pagination import page_of, paged
from rostra.timelines.pagination import paginate

READ = ("read:blocks", "follow")
WRITE = ("write:blocks", "follow")


def _domain(request) -> str:
    """The ``domain`` parameter (query string, form or JSON body), or a 422."""
    value = request.params.str("domain")
    if not value or not value.strip():
        raise validation(_("domain is missing"), "domain", code="ERR_BLANK")
    return value


@endpoint(["GET"], scope=READ)
def _index(request):
    """Paged by block row (``max_id``/``min_id`` in the Link header), newest first."""
    rows = paginate(domain_blocks.blocked_domains(request.api_account).order_by(),
                    page_of(request, 40))
    return paged(request, [row.domain for row in rows], [row.pk for row in rows])


@endpoint(["POST"], scope=WRITE)
def _block(request):
    domain_blocks.block_domain(request.api_account, _domain(request))
    return {}


@endpoint(["DELETE"], scope=WRITE)
def _unblock(request):
    domain_blocks.unblock_domain(request.api_account, _domain(request))
    return {}


index = by_method(GET=_index, POST=_block, DELETE=_unblock)
