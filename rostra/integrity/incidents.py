"""Clusters become incidents that moderators investigate and act on.

``record_clusters`` turns the detector's clusters into incidents: a cluster that
overlaps a live (open or under review) incident grows it instead of opening a
duplicate, so the background task can re-read its window's overlap as often as it
likes. Moderators then ``start_review``, ``dismiss`` (with a reason) or ``act``:
acting opens one moderation case per account in the elections category and decides
it through ``moderation.decisions.decide``, so each account gets its own statement
of reasons and can appeal through the existing path."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_noop

from rostra.accounts.models import Account
from rostra.integrity.detect.records import Cluster
from rostra.integrity.disarm import techniques_for
from rostra.integrity.models import Incident, IncidentMember
from rostra.posts.models import Post, Visibility

MAX_EDGES = 200  # strongest ties kept for the graph
MAX_EVIDENCE_POSTS = 500
LIVE = (Incident.Status.OPEN, Incident.Status.REVIEWING)  # detection grows these
JACCARD = 0.5  # overlap of account sets that makes a cluster the same incident
MOST_OF_SMALLER = 2 / 3  # ... or this share of the smaller set
PUBLIC = (Visibility.PUBLIC, Visibility.UNLISTED)

# English, as stored in incident titles and statements; pages translate them on display.
BEHAVIOUR_LABELS = {
    "co_boost": gettext_noop("co-boosting"), "co_reply": gettext_noop("co-replying"),
    "co_link": gettext_noop("shared links"), "co_text": gettext_noop("identical text"),
    "near_duplicate_text": gettext_noop("near-identical text"),
    "co_hashtag": gettext_noop("hashtag sequences"), "co_image": gettext_noop("identical images"),
    "synchronized_creation": gettext_noop("accounts created together"),
    "handle_pattern": gettext_noop("patterned handles"),
}


class IncidentError(ValueError):
    """An action on an incident that cannot be taken; the message says why."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def behaviour_label(name: str) -> str:
    return BEHAVIOUR_LABELS.get(name, name.replace("_", " "))


def record_clusters(clusters: Sequence[Cluster], *, election: bool) -> list[Incident]:
    """Create or grow one incident per cluster; return them, each marked
    ``recorded_as`` "new", "grown" (new accounts or evidence) or "unchanged".

    Account ids and evidence ids are this server's account and post ids (as
    ``indexing`` writes them); unknown ones are skipped, and only public or unlisted
    posts become evidence. A cluster matching a dismissed or acted-on incident
    opens a new incident only when it brings accounts or posts seen since."""
    changes: dict[int, tuple[Incident, str]] = {}
    rank = {"unchanged": 0, "grown": 1, "new": 2}
    for cluster in clusters:
        recorded = _record(cluster, election)
        if recorded is None:
            continue
        incident, change = recorded
        before = changes.get(incident.pk)
        if before is None or rank[change] > rank[before[1]]:
            changes[incident.pk] = (incident, change)
    result = []
    for incident, change in changes.values():
        incident.recorded_as = change
        result.append(incident)
    return result


def _ints(values) -> list[int]:
    out = []
    for value in values:
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            continue
    return out


def _when(seconds: float, fallback: datetime) -> datetime:
    return datetime.fromtimestamp(seconds, UTC) if seconds and seconds > 0 else fallback


def _record(cluster: Cluster, election: bool) -> tuple[Incident, str] | None:
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=_ints(cluster.accounts))}
    if len(accounts) < 2:
        return None
    posts = list(Post.objects.filter(pk__in=_ints(cluster.evidence), visibility__in=PUBLIC)
                 .order_by("id")[:MAX_EVIDENCE_POSTS])
    match = _matching_incident(set(accounts))
    with transaction.atomic():
        if match is not None and match.status in LIVE:
            return match, ("grown" if _grow(match, cluster, accounts, posts) else "unchanged")
        if match is not None and not _brings_news(match, accounts, posts):
            return match, "unchanged"
        return _create(cluster, accounts, posts, election, previous=match), "new"


