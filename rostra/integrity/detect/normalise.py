"""Turning posts into comparable traces: normalised text, canonical URLs, hashtag
sets and handle templates. Each function is small and pure so the detectors and
their tests agree on what "the same" means."""

from __future__ import annotations

import re

_NOISE = re.compile(r"(?:https?://|www\.)\S+|@[\w.\-]+(?:@[\w.\-]+)?|^rt\b")
_HASHTAG = re.compile(r"#(\w+)")
_TRACKING = frozenset({"fbclid", "gclid", "dclid", "igshid", "mc_cid", "mc_eid", "ref_src",
                       "ref_url", "yclid", "_hsenc", "_hsmi", "mkt_tok", "si"})


class _Blanks(dict):
    """A ``str.translate`` table, filled as characters are met: what is neither a
    word character (``str.isalnum``) nor whitespace, and the underscore, becomes a
    space (the regular expression ``[^\\w\\s]|_``, without a regex engine)."""

    def __missing__(self, code: int):
        char = chr(code)
        value = code if (char.isalnum() or char.isspace()) and char != "_" else 32
        self[code] = value
        return value


_BLANKS = _Blanks()


def normalise_text(text: str) -> str:
    """Lower-case; URLs, mentions and a leading "RT" removed (wherever they start),
    then punctuation and underscores; whitespace collapsed. Words are then what
    ``str.split`` gives. This runs on every post, so the regular expression only
    runs on texts that can hold a link or a mention."""
    lowered = text.lower()
    if "@" in lowered or "://" in lowered or "www." in lowered or lowered.startswith("rt"):
        lowered = _NOISE.sub(" ", lowered)
    return " ".join(lowered.translate(_BLANKS).split())


def is_substantial(normalised: str, min_chars: int, min_words: int) -> bool:
    """Whether a normalised text is long enough that two people writing it
    independently would be a coincidence ("lol" and "thanks!" never are)."""
    return len(normalised) >= min_chars and normalised.count(" ") + 1 >= min_words


def normalise_url(url: str) -> str:
    """A canonical form: lower-case scheme and host, http as https, no "www.",
    user info, default port, fragment or tracking parameters (utm_*, fbclid, ...),
    no trailing slash. Plain string work (no decoding), so it is fast and never
    raises; two spellings of one link meet, two different links stay apart."""
    scheme, sep, rest = url.strip().partition("://")
    if not sep:
        scheme, rest = "https", scheme
    scheme = scheme.lower()
    if scheme == "http":
        scheme = "https"
    rest = rest.partition("#")[0]
    end = len(rest)
    for mark in "/?":
        found = rest.find(mark)
        if 0 <= found < end:
            end = found
    host = rest[:end].rpartition("@")[2].lower().rstrip(".")
    if host.endswith((":80", ":443")):
        host = host.rpartition(":")[0]
    if host.startswith("www."):
        host = host[4:]
    path, _, query = rest[end:].partition("?")
    if query:
        query = "&".join(p for p in query.split("&") if p and not _tracking(p))
    return f"{scheme}://{host}{path.rstrip('/')}" + (f"?{query}" if query else "")


def _tracking(parameter: str) -> bool:
    key = parameter.partition("=")[0].lower()
    return key.startswith("utm_") or key in _TRACKING


def url_domain(normalised_url: str) -> str:
    """The host of a URL made by :func:`normalise_url`."""
    rest = normalised_url.split("://", 1)[-1]
    return rest.split("/", 1)[0].split("?", 1)[0]


def hashtag_set(text: str) -> tuple[str, ...]:
    """The distinct hashtags of a text, lower-cased and sorted."""
    return tuple(sorted({tag.lower() for tag in _HASHTAG.findall(text)}))


def handle_shape(username: str) -> str:
    """The template a handle follows: a run of letters is "a", a run of digits
    "d" and its length, other characters kept: "anna1987" -> "ad4",
    "maria_k_77" -> "a_a_d2"."""
    out: list[str] = []
    for run in re.finditer(r"[^\W\d_]+|\d+|.", username.lower()):
        token = run.group()
        if token.isdigit():
            out.append(f"d{len(token)}")
        elif token.isalpha():
            out.append("a")
        else:
            out.append(token)
    return "".join(out)


def handle_stem(username: str) -> str:
    """The letters a templated handle starts with when digits follow ("patriot"
    for "patriot_4821"), or "" when the handle has no such stem."""
    match = re.fullmatch(r"([^\W\d_]{3,})[_.\-]?\d{2,}", username.lower())
    return match.group(1) if match else ""
