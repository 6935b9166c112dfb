"""Coercions between Nix values, and the argument checks builtins share.

`coerce_to_string` is Nix's `coerceToString`: what string interpolation,
`+` on strings, `toString` and derivation attributes do to a value. Its two
flags are Nix's:

- `copy_to_store` — a path becomes the store path of its copy (and that store
  path becomes the string's context), as in `"${./file}"`; without it the path
  text is used, as in `toString ./file`.
- `coerce_more` — also accept null, Booleans, numbers and lists (the rules of
  `toString` and of derivation attributes): null and false give "", true gives
  "1", floats print with six decimals (C++ `std::to_string`), and list
  elements are joined by spaces, except that no space follows an element that
  is an empty list (a quirk Nix keeps).

Sets coerce through `__toString` (called with the set itself; its result is
coerced again with the same flags) or else through `outPath`.

The `force_*` helpers force a value and check its type with Nix's wording,
`value is an integer while a string was expected`; every builtin checks its
arguments through them so the messages stay uniform.
"""

from __future__ import annotations

from typing import Any

from nixlite.eval.errors import EvalError, TypeError_, hintfmt
from nixlite.eval.values import (
    EMPTY_CONTEXT, Attrs, ContextString, Lambda, PathValue, PrimOp, PrimOpApp, Thunk, call, force, type_name,
)

# The expected-type phrases Nix uses after "while … was expected".
_EXPECTED_NAMES = {
    "string": "a string", "int": "an integer", "float": "a float", "bool": "a Boolean",
    "list": "a list", "set": "a set", "function": "a function", "path": "a path", "null": "null",
}


def type_error(v: Any, expected: str) -> TypeError_:
    """The error for a value of the wrong type: `value is a list while a set was expected`."""
    return TypeError_(hintfmt("value is {} while " + _EXPECTED_NAMES.get(expected, expected) + " was expected", type_name(v)))


def force_string(v: Any) -> str:
    """Force `v`, require a string, and return its characters (context dropped)."""
    v = force(v)
    t = type(v)
    if t is str:
        return v
    if t is ContextString:
        return v.s
    raise type_error(v, "string")


def force_string_ctx(v: Any) -> tuple[str, frozenset[str]]:
    """Force `v`, require a string, and return its characters with its context."""
    v = force(v)
    t = type(v)
    if t is str:
        return v, EMPTY_CONTEXT
    if t is ContextString:
        return v.s, v.context
    raise type_error(v, "string")


def force_string_no_ctx(v: Any, what: str = "") -> str:
    """Force a string that must not have context (attribute names, hash algorithms, …)."""
    s, ctx = force_string_ctx(v)
    if ctx:
        raise EvalError(hintfmt("the string '{}' is not allowed to refer to a store path (such as '{}')", s, sorted(ctx)[0]))
    return s


def _force_exact(v: Any, pytype: type, expected: str) -> Any:
    v = force(v)
    if type(v) is not pytype:
        raise type_error(v, expected)
    return v


def force_int(v: Any) -> int:
    return _force_exact(v, int, "int")  # type: ignore[no-any-return]


def force_number(v: Any) -> int | float:
    """An integer or a float (`value is a string while an integer was expected` otherwise)."""
    v = force(v)
    if type(v) is int or type(v) is float:
        return v
    raise type_error(v, "int")


def force_bool(v: Any) -> bool:
    return _force_exact(v, bool, "bool")  # type: ignore[no-any-return]


def force_list(v: Any) -> list[Any]:
    return _force_exact(v, list, "list")  # type: ignore[no-any-return]


def force_attrs(v: Any) -> Attrs:
    return _force_exact(v, Attrs, "set")  # type: ignore[no-any-return]


def is_function(v: Any) -> bool:
    """A value that can be called (not counting sets with `__functor`)."""
    return isinstance(v, (Lambda, PrimOp, PrimOpApp))


def force_function(v: Any) -> Any:
    v = force(v)
    if not is_function(v):
        raise type_error(v, "function")
    return v


def float_to_string(f: float) -> str:
    """C++ `std::to_string(double)`: fixed notation with six decimals."""
    if f != f:
        return "-nan" if str(f).startswith("-") else "nan"
    if f in (float("inf"), float("-inf")):
        return "inf" if f > 0 else "-inf"
    return "%f" % f


def coerce_to_string(state: Any, v: Any, *, copy_to_store: bool = True,
                     coerce_more: bool = False) -> tuple[str, frozenset[str]]:
    """Nix's coerceToString: the text of `v` and the string context it carries."""
    if type(v) is Thunk:
        v = v.force()
    t = type(v)
    if t is str:
        return v, EMPTY_CONTEXT
    if t is ContextString:
        return v.s, v.context
    if t is PathValue:
        if copy_to_store:
            store_path = state.copy_path_to_store(v.path)
            return store_path, frozenset((store_path,))
        return v.path, EMPTY_CONTEXT
    if t is Attrs:
        return _coerce_attrs(state, v, copy_to_store, coerce_more)
    if coerce_more:
        if v is None or v is False:
            return "", EMPTY_CONTEXT
        if v is True:
            return "1", EMPTY_CONTEXT
        if t is int:
            return str(v), EMPTY_CONTEXT
        if t is float:
            return float_to_string(v), EMPTY_CONTEXT
        if t is list:
            return _coerce_list(state, v, copy_to_store)
    raise TypeError_(hintfmt("cannot coerce {} to a string", type_name(v)))


def _coerce_attrs(state: Any, v: Attrs, copy_to_store: bool, coerce_more: bool) -> tuple[str, frozenset[str]]:
    to_string = v.get("__toString")
    if to_string is not None:
        result = call(to_string, v)
        return coerce_to_string(state, result, copy_to_store=copy_to_store, coerce_more=coerce_more)
    out_path = v.get("outPath")
    if out_path is not None:
        return coerce_to_string(state, out_path, copy_to_store=copy_to_store, coerce_more=coerce_more)
    raise TypeError_("cannot coerce a set to a string")


def _coerce_list(state: Any, items: list[Any], copy_to_store: bool) -> tuple[str, frozenset[str]]:
    parts: list[str] = []
    context: set[str] = set()
    last = len(items) - 1
    for n, item in enumerate(items):
        if type(item) is Thunk:
            item = item.force()
        s, ctx = coerce_to_string(state, item, copy_to_store=copy_to_store, coerce_more=True)
        parts.append(s)
        if ctx:
            context |= ctx
        # Nix adds no separator after an element that is an empty list.
        if n < last and not (type(item) is list and not item):
            parts.append(" ")
    return "".join(parts), frozenset(context)


def coerce_to_path(state: Any, v: Any) -> str:
    """Nix's coerceToPath: a path, or a string holding an absolute path (context dropped)."""
    s, _ctx = coerce_to_string(state, v, copy_to_store=False)
    if not s.startswith("/"):
        raise EvalError(hintfmt("string '{}' doesn't represent an absolute path", s))
    return s


def coerce_to_path_ctx(state: Any, v: Any) -> tuple[str, frozenset[str]]:
    """Like `coerce_to_path`, keeping the context (for builtins that realise it)."""
    s, ctx = coerce_to_string(state, v, copy_to_store=False)
    if not s.startswith("/"):
        raise EvalError(hintfmt("string '{}' doesn't represent an absolute path", s))
    return s, ctx


__all__ = [
    "type_error", "force_string", "force_string_ctx", "force_string_no_ctx", "force_int", "force_number",
    "force_bool", "force_list", "force_attrs", "is_function", "force_function", "float_to_string",
    "coerce_to_string", "coerce_to_path", "coerce_to_path_ctx",
]
