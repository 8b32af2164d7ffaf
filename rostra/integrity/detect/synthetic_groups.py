"""The planted half of a synthetic world: coordinated groups with partial
participation, timing jitter, near-duplicate templates and slow evaders.

Planned before the organic traffic (so the world has exactly the asked number of
messages) and emitted after it (so replies and boosts can target organic posts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .records import (
    CO_BOOST,
    CO_HASHTAG,
    CO_IMAGE,
    CO_LINK,
    CO_REPLY,
    CO_TEXT,
    HANDLE_PATTERN,
    NEAR_DUPLICATE_TEXT,
    SYNCHRONIZED_CREATION,
    AccountInfo,
)
from .synthetic import (
    CONTENT_BEHAVIOURS,
    DAY,
    FIRST,
    LAST,
    STYLES,
    VOCAB,
    PlantedGroup,
    _Builder,
)

HANDLE_TEMPLATES = ("{first}{last}{d8}", "{word}_{word2}{d3}", "{first}_{word}{d2}")
SHADY_TLDS = ("info", "news", "online", "site", "live")


@dataclass
class _Action:
    behaviour: str
    t0: np.ndarray  # per action
    part: np.ndarray  # bool (actions, members)
    offset: np.ndarray  # seconds (actions, members)
    organic_target: np.ndarray  # bool per action (co_boost: organic post, not a seed's)


@dataclass
class Plan:
    groups: list[PlantedGroup]
    accounts: list[AccountInfo]
    activity: np.ndarray
    n_messages: int
    first_index: int  # user index of the first planted account
    members: list[np.ndarray] = field(default_factory=list)  # user indices per group
    seeds: list[np.ndarray] = field(default_factory=list)
    actions: list[list[_Action]] = field(default_factory=list)
    extras: list[dict] = field(default_factory=list)  # per group: domains, hashtags
    emitted: list[tuple[np.ndarray, int, str]] = field(default_factory=list)

    def emit(self, b: _Builder) -> None:
        """Add the planted messages; call after the organic originals exist."""
        r = b.rng
        orig_ts, orig_author = b.ts[0], b.author[0]
        top = np.argsort(np.bincount(orig_author))[-50:]  # the most active authors
        popular = np.flatnonzero(np.isin(orig_author, top))
        for g, acts in enumerate(self.actions):
            mem, extra = self.members[g], self.extras[g]
            for act in acts:
                beh = act.behaviour
                for a in range(len(act.t0)):
                    who = mem[act.part[a]]
                    off = act.offset[a][act.part[a]]
                    m = len(who)
                    t0, target = float(act.t0[a]), None
                    if beh == CO_REPLY or (beh == CO_BOOST and act.organic_target[a]):
                        tgt = int(r.choice(popular))
                        t0 = float(orig_ts[tgt]) + r.uniform(60, 1800)
                        target = np.full(m, tgt)
                    elif beh == CO_BOOST:
                        seed = int(self.seeds[g][a % len(self.seeds[g])])
                        tgt = int(b.add([t0], [seed], 0, text=b.texts(1, 6, 20))[0])
                        t0 += r.uniform(20, 120)
                        target = np.full(m, tgt)
                    ts = t0 + off
                    if beh == CO_BOOST:
                        idx = b.add(ts, who, 1, target=target)
                    elif beh == CO_REPLY:
                        idx = b.add(ts, who, 2, target=target, text=b.texts(m, 3, 15))
                    else:
                        idx = b.add(ts, who, 0, **_content(b, beh, m, extra))
                    self.emitted.append((idx, g, beh))

    def labels(self, b: _Builder) -> list[tuple[str, tuple[int, str]]]:
        return [(str(int(b.rank[i])), (g, beh)) for idx, g, beh in self.emitted
                for i in idx.tolist()]


def _content(b: _Builder, beh: str, m: int, extra: dict) -> dict:
    """Text, URLs and images of one action's ``m`` posts."""
    r = b.rng
    if beh == CO_TEXT:
        return {"text": b.texts(1, 12, 25) * m}
    if beh == NEAR_DUPLICATE_TEXT:
        return {"text": _near_duplicates(b, m)}
    text = b.texts(m, 3, 18)
    if beh == CO_LINK:
        url = f"https://{extra['domains'][r.integers(len(extra['domains']))]}/{b.slug()}"
        return {"text": text, "urls": [(url,)] * m}
    if beh == CO_HASHTAG:
        return {"text": [f"{t} {extra['hashtags']}" for t in text]}
    if beh == CO_IMAGE:  # the same picture; some copies re-encoded (a few PDQ bits off)
        base = int(b.hex_hashes(1)[0], 16)
        out = []
        for _ in range(m):
            h = base
            if r.random() < 0.3:
                for bit in r.choice(256, size=int(r.integers(1, 5)), replace=False).tolist():
                    h ^= 1 << bit
            out.append((f"{h:064x}",))
        return {"text": text, "images": out}
    raise ValueError(beh)


def _near_duplicates(b: _Builder, m: int) -> list[str]:
    """One template, ``m`` copies: four slots with three wordings each, and a typo
    in half of them (pairwise Jaccard around 0.6-0.85)."""
    r = b.rng
    words = list(VOCAB[r.integers(40, 2000, size=int(r.integers(16, 23)))])
    slots = r.choice(len(words), size=4, replace=False)
    alts = {int(s): [words[s]] + list(VOCAB[r.integers(40, 2000, size=2)]) for s in slots}
    out = []
    for _ in range(m):
        w = list(words)
        for s, options in alts.items():
            w[s] = options[r.integers(3)]
        if r.random() < 0.5:
            i = int(r.integers(len(w)))
            j = int(r.integers(len(w[i])))
            w[i] = w[i][:j] + w[i][j + 1:] or w[i]
        out.append(" ".join(w))
    return out


