"""The geometry of an incident's two charts, drawn as inline SVG by the template
(no JavaScript): the account network (accounts on a circle, grouped by server,
ties as lines as thick as they are strong) and the timeline of evidence posts
(boosts, replies and posts per time bin). Each comes with the rows of its text
alternative, so a screen reader gets the same facts as a table."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from rostra.integrity.incidents import behaviour_label

NETWORK_SIZE = 560
MAX_NODES = 120
LABELLED_NODES = 40  # above this, names are in the tooltips and the table only
TIMELINE_WIDTH, TIMELINE_HEIGHT = 640, 180
BINS = 48
# Colour-blind-safe palette (Okabe-Ito), one colour per server.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")
KIND_COLOURS = {"boost": "#0072B2", "reply": "#E69F00", "post": "#009E73"}
KIND_PLURALS = {"boost": gettext_lazy("boosts"), "reply": gettext_lazy("replies"),
                "post": gettext_lazy("posts")}
KIND_NAMES = {"boost": pgettext_lazy("noun", "boost"), "reply": pgettext_lazy("noun", "reply"),
              "post": pgettext_lazy("noun", "post")}


@dataclass
class Node:
    account_id: int
    acct: str
    domain: str
    x: float
    y: float
    r: float
    colour: str
    label_x: float
    label_y: float
    anchor: str


@dataclass
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    a: str
    b: str
    weight: float
    behaviour: str


def network(members, edges: list, labels: bool | None = None) -> dict:
    """Nodes on a circle (by server, then name), the ties between them, and a
    legend of servers. ``members``: IncidentMember with ``account`` loaded."""
    members = sorted(members, key=lambda m: -m.weight)[:MAX_NODES]
    members.sort(key=lambda m: (m.account.domain, m.account.username.lower()))
    domains = list(dict.fromkeys(m.account.domain for m in members))
    colours = {d: PALETTE[i % len(PALETTE)] for i, d in enumerate(domains)}
    centre, radius = NETWORK_SIZE / 2, NETWORK_SIZE / 2 - 90
    nodes: dict[int, Node] = {}
    for i, member in enumerate(members):
        angle = 2 * math.pi * i / max(len(members), 1) - math.pi / 2
        x, y = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
        lx, ly = centre + (radius + 12) * math.cos(angle), centre + (radius + 12) * math.sin(angle)
        nodes[member.account_id] = Node(
            member.account_id, member.account.acct, member.account.domain, round(x, 1),
            round(y, 1), round(4 + 6 * min(max(member.weight, 0.0), 1.0), 1),
            colours[member.account.domain], round(lx, 1), round(ly + 4, 1),
            "start" if math.cos(angle) >= 0 else "end")
    lines = []
    for a, b, weight, behaviour in edges:
        if a in nodes and b in nodes:
            na, nb = nodes[a], nodes[b]
            lines.append(Edge(na.x, na.y, nb.x, nb.y, round(0.5 + 3 * float(weight), 2),
                              na.acct, nb.acct, float(weight), _(behaviour_label(behaviour))))
    show = len(nodes) <= LABELLED_NODES if labels is None else labels
    return {"size": NETWORK_SIZE, "nodes": list(nodes.values()), "edges": lines,
            "labels": show, "legend": [(d or _("this server"), colours[d]) for d in domains],
            "hidden": max(0, len(members) - len(nodes))}


def _kind(post) -> str:
    if post.reblog_of_id:
        return "boost"
    return "reply" if post.in_reply_to_id else "post"


def timeline(posts) -> dict:
    """Evidence posts per time bin, stacked by kind, with the rows of its table."""
    posts = sorted(posts, key=lambda p: p.published)
    if not posts:
        return {"bars": [], "rows": [], "width": TIMELINE_WIDTH, "height": TIMELINE_HEIGHT}
    start, end = posts[0].published, posts[-1].published
    span = max((end - start).total_seconds(), 1.0)
    counts = [dict.fromkeys(KIND_COLOURS, 0) for _ in range(BINS)]
    for post in posts:
        index = min(BINS - 1, int((post.published - start).total_seconds() / span * BINS))
        counts[index][_kind(post)] += 1
    tallest = max(sum(c.values()) for c in counts)
    plot_h, bar_w = TIMELINE_HEIGHT - 40, (TIMELINE_WIDTH - 20) / BINS
    bars, rows = [], []
    for index, count in enumerate(counts):
        bottom = TIMELINE_HEIGHT - 24
        bin_start = start + (end - start) * index / BINS
        for kind, n in count.items():
            if not n:
                continue
            height = plot_h * n / tallest
            bottom -= height
            bars.append({"x": round(10 + index * bar_w, 1), "y": round(bottom, 1),
                         "w": round(max(bar_w - 1, 1), 1), "h": round(height, 1),
                         "colour": KIND_COLOURS[kind], "kind": kind, "n": n,
                         "kind_label": KIND_NAMES[kind],
                         "when": bin_start})
        if sum(count.values()):
            rows.append({"when": bin_start, **count})
    return {"bars": bars, "rows": rows, "start": start, "end": end, "width": TIMELINE_WIDTH,
            "height": TIMELINE_HEIGHT, "axis_y": TIMELINE_HEIGHT - 24,
            "kinds": [(KIND_PLURALS[k], c) for k, c in KIND_COLOURS.items()], "tallest": tallest}
