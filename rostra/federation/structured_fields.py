"""Structured Field Values for HTTP (RFC 8941): the parts RFC 9421 signatures and
RFC 9530 digests need — dictionaries, inner lists, parameters and bare items — and
their serialisation.

A value is returned as a ``Item(value, params)``; an inner list as ``InnerList(items,
params)``. Byte sequences parse to ``bytes``, tokens to ``Token``, strings to ``str``.
Anything malformed raises ``StructuredFieldError`` (a ``ValueError``).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field


class StructuredFieldError(ValueError):
    pass


class Token(str):
    """A bare token (serialised without quotes)."""


@dataclass(frozen=True)
class Item:
    value: object
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class InnerList:
    items: list[Item]
    params: dict[str, object] = field(default_factory=dict)


_KEY_RE = re.compile(r"[a-z*][a-z0-9_\-.*]*")
_TOKEN_RE = re.compile(r"[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*")
_NUMBER_RE = re.compile(r"-?\d{1,15}(?:\.\d{1,3})?")
_BYTES_RE = re.compile(r":([A-Za-z0-9+/=]*):")


class _Parser:
    def __init__(self, text: str):
        if not isinstance(text, str) or not text.isascii():
            raise StructuredFieldError("Structured fields are ASCII text.")
        self.s = text
        self.i = 0

    def error(self, what: str) -> StructuredFieldError:
        return StructuredFieldError(f"{what} at position {self.i}")

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def skip_sp(self) -> None:
        while self.peek() == " ":
            self.i += 1

    def skip_ows(self) -> None:
        while self.peek() in (" ", "\t") and self.peek():
            self.i += 1

    def key(self) -> str:
        m = _KEY_RE.match(self.s, self.i)
        if not m:
            raise self.error("Expected a key")
        self.i = m.end()
        return m.group()

    def bare_item(self) -> object:
        c = self.peek()
        if c == '"':
            return self.string()
        if c == ":":
            m = _BYTES_RE.match(self.s, self.i)
            if not m:
                raise self.error("Malformed byte sequence")
            self.i = m.end()
            try:
                return base64.b64decode(m.group(1), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise self.error("Malformed base64") from exc
        if c == "?":
            if self.s[self.i + 1: self.i + 2] in ("0", "1"):
                self.i += 2
                return self.s[self.i - 1] == "1"
            raise self.error("Malformed boolean")
        if c == "-" or c.isdigit():
            m = _NUMBER_RE.match(self.s, self.i)
            if not m:
                raise self.error("Malformed number")
            self.i = m.end()
            text = m.group()
            return float(text) if "." in text else int(text)
        m = _TOKEN_RE.match(self.s, self.i)
        if not m:
            raise self.error("Expected an item")
        self.i = m.end()
        return Token(m.group())

    def string(self) -> str:
        self.i += 1
        out = []
        while self.i < len(self.s):
            c = self.s[self.i]
            self.i += 1
            if c == "\\":
                nxt = self.peek()
                if nxt not in ('"', "\\"):
                    raise self.error("Bad escape in string")
                out.append(nxt)
                self.i += 1
            elif c == '"':
                return "".join(out)
            elif not (0x20 <= ord(c) < 0x7F):
                raise self.error("Control character in string")
            else:
                out.append(c)
        raise self.error("Unterminated string")

    def params(self) -> dict[str, object]:
        params: dict[str, object] = {}
        while self.peek() == ";":
            self.i += 1
            self.skip_sp()
            name = self.key()
            value: object = True
            if self.peek() == "=":
                self.i += 1
                value = self.bare_item()
            params[name] = value
        return params

    def item_or_inner_list(self) -> Item | InnerList:
        if self.peek() == "(":
            self.i += 1
            items = []
            while True:
                self.skip_sp()
                if self.peek() == ")":
                    self.i += 1
                    return InnerList(items, self.params())
                value = self.bare_item()
                items.append(Item(value, self.params()))
                if self.peek() not in (" ", ")"):
                    raise self.error("Expected a space or ')' in inner list")
        value = self.bare_item()
        return Item(value, self.params())

    def dictionary(self) -> dict[str, Item | InnerList]:
        result: dict[str, Item | InnerList] = {}
        self.skip_sp()
        while self.i < len(self.s):
            name = self.key()
            if self.peek() == "=":
                self.i += 1
                result[name] = self.item_or_inner_list()
            else:
                result[name] = Item(True, self.params())
            self.skip_ows()
            if self.i >= len(self.s):
                return result
            if self.peek() != ",":
                raise self.error("Expected ','")
            self.i += 1
            self.skip_ows()
            if self.i >= len(self.s):
                raise self.error("Trailing comma")
        return result


def parse_dictionary(text: str) -> dict[str, Item | InnerList]:
    """Parse an RFC 8941 Dictionary (e.g. ``Signature-Input``, ``Content-Digest``)."""
    return _Parser(text.strip(" ")).dictionary()


def serialize_bare_item(value: object) -> str:
    if isinstance(value, bool):
        return "?1" if value else "?0"
    if isinstance(value, Token):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.1f}"
    if isinstance(value, bytes):
        return ":" + base64.b64encode(value).decode() + ":"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise StructuredFieldError(f"Cannot serialise {type(value).__name__}")


def serialize_params(params: dict[str, object]) -> str:
    return "".join(
        f";{name}" if value is True else f";{name}={serialize_bare_item(value)}"
        for name, value in params.items()
    )


def serialize_item(item: Item) -> str:
    return serialize_bare_item(item.value) + serialize_params(item.params)


def serialize_inner_list(inner: InnerList) -> str:
    return "(" + " ".join(serialize_item(i) for i in inner.items) + ")" + serialize_params(
        inner.params
    )