def _handles(r: np.random.Generator, template: str, n: int, seen: set[str]) -> list[str]:
    out, tries = [], 0
    while len(out) < n:
        tries += 1
        word, word2 = VOCAB[r.integers(40, 3000, size=2)]
        name = template.format(first=FIRST[r.integers(len(FIRST))],
                               last=LAST[r.integers(len(LAST))], word=word, word2=word2,
                               d8=f"{int(r.integers(10**8)):08d}",
                               d3=f"{int(r.integers(1000)):03d}",
                               d2=f"{int(r.integers(100)):02d}")
        if tries > 20 * n + 100:  # the template is used up: make it unique
            name += str(tries)
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def plant_groups(b: _Builder, first_index: int, seen: set[str]) -> Plan:
    """Plan the groups: members, behaviours, styles, per-action participation and
    timing offsets; accounts get user indices from ``first_index`` on."""
    r, k = b.rng, b.k
    deck = list(CONTENT_BEHAVIOURS)
    r.shuffle(deck)
    plan = Plan([], [], np.zeros(0), 0, first_index)
    activity, next_index = [], first_index
    for g in range(k.groups):
        size = int(r.integers(k.group_size[0], k.group_size[1] + 1))
        n_beh = int(r.integers(k.behaviours_per_group[0], k.behaviours_per_group[1] + 1))
        behs: list[str] = []
        while len(behs) < n_beh:  # deal from a shuffled deck: every behaviour appears
            if not deck:
                deck = list(CONTENT_BEHAVIOURS)
                r.shuffle(deck)
            nxt = deck.pop()
            if nxt in behs:
                deck.insert(0, nxt)
                nxt = next(x for x in CONTENT_BEHAVIOURS if x not in behs)
            behs.append(nxt)
        style = STYLES[g % len(STYLES)]
        burst = bool(r.random() < k.burst_creation_share)
        template = HANDLE_TEMPLATES[g % len(HANDLE_TEMPLATES)] if burst else ""
        n_seeds = 2 if CO_BOOST in behs else 0
        # Members: a burst on one day with a handle template, or aged accounts.
        if burst:
            names = _handles(r, template, size, seen)
            created = (k.start - r.uniform(1, 60) * DAY + r.uniform(0, 3 * 3600)
                       + r.uniform(0, r.uniform(1800, 10800), size))
        else:
            names = _handles(r, "{first}{last}{d2}", size, seen)
            created = k.start - r.uniform(30, 3 * 365, size) * DAY
        seed_names = _handles(r, "{first}_{last}{d3}", n_seeds, seen)
        seed_created = k.start - r.uniform(100, 3 * 365, n_seeds) * DAY
        ids = np.arange(next_index, next_index + size)
        seeds = np.arange(next_index + size, next_index + size + n_seeds)
        next_index += size + n_seeds
        plan.accounts += [AccountInfo(str(i + 1), n, float(c)) for i, n, c in
                          zip(np.concatenate([ids, seeds]).tolist(), names + seed_names,
                              np.concatenate([created, seed_created]).tolist(), strict=True)]
        activity.append((r.pareto(k.activity_alpha, size + n_seeds) + 1) * 0.5)
        truth = tuple(behs) + ((SYNCHRONIZED_CREATION, HANDLE_PATTERN) if burst else ())
        plan.groups.append(PlantedGroup(
            f"group-{g + 1}", [str(i + 1) for i in ids.tolist()], truth, style,
            [str(i + 1) for i in seeds.tolist()], burst, template))
        plan.members.append(ids)
        plan.seeds.append(seeds)
        p = r.uniform(*k.participation)
        acts = []
        for beh in behs:
            n_act = int(r.integers(k.actions[0], k.actions[1] + 1))
            part = r.random((n_act, size)) < p
            for j in np.flatnonzero(part.sum(axis=0) < 2).tolist():  # everyone acts twice+
                part[r.choice(n_act, size=2, replace=False), j] = True
            if style == "fast":
                offset = np.minimum(r.exponential(k.fast_jitter, (n_act, size)), 60.0)
            elif style == "jittered":
                offset = r.uniform(0, k.jitter, (n_act, size))
            else:
                offset = r.uniform(0, k.evader_spread, (n_act, size))
            organic = r.random(n_act) < 0.3
            acts.append(_Action(beh, b.times(n_act), part, offset, organic))
            plan.n_messages += int(part.sum())
            if beh == CO_BOOST:
                plan.n_messages += int((~organic).sum())  # the seeds' own posts
        plan.actions.append(acts)
        tld = SHADY_TLDS[g % len(SHADY_TLDS)]
        plan.extras.append({
            "domains": [f"{VOCAB[r.integers(40, 3000)]}-{VOCAB[r.integers(40, 3000)]}.{tld}"
                        for _ in range(int(r.integers(1, 4)))],
            "hashtags": " ".join("#" + "".join(w.capitalize() for w in
                                               VOCAB[r.integers(40, 3000, size=2)])
                                 for _ in range(int(r.integers(2, 4)))),
        })
    plan.activity = np.concatenate(activity) if activity else np.zeros(0)
    return plan
