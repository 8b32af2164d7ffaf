"""The language of a post whose author did not say, guessed from its words.

py3langid ships its model inside the package (no download). Its guess is kept only
when the text has enough letters once links, mentions, hashtags and custom emoji are
taken out, and when the guess is confident; otherwise the language stays unknown,
as Mastodon leaves it, rather than wrong. The candidates are the EU's languages and
the other languages most written in Europe and around it, which makes the short
texts of a microblog much less ambiguous than all 97 of the model's languages.
"""

from __future__ import annotations

import re
import threading

CANDIDATES = (
    # the EU's official languages
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it",
    "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
    # regional and neighbouring languages, and the most spoken others
    "ca", "eu", "gl", "cy", "lb", "is", "no", "nb", "sq", "mk", "sr", "bs", "uk", "ru",
    "be", "tr", "ka", "hy", "az", "ar", "he", "fa", "ur", "hi", "bn", "zh", "ja", "ko",
    "vi", "th", "id", "ms", "sw",
)
MIN_LETTERS = 12
MIN_CONFIDENCE = 0.8

_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#][\w.@-]+|:[\w+-]+:", re.UNICODE)
_identifier = None
_lock = threading.Lock()


def _model():
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:  # loading takes most of a second: once per process
                from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

                ident = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE,
                                                          norm_probs=True)
                ident.set_languages([c for c in CANDIDATES if c in ident.nb_classes])
                _identifier = ident
    return _identifier


def detect(text: str) -> str:
    """The ISO 639-1 code of ``text``'s language, or "" when unsure."""
    cleaned = _NOISE.sub(" ", text or "")
    if sum(ch.isalpha() for ch in cleaned) < MIN_LETTERS:
        return ""
    code, confidence = _model().classify(cleaned)
    return code if confidence >= MIN_CONFIDENCE else ""
