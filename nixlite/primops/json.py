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

from nixlite.eval import builtin_calls
from nixlite.eval.coerce import coerce_to_string, force_string_no_ctx
from nixlite.eval.errors import EvalError, NixError, hintfmt
from nixlite.eval.printer import format_float
from nixlite.eval.symbols import note_symbols
from nixlite.eval.values import Attrs, ContextString, Lambda, PathValue, Thunk, make_string, type_name
from nixlite.primops.json_errors import json_error_message
from nixlite.primops.registry import primop
from nixlite.primops.strings import to_bytes

_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def json_string(s: str) -> str:
    """A JSON string literal as Nix writes it."""
    if _NEEDS_ESCAPE.search(s) is None:  # the common case
        return '"' + s + '"'
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(0)) or "\\u%04x" % ord(m.group(0)), s) + '"'


def json_float(f: float) -> str:
    """A float as `std::ostream << double` prints it (as the value printer does)."""
    return format_float(f)


class JsonWriter:
    """Writes values as JSON text, collecting the string context of what it writes.

    Not `strict` (nix-instantiate --json without --strict), a value not yet
    evaluated is an error, as in Nix 2.8. A value that has no JSON form is
    reported at its own position (a function's) or else at the attribute
    holding it, with Nix 2.8's trace frame `message for the trace` at the
    latter.

    Like Nix's JSON writer, whose objects close their brackets when they are
    destroyed, a container being written is closed even when writing its
    contents fails: after an error, `text()` is what Nix has printed by then,
    e.g. `{"a":1,"b":}` (nix-instantiate --json prints that before the error).
    """

    def __init__(self, state: Any, strict: bool = True) -> None:
        self.state = state
        self.strict = strict
        self.out: list[str] = []
        self.context: set[str] = set()

    def text(self) -> str:
        return "".join(self.out)

    def write(self, v: Any, pos: Any = None) -> None:
        t = type(v)
        if t is Thunk:
            if v.code is not None and not self.strict:
                raise _not_convertible("a thunk", None, pos)
            v = v.force()
            t = type(v)
        out = self.out
        if t is str:
            out.append(json_string(v))
        elif t is ContextString:
            out.append(json_string(v.s))
            self.context.update(v.context)
        elif v is None:
            out.append("null")
        elif t is bool:
            out.append("true" if v else "false")
        elif t is int:
            out.append(str(v))
        elif t is float:
            out.append(json_float(v))
        elif t is list:
            self._list(v, pos)
        elif t is Attrs:
            self._attrs(v, pos)
        elif t is PathValue:
            self._coerced(v, copy_to_store=True)
        else:
            own_pos = getattr(v, "pos", None) if isinstance(v, Lambda) else None
            raise _not_convertible(type_name(v), own_pos, pos)

    def _coerced(self, v: Any, copy_to_store: bool) -> None:
        text, ctx = coerce_to_string(self.state, v, copy_to_store=copy_to_store)
        self.out.append(json_string(text))
        self.context.update(ctx)

    def _list(self, items: list[Any], pos: Any) -> None:
        out = self.out
        write = self.write
        out.append("[")
        try:
            for i, item in enumerate(items):
                if i:
                    out.append(",")
                write(item, pos)
        finally:
            out.append("]")

    def _attrs(self, s: Attrs, pos: Any) -> None:
        if "__toString" in s:
            try:
                self._coerced(s, copy_to_store=False)
            except NixError as err:
                raise err.at(pos)  # Nix reports a bad __toString result at the attribute
            return
        positions = s.positions or {}
        if "outPath" in s:
            self.write(s["outPath"], positions.get("outPath", pos))
            return
        out = self.out
        out.append("{")
        try:
            for i, name in enumerate(sorted(s)):
                if i:
                    out.append(",")
                out.append(json_string(name) + ":")
                self.write(s[name], positions.get(name, pos))
        finally:
            out.append("}")


def _not_convertible(what: str, own_pos: Any, pos: Any) -> EvalError:
    """Nix 2.8's error for a value without a JSON form, with its odd trace frame."""
    err = EvalError(hintfmt("cannot convert {} to JSON", what)).at(own_pos or pos)
    err.add_trace(pos, "message for the trace")
    return err


def to_json(state: Any, v: Any, out: list[str], context: set[str], strict: bool = True, pos: Any = None) -> None:
    """Append the JSON text of `v` to `out` and its string context to `context`
    (used by derivationStrict for `__structuredAttrs`); `pos` is where Nix
    reports a value without a JSON form when it knows no better place."""
    writer = JsonWriter(state, strict)
    writer.out = out
    writer.context = context
    writer.write(v, pos)


@primop("toJSON", 1, state=True)
def to_json_primop(state: Any, v: Any) -> Any:
    writer = JsonWriter(state)
    writer.write(v)
    return make_string(writer.text(), frozenset(writer.context))


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


def _keys_in_document_order(v: Any) -> list[str]:
    """Object keys as Nix's JSON parser meets them (it creates their symbols then)."""
    out: list[str] = []
    iterators = [iter((v,))]
    while iterators:
        item = next(iterators[-1], _END)
        if item is _END:
            iterators.pop()
        elif type(item) is tuple:  # (key, value) of an object
            out.append(_c_string(item[0]))
            iterators.append(iter((item[1],)))
        elif type(item) is dict:
            iterators.append(iter(item.items()))
        elif type(item) is list:
            iterators.append(iter(item))
    return out


_END = object()


def _c_string(s: str) -> str:
    """Nix strings end at a NUL character (they are C strings)."""
    return s.split("\0", 1)[0] if "\0" in s else s


@primop("fromJSON", 1)
def from_json(s: Any) -> Any:
    text = force_string_no_ctx(s)
    try:
        return _decode(text)
    except EvalError as err:  # (Nix's JSONParseError gets this frame, at the call)
        raise err.add_trace(builtin_calls.running_primop_pos, "while decoding a JSON string")


def _decode(text: str) -> Any:
    # Python accepts lone surrogate escapes, Nix's parser does not: let it judge those.
    problem = json_error_message(to_bytes(text)) if _SURROGATE_ESCAPE.search(text) else None
    if problem is None:
        try:
            parsed = json.loads(text, parse_int=_json_int, parse_float=_json_float, parse_constant=_reject_constant)
            if type(parsed) is dict or type(parsed) is list:
                note_symbols(_keys_in_document_order(parsed))
            return _to_nix(parsed)
        except (ValueError, RecursionError) as err:
            problem = json_error_message(to_bytes(text)) or f"[json.exception.parse_error.101] parse error: {err}"
    raise EvalError(problem).unpositioned()  # the JSON library's error carries no position in Nix
