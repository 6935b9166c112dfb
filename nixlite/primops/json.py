"""toJSON and fromJSON, with the exact text Nix 2.8 produces and accepts.

toJSON writes compact JSON: object keys sorted, strings escaped only for
`"`, `\\`, `\\n`, `\\r`, `\\t` and other control characters (`\\u00XX`), other
characters as they are; floats as C++ streams print them (`%g`: six
significant digits, so 0.123456789 becomes 0.123457 — Nix 2.8's output);
sets with `__toString` or `outPath` as that string; paths copied to the store.
The string carries the context of everything written into it.

fromJSON maps integers to integers (wrapping like Nix between 2^63 and 2^64,
and to floats beyond), other numbers to floats, objects to sets (a repeated
key keeps its last value).
"""

from __future__ import annotations

import json
import re
from typing import Any

from nixlite.eval.coerce import coerce_to_string, force_string_ctx
from nixlite.eval.errors import EvalError
from nixlite.eval.values import Attrs, ContextString, PathValue, Thunk, force, make_string, type_name
from nixlite.primops.json_errors import json_error_message
from nixlite.primops.registry import primop
from nixlite.primops.strings import to_bytes

_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def json_string(s: str) -> str:
    """A JSON string literal as Nix writes it."""
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(0)) or "\\u%04x" % ord(m.group(0)), s) + '"'


def json_float(f: float) -> str:
    """A float as `std::ostream << double` prints it."""
    return "%g" % f


def to_json(state: Any, v: Any, out: list[str], context: set[str], strict: bool = True) -> None:
    """Append the JSON text of `v` to `out`, collecting string context.

    Not `strict` (nix-instantiate --json without --strict), a value not yet
    evaluated is an error, as in Nix.
    """
    if type(v) is Thunk and v.code is not None and not strict:
        raise EvalError("cannot convert a thunk to JSON")
    v = force(v)
    t = type(v)
    if t is str:
        out.append(json_string(v))
    elif t is ContextString:
        out.append(json_string(v.s))
        context.update(v.context)
    elif v is None:
        out.append("null")
    elif t is bool:
        out.append("true" if v else "false")
    elif t is int:
        out.append(str(v))
    elif t is float:
        out.append(json_float(v))
    elif t is list:
        _list_to_json(state, v, out, context, strict)
    elif t is Attrs:
        _attrs_to_json(state, v, out, context, strict)
    elif t is PathValue:
        text, ctx = coerce_to_string(state, v)
        out.append(json_string(text))
        context.update(ctx)
    else:
        raise EvalError(f"cannot convert {type_name(v)} to JSON")


def _list_to_json(state: Any, items: list[Any], out: list[str], context: set[str], strict: bool) -> None:
    out.append("[")
    for i, item in enumerate(items):
        if i:
            out.append(",")
        to_json(state, item, out, context, strict)
    out.append("]")


def _attrs_to_json(state: Any, s: Attrs, out: list[str], context: set[str], strict: bool) -> None:
    if "__toString" in s:
        text, ctx = coerce_to_string(state, s, copy_to_store=False)
        out.append(json_string(text))
        context.update(ctx)
        return
    if "outPath" in s:
        to_json(state, s["outPath"], out, context, strict)
        return
    out.append("{")
    for i, name in enumerate(sorted(s)):
        if i:
            out.append(",")
        out.append(json_string(name))
        out.append(":")
        to_json(state, s[name], out, context, strict)
    out.append("}")


@primop("toJSON", 1, state=True)
def to_json_primop(state: Any, v: Any) -> Any:
    out: list[str] = []
    context: set[str] = set()
    to_json(state, v, out, context)
    return make_string("".join(out), frozenset(context))


def value_to_json(state: Any, v: Any, strict: bool = True) -> str:
    """What `nix-instantiate --eval --json` prints (Nix adds no newline after it)."""
    out: list[str] = []
    to_json(state, v, out, set(), strict)
    return "".join(out)


def _json_int(text: str) -> int | float:
    n = int(text)
    if -2**63 <= n < 2**63:
        return n
    if 0 <= n < 2**64:
        return n - 2**64  # an unsigned 64-bit number, read back as signed
    return float(text)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid literal '{name}'")


def _json_float(text: str) -> float:
    f = float(text)
    if f in (float("inf"), float("-inf")):
        raise EvalError(f"[json.exception.out_of_range.406] number overflow parsing '{text}'").unpositioned()
    return f


def _to_nix(v: Any) -> Any:
    t = type(v)
    if t is dict:
        return Attrs({k: _to_nix(v[k]) for k in sorted(v)})  # names may hold NUL (std::string)
    if t is list:
        return [_to_nix(x) for x in v]
    if t is str:
        return _c_string(v)
    return v


def _c_string(s: str) -> str:
    """Nix strings end at a NUL character (they are C strings)."""
    return s.split("\0", 1)[0] if "\0" in s else s


@primop("fromJSON", 1)
def from_json(s: Any) -> Any:
    text = force_string_ctx(s)[0]
    # Python accepts lone surrogate escapes, Nix's parser does not: let it judge those.
    problem = json_error_message(to_bytes(text)) if _SURROGATE_ESCAPE.search(text) else None
    if problem is None:
        try:
            return _to_nix(json.loads(text, parse_int=_json_int, parse_float=_json_float, parse_constant=_reject_constant))
        except (ValueError, RecursionError) as err:
            problem = json_error_message(to_bytes(text)) or f"[json.exception.parse_error.101] parse error: {err}"
    raise EvalError(problem).unpositioned()  # the JSON library's error carries no position in Nix
