"""The trend weigher: accounts in live or acted-on incidents count less in trends.

Registered with ``timelines.feeds.coordination`` at start-up. A coordinated group
is one operator with many handles, so each of its N accounts counts 1/N (the group
as a whole counts as one account), softened for a weak incident: an account weighs
``max(1/N, 1 - strength)``, the lowest over its incidents. Dismissed incidents do
not count: moderators found nothing inauthentic."""

from __future__ import annotations

from django.db.models import Count

from rostra.integrity.models import Incident, IncidentMember

WEIGHING = (Incident.Status.OPEN, Incident.Status.REVIEWING, Incident.Status.ACTIONED)
CHUNK = 500  # ids per query (SQLite's parameter limit)


def weigh(account_ids: set[int]) -> dict[int, float]:
    """``{account id: weight}`` for the accounts of ``account_ids`` in an incident
    that counts; others are left out (they weigh 1.0)."""
    ids = sorted(account_ids)
    rows: list[tuple[int, int]] = []
    for start in range(0, len(ids), CHUNK):
        rows += IncidentMember.objects.filter(
            account_id__in=ids[start:start + CHUNK], incident__status__in=WEIGHING,
        ).values_list("account_id", "incident_id")
    if not rows:
        return {}
    incidents = {pk: (size, strength) for pk, size, strength in
                 Incident.objects.filter(pk__in={i for _, i in rows})
                 .annotate(size=Count("members")).values_list("pk", "size", "strength")}
    weights: dict[int, float] = {}
    for account_id, incident_id in rows:
        size, strength = incidents[incident_id]
        weight = max(1.0 / max(size, 1), 1.0 - float(strength))
        weights[account_id] = min(weights.get(account_id, 1.0), weight)
    return weights
