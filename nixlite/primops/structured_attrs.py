"""JSON for `__structuredAttrs`: attribute values as derivationStrict writes them into `__json`.

This is Nix's printValueAsJSON in strict mode with paths copied to the store:
strings keep their characters (the context is collected for the derivation's
inputs), paths become the store path of their copy, sets with `__toString`
or `outPath` become that string, other sets become objects with sorted keys.
Floats print as C++ `ostream << double` does (`%g`); strings escape `"`, `\\`,
newline, return, tab and other control characters (as `\\u00XX`), nothing
else.
"""

from __future__ import annotations

from typing import Any

from nixlite.eval.coerce import coerce_to_string
from nixlite.eval.errors import EvalError
from nixlite.eval.values import Attrs, ContextString, PathValue, call, force, type_name


def json_string(s: str) -> str:
    out = ['"']
    for c in s:
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 32:
            out.append("\\u%04x" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def value_to_json(state: Any, v: Any, context: set[str]) -> str:
    """The JSON text of `v`, adding the string context met to `context`."""
    v = force(v)
    t = type(v)
    if v is None:
        return "null"
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if t is float:
        return "%g" % v
    if t is str:
        return json_string(v)
    if t is ContextString:
        context |= v.context
        return json_string(v.s)
    if t is PathValue:
        s, ctx = coerce_to_string(state, v, copy_to_store=True)
        context |= ctx
        return json_string(s)
    if t is list:
        return "[" + ",".join(value_to_json(state, x, context) for x in v) + "]"
    if t is Attrs:
        return _attrs_to_json(state, v, context)
    # Nix points at the value itself (a function's own position) when it has one.
    raise EvalError(f"cannot convert {type_name(v)} to JSON", getattr(v, "pos", None))


def _attrs_to_json(state: Any, v: Attrs, context: set[str]) -> str:
    if "__toString" in v:
        s, ctx = coerce_to_string(state, call(v["__toString"], v), copy_to_store=False)
        context |= ctx
        return json_string(s)
    if "outPath" in v:
        return value_to_json(state, v["outPath"], context)
    return "{" + ",".join(f"{json_string(k)}:{value_to_json(state, v[k], context)}" for k in sorted(v)) + "}"
