r"""Printing values exactly as `nix-instantiate --eval` (Nix 2.8) prints them.

    { a = 1; b = [ 1 2 ]; "c d" = "x\n"; f = <LAMBDA>; p = /abs; t = <CODE>; }

Attribute names are sorted and quoted unless they are plain identifiers;
strings escape `"`, `\`, newline, carriage return, tab and `${`; floats use
C++ ostream's default (six significant digits, `%g`); functions print as
`<LAMBDA>`, `<PRIMOP>`, `<PRIMOP-APP>`; a value not yet evaluated prints as
`<CODE>` (and one being evaluated as `«potential infinite recursion»`). A
non-empty list or set met a second time prints `«repeated»` — Nix tracks
the containers it has printed, so this marks shared values as well as cycles.
"""

from __future__ import annotations

import re
from typing import Any

from nixlite.eval.values import Attrs, ContextString, Lambda, PathValue, PrimOp, PrimOpApp, Thunk

_IDENT = re.compile(r"[a-zA-Z_][a-zA-Z0-9_'-]*\Z")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'["\\\n\r\t]|\$\{')


def escape_string(s: str) -> str:
    """A Nix string literal for `s`, as Nix prints it."""
    if not _NEEDS_ESCAPE.search(s):
        return '"' + s + '"'
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(), "\\${"), s) + '"'


def format_attr_name(name: str) -> str:
    return name if _IDENT.match(name) else escape_string(name)


def format_float(f: float) -> str:
    """C++ `ostream << double` with default flags."""
    if f != f:
        return "-nan" if str(f).startswith("-") else "nan"
    if f in (float("inf"), float("-inf")):
        return "inf" if f > 0 else "-inf"
    return "%g" % f


def print_value(v: Any) -> str:
    """The text nix-instantiate prints for `v` (not forced any further)."""
    out: list[str] = []
    _print(v, out, set())
    return "".join(out)


def _print(v: Any, out: list[str], seen: set[int]) -> None:
    # An explicit stack: long lists and deep nesting do not recurse in Python.
    stack: list[Any] = [v]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is _Text:
            out.append(v.text)
            continue
        if t is Thunk:
            if v.code is None:
                v = v.value
                t = type(v)
            else:
                out.append("«potential infinite recursion»" if v.code is Thunk._BLACKHOLE else "<CODE>")
                continue
        if t is Attrs:
            if v and id(v) in seen:
                out.append("«repeated»")
                continue
            seen.add(id(v))
            items: list[Any] = [_Text("{ ")]
            for name in sorted(v):
                items.append(_Text(format_attr_name(name) + " = "))
                items.append(v[name])
                items.append(_SEMI)
            items.append(_CLOSE_SET)
            stack.extend(reversed(items))
        elif t is list:
            if v and id(v) in seen:
                out.append("«repeated»")
                continue
            seen.add(id(v))
            items = [_OPEN_LIST]
            for item in v:
                items.append(item)
                items.append(_SPACE)
            items.append(_CLOSE_LIST)
            stack.extend(reversed(items))
        else:
            out.append(_scalar(v))


def _scalar(v: Any) -> str:
    t = type(v)
    if t is str:
        return escape_string(v)
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if v is None:
        return "null"
    if t is float:
        return format_float(v)
    if t is ContextString:
        return escape_string(v.s)
    if t is PathValue:
        return v.path
    if t is PrimOp:
        return "<PRIMOP>"
    if t is PrimOpApp:
        return "<PRIMOP-APP>"
    if isinstance(v, Lambda):
        return "<LAMBDA>"
    return "«unknown»"


class _Text:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


_SEMI, _SPACE = _Text("; "), _Text(" ")
_CLOSE_SET, _OPEN_LIST, _CLOSE_LIST = _Text("}"), _Text("[ "), _Text("]")

__all__ = ["print_value", "escape_string", "format_attr_name", "format_float"]