def _matching_incident(account_ids: set[int]) -> Incident | None:
    """The incident whose accounts overlap ``account_ids`` most (Jaccard ≥ 0.5 or
    most of the smaller set), live ones first."""
    shared = dict(IncidentMember.objects.filter(account_id__in=account_ids)
                  .values("incident_id").annotate(n=Count("id")).values_list("incident_id", "n"))
    if not shared:
        return None
    best, best_key = None, None
    for incident in Incident.objects.filter(pk__in=shared).annotate(size=Count("members")):
        common = shared[incident.pk]
        jaccard = common / (len(account_ids) + incident.size - common)
        if jaccard < JACCARD and common < MOST_OF_SMALLER * min(len(account_ids), incident.size):
            continue
        key = (incident.status in LIVE, jaccard, incident.pk)
        if best_key is None or key > best_key:
            best, best_key = incident, key
    return best


def _brings_news(incident: Incident, accounts: dict[int, Account], posts: list[Post]) -> bool:
    """Whether a cluster like a closed incident shows accounts or posts seen since."""
    member_ids = set(incident.members.values_list("account_id", flat=True))
    if set(accounts) - member_ids:
        return True
    closed_at = incident.details.get("closed_at")
    since = datetime.fromisoformat(closed_at) if closed_at else incident.updated_at
    return any(p.published > since for p in posts)


def _member_stats(cluster: Cluster, accounts: dict[int, Account],
                  posts: list[Post]) -> dict[int, dict]:
    stats = {pk: {"behaviours": [], "weight": 0.0, "evidence_count": 0} for pk in accounts}
    for a, b, weight, behaviour in cluster.edges:
        for end in _ints((a, b)):
            if end in stats:
                entry = stats[end]
                entry["weight"] = max(entry["weight"], float(weight))
                if behaviour not in entry["behaviours"]:
                    entry["behaviours"].append(behaviour)
    for post in posts:
        if post.account_id in stats:
            stats[post.account_id]["evidence_count"] += 1
    for entry in stats.values():
        entry["behaviours"] = entry["behaviours"] or list(cluster.behaviours)
        entry["weight"] = round(entry["weight"] or float(cluster.score), 4)
    return stats


def _edges(cluster: Cluster, accounts: dict[int, Account]) -> list[list]:
    edges = []
    for a, b, weight, behaviour in cluster.edges:
        ends = _ints((a, b))
        if len(ends) == 2 and ends[0] in accounts and ends[1] in accounts:
            edges.append([ends[0], ends[1], round(float(weight), 4), behaviour])
    return edges


def _merge_edges(old: list, new: list) -> list:
    best: dict[tuple, list] = {}
    for edge in list(old) + list(new):
        key = (min(edge[0], edge[1]), max(edge[0], edge[1]), edge[3])
        if key not in best or edge[2] > best[key][2]:
            best[key] = edge
    return sorted(best.values(), key=lambda e: -e[2])[:MAX_EDGES]


def _title(behaviours: Sequence[str], accounts: int, instances: int) -> str:
    names = [behaviour_label(b) for b in behaviours] or ["coordinated activity"]
    what = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    where = f" on {instances} servers" if instances > 1 else ""
    return f"{what[0].upper()}{what[1:]} by {accounts} accounts{where}"[:200]


def _instances(account_ids) -> list[str]:
    return sorted(set(Account.objects.filter(pk__in=account_ids)
                      .values_list("domain", flat=True)))


def _create(cluster: Cluster, accounts: dict[int, Account], posts: list[Post], election: bool,
            previous: Incident | None) -> Incident:
    now = timezone.now()
    first = _when(cluster.first_seen, min((p.published for p in posts), default=now))
    last = _when(cluster.last_seen, max((p.published for p in posts), default=now))
    instances = sorted({a.domain for a in accounts.values()})
    behaviours = list(dict.fromkeys(cluster.behaviours))
    details = {"figures": dict(cluster.figures or {}),
               "edges": _merge_edges([], _edges(cluster, accounts)), "runs": 1}
    if previous is not None:
        details["previous_incident"] = previous.pk
    incident = Incident.objects.create(
        title=_title(behaviours, len(accounts), len(instances)), behaviours=behaviours,
        techniques=techniques_for(behaviours), strength=round(float(cluster.score), 4),
        first_seen=first, last_seen=max(first, last), instances=instances, details=details,
        election_mode=election, source="detector")
    stats = _member_stats(cluster, accounts, posts)
    IncidentMember.objects.bulk_create([IncidentMember(incident=incident, account_id=pk, **s)
                                        for pk, s in stats.items()])
    incident.evidence_posts.set(posts)
    return incident


