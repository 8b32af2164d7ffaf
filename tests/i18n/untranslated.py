"""Find words in a Django template that no translation tag covers.

Every tag and variable is replaced by a marker, ``{% blocktranslate %}`` bodies and
comments vanish, and what an HTML parser then sees as text, or as a user-visible
attribute (alt, title, placeholder, aria-label, an input button's value), must hold no word.
Run as a script over template paths to list what is left to mark.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description",
                      "aria-roledescription", "aria-valuetext", "label", "summary"}
# Names and formats that read the same in every language.
UNTRANSLATED_WORDS = {"Rostra", "RSS", "STIX", "DISARM", "PDQ", "MD5", "SHA-256", "JSON",
                      "CSV", "TLP", "OAuth", "TOTP", "ActivityPub", "API", "URL", "DSA",
                      "ID", "SVG", "PNG", "WebFinger", "Mastodon", "GIF", "MP4", "X"}
MARK = "\x00"
WORD = re.compile(r"[^\W\d_][\w'’.-]*")


def _flatten(source: str) -> str:
    out, depth_block, depth_comment = [], 0, 0
    for token in Lexer(source).tokenize():
        content = token.contents.split(" ", 1)[0] if token.token_type == TokenType.BLOCK else ""
        if token.token_type == TokenType.BLOCK:
            if content in ("blocktranslate", "blocktrans"):
                depth_block += 1
            elif content in ("endblocktranslate", "endblocktrans"):
                depth_block -= 1
            elif content == "comment":
                depth_comment += 1
            elif content == "endcomment":
                depth_comment -= 1
            out.append(MARK)
        elif token.token_type == TokenType.TEXT:
            if not depth_block and not depth_comment:
                out.append(token.contents)
        else:
            out.append(MARK)
    return "".join(out)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        values = dict(attrs)
        for name, value in attrs:
            if value and (name in VISIBLE_ATTRIBUTES or (
                    name == "value" and tag == "input"
                    and values.get("type") in ("submit", "button", "reset"))):
                self._check(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._check(data)

    def _check(self, text: str) -> None:
        for part in text.split(MARK):
            words = [w for w in WORD.findall(part) if w.strip(".-") not in UNTRANSLATED_WORDS]
            if words:
                self.found.append(" ".join(part.split()))


def untranslated(path: Path) -> list[str]:
    """The pieces of visible text in the template at ``path`` that are not marked."""
    collector = _Collector()
    collector.feed(_flatten(path.read_text(encoding="utf-8")))
    collector.close()
    return collector.found


if __name__ == "__main__":
    for name in sys.argv[1:]:
        for text in untranslated(Path(name)):
            print(f"{name}: {text}")
