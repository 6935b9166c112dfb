"""Nix's `==`: structural equality of values, as Nix's `eqValues` defines it.

- An integer equals a float of the same value; other types never equal
  each other.
- Strings compare by their characters only (context is ignored); paths by
  their text.
- Lists compare elementwise, sets by their names and values; two sets that
  both have `type = "derivation"` and an `outPath` compare by `outPath` alone.
- Functions are never equal — except that Nix compares list elements and
  attribute values by identity first (a pointer comparison kept for old code),
  so `let f = x: x; in [ f ] == [ f ]` is true while `f == f` is false. Here
  identity is that of the Python object stored in the container (the shared
  thunk or value); the top-level operands never take that shortcut, because
  Nix evaluates them into fresh values.

`values_less` is Nix's `CompareValues`, the order of `<`, `builtins.lessThan`,
`sort builtins.lessThan` and `genericClosure` keys: numbers (int and float
mixed), strings (by bytes, context ignored), paths, and lists
lexicographically; anything else is `cannot compare X with Y`.
"""

from __future__ import annotations

from typing import Any

from nixlite.eval.errors import EvalError, hintfmt
from nixlite.eval.values import Attrs, ContextString, PathValue, force, type_name


def values_equal(a: Any, b: Any) -> bool:
    """`a == b` for two values or thunks."""
    return _equal(force(a), force(b))


def _equal_items(a: Any, b: Any) -> bool:
    # Elements of lists and sets: identical objects are equal without forcing.
    if a is b:
        return True
    return _equal(force(a), force(b))


def _equal(a: Any, b: Any) -> bool:
    ta, tb = type(a), type(b)
    if ta is ContextString or ta is str:
        if tb is ContextString or tb is str:
            return (a if ta is str else a.s) == (b if tb is str else b.s)
        return False
    if ta is bool or tb is bool or a is None or b is None:
        return ta is tb and a == b
    if ta in (int, float) and tb in (int, float):
        return a == b
    if ta is not tb:
        return False
    if ta is list:
        return len(a) == len(b) and all(_equal_items(x, y) for x, y in zip(a, b))
    if ta is Attrs:
        return _attrs_equal(a, b)
    if ta is PathValue:
        return a.path == b.path
    return False  # functions are incomparable


def _is_derivation(s: Attrs) -> bool:
    t = s.get("type")
    if t is None:
        return False
    t = force(t)
    return (t if type(t) is str else t.s if type(t) is ContextString else None) == "derivation"


def _attrs_equal(a: Attrs, b: Attrs) -> bool:
    if _is_derivation(a) and _is_derivation(b) and "outPath" in a and "outPath" in b:
        return _equal_items(a["outPath"], b["outPath"])
    if len(a) != len(b):
        return False
    for name in a:  # Nix's order here is its symbol table's, not alphabetical: any order will do
        if name not in b or not _equal_items(a[name], b[name]):
            return False
    return True


def values_less(a: Any, b: Any) -> bool:
    """`a < b` as Nix orders values (both forced here)."""
    a = force(a)
    b = force(b)
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a < b  # type: ignore[no-any-return]
    if (ta is str or ta is ContextString) and (tb is str or tb is ContextString):
        return (a if ta is str else a.s) < (b if tb is str else b.s)  # type: ignore[no-any-return]
    if ta is PathValue and tb is PathValue:
        return a.path < b.path  # type: ignore[no-any-return]
    if ta is list and tb is list:
        for x, y in zip(a, b):
            if not _equal_items(x, y):
                return values_less(x, y)
        return len(a) < len(b)
    raise EvalError(hintfmt("cannot compare {} with {}", type_name(a), type_name(b))).unpositioned()  # as in Nix


__all__ = ["values_equal", "values_less"]
