"""``/api/v1/media`` and ``/api/v2/media``: upload (through the safety gate in
posts.media), show and update one's own uploads.

Beyond Mastodon: ``ai_generated`` (boolean) on upload and update is the author's
own label "AI-generated" (the file's Content Credentials or IPTC metadata label it
too, whatever the author says)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rostra.api.auth import by_method, endpoint
from rostra.api.errors import from_domain, not_found, validation
from rostra.api.serializers.media import serialize_media
from rostra.api.views.lookups import as_id
from rostra.posts import media as media_service
from rostra.posts.errors import PostError
from rostra.posts.models import Media

MEDIA_FIELDS = {"media": "file"}


def _focus(raw: str | None) -> tuple[float, float] | None:
    if not raw:
        return None
    try:
        x, y = (float(v) for v in raw.split(","))
    except ValueError as exc:
        raise validation(_("focus must be two numbers: x,y"), "focus") from exc
    return x, y


@endpoint(["POST"], scope="write:media")
def upload(request):
    p = request.params
    upload_file = p.file("file")
    if upload_file is None:
        raise validation(_("can't be blank"), "file", "ERR_BLANK")
    try:
        media = media_service.upload_media(
            request.api_account, upload_file, description=p.str("description", "") or "",
            focus=_focus(p.str("focus")), source="api",
            ip=request.META.get("REMOTE_ADDR", ""), ai_generated=bool(p.bool("ai_generated")),
        )
    except PostError as exc:
        raise from_domain(exc, MEDIA_FIELDS) from exc
    return serialize_media(media)


def _own(request, media_id) -> Media:
    media = Media.objects.filter(pk=as_id(media_id), account=request.api_account).first()
    if media is None:
        raise not_found()
    return media


@endpoint(["GET"], scope="write:media")
def show(request, media_id):
    return serialize_media(_own(request, media_id))


@endpoint(["PUT"], scope="write:media")
def update(request, media_id):
    media = _own(request, media_id)
    p = request.params
    try:
        media_service.update_media(request.api_account, media,
                                   description=p.str("description"), focus=_focus(p.str("focus")),
                                   ai_generated=p.bool("ai_generated", None))
    except PostError as exc:
        raise from_domain(exc, MEDIA_FIELDS) from exc
    return serialize_media(media)


one = by_method(GET=show, PUT=update)
