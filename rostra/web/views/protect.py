"""Self-service blocking of one's own intimate images: ``/protect`` (no account).

The page explains what happens and lets the browser fingerprint the chosen images
(``static/js/pdq.js``); its script then POSTs only JSON to ``/protect/submit``:
``{"images": [{"sha256", "md5", "pdq", "quality"}, ...], "consent": true}`` with
the CSRF token in ``X-CSRFToken``; the answer is ``{"number", "secret",
"withdraw_url", "plain", "html"}`` (201) or ``{"error"}`` (400, 413, 429). Without
JavaScript, the same address takes pasted fingerprints from a form. No image is
ever accepted. Each network address has ``RATE_LIMIT`` submissions (and as many
withdrawal attempts) per ``RATE_WINDOW``; the address is used for that count only.
"""

from __future__ import annotations

import json

from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rostra.core import rate_limits
from rostra.safety import ncii
from rostra.web.forms.account import bound_data
from rostra.web.forms.protect import SubmitForm, WithdrawForm

RATE_LIMIT = 20
RATE_WINDOW = 60 * 60
MAX_JSON_BODY = 64 * 1024  # 50 images of about 200 bytes, with room to spare
TOO_MANY = gettext_lazy("Too many attempts from this network in the last hour. Nothing was "
                        "saved; please try again later.")


def _over_limit(request, bucket: str) -> bool:
    """Count this attempt; True past ``RATE_LIMIT`` in the current window."""
    return rate_limits.over_limit(f"protect-{bucket}", rate_limits.client_key(request),
                                  RATE_LIMIT, RATE_WINDOW)


def _page(request, form: SubmitForm, *, status: int = 200, error: str = ""):
    return render(request, "web/protect/index.html", {
        "form": form, "error": error, "max_images": ncii.MAX_IMAGES,
        "min_quality": ncii.MIN_PDQ_QUALITY}, status=status)


def _result_context(submission, secret: str, images: list[dict]) -> dict:
    fingerprints = ncii.parse_images(images)
    return {"submission": submission, "secret": secret, "count": len(fingerprints),
            "plain": sum(1 for fp in fingerprints if not fp.perceptual),
            "min_quality": ncii.MIN_PDQ_QUALITY}


@require_safe
def protect(request):
    return _page(request, SubmitForm())


@require_POST
def submit(request):
    wants_json = request.content_type == "application/json"
    if _over_limit(request, "submit"):
        if wants_json:
            return JsonResponse({"error": str(TOO_MANY)}, status=429)
        return _page(request, SubmitForm(), status=429, error=TOO_MANY)
    if wants_json:
        return _submit_json(request)
    form = SubmitForm(request.POST)
    if form.is_valid():
        images = form.cleaned_data["fingerprints"]
        try:
            submission, secret = ncii.submit(images)
        except ncii.NciiError as exc:
            form.add_error("fingerprints", str(exc))
        else:
            response = render(request, "web/protect/result.html",
                              _result_context(submission, secret, images), status=201)
            add_never_cache_headers(response)  # the secret is shown once, never stored
            return response
    return _page(request, form, status=400)


def _submit_json(request):
    declared = request.META.get("CONTENT_LENGTH") or ""
    too_much = _("Too much data: send fingerprints only.")
    if declared.isdigit() and int(declared) > MAX_JSON_BODY:
        return JsonResponse({"error": too_much}, status=413)
    body = request.body
    if len(body) > MAX_JSON_BODY:
        return JsonResponse({"error": too_much}, status=413)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": _("The request is not JSON.")}, status=400)
    if not isinstance(data, dict) or set(data) != {"images", "consent"}:
        return JsonResponse({"error": _('Send {"images": [...], "consent": true} and nothing '
                                        "else.")}, status=400)
    if data["consent"] is not True:
        return JsonResponse({"error": _("Confirm that the images show you (or the person who "
                                        "asked you to help).")}, status=400)
    try:
        submission, secret = ncii.submit(data["images"])
    except ncii.NciiError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    context = _result_context(submission, secret, data["images"])
    response = JsonResponse({
        "number": submission.number, "secret": secret,
        "withdraw_url": reverse("web:protect_withdraw"), "plain": context["plain"],
        "html": render_to_string("web/protect/_result.html", context, request)}, status=201)
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
def withdraw(request):
    form = WithdrawForm(bound_data(request))
    if request.method == "POST":
        if _over_limit(request, "withdraw"):
            return render(request, "web/protect/withdraw.html",
                          {"form": WithdrawForm(), "error": TOO_MANY}, status=429)
        if form.is_valid():
            number = form.cleaned_data["number"]
            if ncii.withdraw(number, form.cleaned_data["secret"]):
                return render(request, "web/protect/withdrawn.html", {"number": number})
            form.add_error(None, _("This case number and secret do not match a submission "
                                   "that is still active. Check both: the secret was shown "
                                   "once, with the case number."))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "web/protect/withdraw.html", {"form": form}, status=status)