def _grow(incident: Incident, cluster: Cluster, accounts: dict[int, Account],
          posts: list[Post]) -> bool:
    """Fold ``cluster`` into ``incident``; return whether it brought accounts or posts."""
    members = {m.account_id: m for m in incident.members.all()}
    stats = _member_stats(cluster, accounts, posts)
    added = [IncidentMember(incident=incident, account_id=pk, **s)
             for pk, s in stats.items() if pk not in members]
    IncidentMember.objects.bulk_create(added)
    for pk, s in stats.items():
        member = members.get(pk)
        if member is None:
            continue
        behaviours = list(dict.fromkeys(member.behaviours + s["behaviours"]))
        weight = max(member.weight, s["weight"])
        if behaviours != member.behaviours or weight != member.weight:
            member.behaviours, member.weight = behaviours, weight
            member.save(update_fields=["behaviours", "weight"])
    known = set(incident.evidence_posts.values_list("id", flat=True))
    room = max(0, MAX_EVIDENCE_POSTS - len(known))
    new_posts = [p for p in posts if p.pk not in known][:room]
    if new_posts:
        incident.evidence_posts.add(*new_posts)
        counts = defaultdict(int)
        for post in new_posts:
            counts[post.account_id] += 1
        for pk, n in counts.items():
            if pk in members:
                IncidentMember.objects.filter(pk=members[pk].pk).update(
                    evidence_count=members[pk].evidence_count + n)
    behaviours = list(dict.fromkeys(incident.behaviours + list(cluster.behaviours)))
    incident.behaviours = behaviours
    incident.techniques = list(dict.fromkeys(incident.techniques + techniques_for(behaviours)))
    incident.strength = max(incident.strength, round(float(cluster.score), 4))
    incident.first_seen = min(incident.first_seen, _when(cluster.first_seen, incident.first_seen))
    incident.last_seen = max(incident.last_seen, _when(cluster.last_seen, incident.last_seen))
    all_ids = set(members) | {m.account_id for m in added}
    incident.instances = _instances(all_ids)
    details = dict(incident.details or {})
    figures = dict(details.get("figures") or {})
    figures.update(cluster.figures or {})
    details.update(figures=figures, runs=int(details.get("runs", 1)) + 1,
                   edges=_merge_edges(details.get("edges") or [], _edges(cluster, accounts)))
    incident.details = details
    if incident.source == "detector":
        incident.title = _title(behaviours, len(all_ids), len(incident.instances))
    incident.save()
    return bool(added or new_posts)


def start_review(incident: Incident, *, by) -> Incident:
    """A moderator takes the incident up (open → under review)."""
    from rostra.moderation.services import audit

    if incident.status != Incident.Status.OPEN:
        raise IncidentError("Only an open incident can be taken up for review.")
    with transaction.atomic():
        Incident.objects.filter(pk=incident.pk).update(status=Incident.Status.REVIEWING)
        incident.status = Incident.Status.REVIEWING
        audit(by, "incident.review_started", None, incident=incident.pk)
    return incident


def dismiss(incident: Incident, *, by, reason: str) -> Incident:
    """Not coordinated, or not inauthentic: the incident closes and its accounts
    weigh fully in trends again. The reason is kept and logged."""
    from rostra.moderation.services import MAX_EXPLANATION, audit

    reason = (reason or "").strip()
    if incident.status not in LIVE:
        raise IncidentError("Only an open incident or one under review can be dismissed.")
    if not reason:
        raise IncidentError("Say why the incident is dismissed.", "reason")
    if len(reason) > MAX_EXPLANATION:
        raise IncidentError(f"Reasons are limited to {MAX_EXPLANATION} characters.", "reason")
    now = timezone.now()
    details = dict(incident.details or {}, closed_at=now.isoformat(), dismissal={
        "by": getattr(by, "username", None), "at": now.isoformat(), "reason": reason})
    with transaction.atomic():
        Incident.objects.filter(pk=incident.pk).update(status=Incident.Status.DISMISSED,
                                                       details=details, updated_at=now)
        incident.status, incident.details = Incident.Status.DISMISSED, details
        audit(by, "incident.dismissed", None, incident=incident.pk, reason=reason)
    return incident



# The rule a coordinated account breaks, quoted in each statement of reasons.
INAUTHENTIC_RULE = ("Coordinated inauthentic behaviour: accounts must not act in concert to "
                    "mislead people about who is behind content or how widely it is supported.")
ACT_MEASURES = ("label", "demote", "limit", "suspend")  # what the incident page offers


