"""``/about/feeds/audit``: the public amplification audit (charts without script)
and its open data as CSV; ``/about/feeds/audit/replay/<id>``: replay a sampled,
logged ranking and compare its hash. Figures come from ``timelines.feeds.audit``."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from rostra.accounts.models import Account
from rostra.timelines.feeds import audit, audit_log, cohort, get_feed
from rostra.timelines.feeds.base import FeedError
from rostra.timelines.models import FeedReplayLog
from rostra.timelines.tasks import retention_days

DEFAULT_DAYS = 30
SHOWN_AUTHORS = 20


class PeriodError(ValueError):
    pass


def period(params) -> tuple[date, date]:
    """The period asked for (``start``, ``end``, ISO days), by default the last 30 days;
    ``PeriodError`` with a message when a day is malformed or the order is wrong."""
    today = timezone.now().date()
    try:
        end = date.fromisoformat(params["end"]) if params.get("end") else today
        start = (date.fromisoformat(params["start"]) if params.get("start")
                 else end - timedelta(days=DEFAULT_DAYS - 1))
    except ValueError:
        raise PeriodError(_("Write the days of the period as YYYY-MM-DD.")) from None
    if start > end:
        raise PeriodError(_("The period starts after it ends."))
    return start, end


def _feed_name(feed_id: str) -> str:
    try:
        return _(get_feed(feed_id).name)
    except FeedError:
        return feed_id


@require_safe
def page(request):
    try:
        start, end = period(request.GET)
    except PeriodError as exc:
        return render(request, "web/feeds/audit.html", {"error": str(exc)}, status=400)
    found = [audit.figures(f, start, end) for f in audit.feeds_in(start, end)]
    ids = {a.author_id for f in found for a in f.authors[:SHOWN_AUTHORS] + f.outliers}
    handles = {pk: a.acct
               for pk, a in Account.objects.in_bulk(list(ids)).items()}
    feeds = []
    for f in found:
        shown = f.authors[:SHOWN_AUTHORS]
        most = max([a.ratio or 0 for a in shown] + [1.0])
        feeds.append({
            "figures": f, "name": _feed_name(f.feed),
            "rows": [{"a": a, "handle": handles.get(a.author_id, f"#{a.author_id}"),
                      "bar": round(100 * (a.ratio or 0) / most, 1)} for a in shown],
            "outliers": [{"a": a, "handle": handles.get(a.author_id, f"#{a.author_id}")}
                         for a in f.outliers],
            "top_bar": round(100 * f.top_share, 1),
            "expected_bar": round(100 * f.top_expected_share, 1)})
    logs = FeedReplayLog.objects.filter(created_at__date__gte=start, created_at__date__lte=end
                                        ).order_by("-id")[:SHOWN_AUTHORS]
    return render(request, "web/feeds/audit.html", {
        "start": start, "end": end, "feeds": feeds, "logs": list(logs),
        "retention_days": retention_days(), "control_percent": cohort.CONTROL_PERCENT,
        "control_salt": cohort.CONTROL_SALT, "settled_days": cohort.SETTLED_DAYS,
        "sample_one_in": cohort.SAMPLE_ONE_IN,
        "outlier_z": audit.OUTLIER_Z, "top_percent": audit.TOP_SHARE_PERCENT,
        "buckets": [audit_log.rank_bucket(low) for low, _ in audit_log.BUCKETS]})


@require_safe
def csv_download(request):
    """``?table=counts`` (the daily counts as recorded) or ``figures`` (per author)."""
    table = request.GET.get("table", "counts")
    if table not in ("counts", "figures"):
        return HttpResponse("table must be counts or figures\n", status=400,
                            content_type="text/plain; charset=utf-8")
    try:
        start, end = period(request.GET)
    except PeriodError as exc:
        return HttpResponse(f"{exc}\n", status=400, content_type="text/plain; charset=utf-8")
    body = (audit.aggregates_csv if table == "counts" else audit.figures_csv)(start, end)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="feed-audit-{table}-{start}-{end}.csv"')
    return response


@require_safe
def replay(request, log_id: int):
    try:
        result = audit_log.replay(log_id)
    except audit_log.ReplayError as exc:
        if not FeedReplayLog.objects.filter(pk=log_id).exists():
            raise Http404(str(exc)) from None
        return render(request, "web/feeds/audit_replay.html", {"error": str(exc),
                                                               "log_id": log_id})
    return render(request, "web/feeds/audit_replay.html", {"result": result,
                                                           "log_id": log_id})
