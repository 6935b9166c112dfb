"""JSON text exactly as `jshon` (jansson, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ESCAPE_SLASH) prints it.

The seed's recipe builds every legacy json (`<id>/json`, `repositories`)
with jshon, and the layer id is the sha256 of that text, so the bytes
matter: one space of indentation per level, `"key": value`, `,` at line
ends, `{}`/`[]` for empty containers, `/` escaped as `\\/`, control
characters as `\\u00XX` (upper-case hex) except the short escapes, other
characters raw UTF-8, reals as C's `%.17g` (with `.0` added when that looks
like an integer), and a newline after the value. Checked against the real
jshon in tests/docker/test_jshon.py.
"""

from __future__ import annotations

import math
from typing import Any, Final

_SHORT_ESCAPES: Final = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n",
                         "\r": "\\r", "\t": "\\t", "/": "\\/"}


def _string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append("\\u%04X" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _real(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        raise ValueError("jshon cannot write NaN or infinity")
    text = "%.17g" % value
    if "." not in text and "e" not in text:
        text += ".0"
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else ""
        text = f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"
    return text


def _dump(value: Any, depth: int, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(_real(value))
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, (list, tuple)):
        _container("[", "]", [(None, v) for v in value], depth, out)
    elif isinstance(value, dict):
        _container("{", "}", list(value.items()), depth, out)
    else:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _container(open_: str, close: str, items: list[tuple[str | None, Any]], depth: int, out: list[str]) -> None:
    if not items:
        out.append(open_ + close)
        return
    out.append(open_)
    inner = "\n" + " " * (depth + 1)
    for i, (key, item) in enumerate(items):
        out.append(inner)
        if key is not None:
            out.append(_string(key) + ": ")
        _dump(item, depth + 1, out)
        if i < len(items) - 1:
            out.append(",")
    out.append("\n" + " " * depth + close)


def jshon_dumps(value: Any) -> str:
    """`value` as jshon prints it, trailing newline included."""
    out: list[str] = []
    _dump(value, 0, out)
    return "".join(out) + "\n"