def act(incident: Incident, accounts: Sequence[Account], measure: str, *, by,
        explanation: str, facts: str = "", label: str = "",
        ends_at: datetime | None = None) -> list:
    """Act on ``accounts`` of the incident: one moderation case per account
    (elections category; opened by the moderator ``by``, or by automated detection
    when ``by`` is None) decided with ``measure`` on the ground of the rule against
    inauthentic behaviour. Post measures (label, demote) act on the account's
    evidence posts. Each account's facts name its own part in the incident. All or
    nothing; returns the decisions. Raises ``IncidentError``."""
    from rostra.moderation import decisions, services
    from rostra.moderation.models import POST_MEASURES, Automation, Category, Ground

    if incident.status == Incident.Status.DISMISSED:
        raise IncidentError("This incident was dismissed.")
    if measure not in ACT_MEASURES:
        raise IncidentError("Choose a measure.", "measure")
    members = {m.account_id: m for m in incident.members.select_related("account")}
    chosen = list(dict.fromkeys(a.pk for a in accounts))
    if not chosen:
        raise IncidentError("Choose the accounts to act on.", "accounts")
    if any(pk not in members for pk in chosen):
        raise IncidentError("Only accounts of this incident can be acted on here.", "accounts")
    evidence = defaultdict(list)
    for post in incident.evidence_posts.filter(account_id__in=chosen).order_by("id"):
        evidence[post.account_id].append(post)
    if measure in POST_MEASURES and any(not evidence[pk] for pk in chosen):
        raise IncidentError("This measure acts on posts; some of these accounts have no "
                            "evidence posts here.", "measure")
    taken, now = [], timezone.now()
    try:
        with transaction.atomic():
            for pk in chosen:
                member = members[pk]
                case = services.open_own_initiative(
                    by, account=member.account, posts=evidence[pk][:50],
                    category=Category.ELECTIONS, automated=by is None,
                    explanation=f"{incident}: {incident.summary or incident.title}",
                    evidence=_case_evidence(incident, member))
                taken.append(decisions.decide(
                    case, measure, by=by, explanation=explanation, ground=Ground.TERMS,
                    terms_ground=INAUTHENTIC_RULE, facts=_facts(incident, member, facts),
                    posts=evidence[pk] if measure in POST_MEASURES else None, label=label,
                    ends_at=ends_at, automated_detection=incident.source == "detector",
                    automated_decision=Automation.FULLY if by is None else Automation.NOT))
            details = dict(incident.details or {}, closed_at=now.isoformat())
            details["actions"] = list(details.get("actions") or []) + [{
                "at": now.isoformat(), "by": getattr(by, "username", None), "measure": measure,
                "decisions": {str(d.target_account_id): d.pk for d in taken}}]
            first_case = incident.case_id or taken[0].case_id
            Incident.objects.filter(pk=incident.pk).update(
                status=Incident.Status.ACTIONED, details=details, case_id=first_case,
                updated_at=now)
            incident.status, incident.details = Incident.Status.ACTIONED, details
            incident.case_id = first_case
            services.audit(by, "incident.actioned", taken[0].case, incident=incident.pk,
                           measure=measure, decisions=[d.pk for d in taken],
                           accounts=[members[pk].account.acct for pk in chosen])
    except services.NoticeError as exc:
        raise IncidentError(str(exc), exc.field) from None
    return taken


def _case_evidence(incident: Incident, member: IncidentMember) -> dict:
    return {"incident": incident.pk, "stix_id": incident.stix_id, "title": incident.title,
            "strength": incident.strength, "behaviours": member.behaviours,
            "techniques": incident.techniques, "weight": member.weight,
            "evidence_count": member.evidence_count}


def _facts(incident: Incident, member: IncidentMember, facts: str) -> str:
    """The account's own part in the incident, then what the moderator added."""
    others = incident.members.exclude(pk=member.pk).count()
    servers = len(incident.instances)
    found = ("Automated detection found" if incident.source == "detector"
             else "A partner's shared incident names")
    own = (f"{found} @{member.account.acct} acting in concert with "
           f"{others} other accounts on {servers} server{'s' if servers != 1 else ''} "
           f"between {incident.first_seen:%d %B %Y, %H:%M} and "
           f"{incident.last_seen:%d %B %Y, %H:%M} UTC ({incident}). Its part: "
           f"{', '.join(behaviour_label(b) for b in member.behaviours) or 'none recorded'}; "
           f"{member.evidence_count} of its posts are evidence.")
    return f"{own}\n\n{facts.strip()}" if facts and facts.strip() else own
