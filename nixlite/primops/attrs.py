"""Builtins on attribute sets: attrNames, getAttr, mapAttrs, listToAttrs, …

Attribute names come out sorted, as Nix stores sets sorted. Builtins that
build sets from user functions (`mapAttrs`, `zipAttrsWith`) are lazy in the
values: each value is a thunk applying the function when forced. Source
positions (`Attrs.positions`) are carried over where Nix carries them, so
`unsafeGetAttrPos` works on derived sets too.
"""

from __future__ import annotations

from typing import Any

from nixlite.eval.coerce import force_attrs, force_list, force_string_no_ctx, is_function
from nixlite.eval.errors import TypeError_
from nixlite.eval.symbols import note_symbols
from nixlite.eval.values import Attrs, Lambda, force
from nixlite.primops.common import check_function, lazy_call2, missing_attr
from nixlite.primops.registry import primop


def sorted_attrs(items: dict[str, Any], positions: dict[str, Any] | None = None) -> Attrs:
    """An Attrs with its names in sorted order (as Nix iterates them)."""
    return Attrs({k: items[k] for k in sorted(items)}, positions=positions or None)


def _positions_for(src: Attrs, names: Any) -> dict[str, Any] | None:
    if not src.positions:
        return None
    return {n: src.positions[n] for n in names if n in src.positions}


@primop("attrNames", 1)
def attr_names(s: Any) -> list[str]:
    return sorted(force_attrs(s))


@primop("attrValues", 1)
def attr_values(s: Any) -> list[Any]:
    s = force_attrs(s)
    return [s[k] for k in sorted(s)]


@primop("getAttr", 2)
def get_attr(name: Any, s: Any) -> Any:
    n = force_string_no_ctx(name)
    s = force_attrs(s)
    if n not in s:
        raise missing_attr(n, "getAttr", s)
    return force(s[n])


@primop("hasAttr", 2)
def has_attr(name: Any, s: Any) -> bool:
    n = force_string_no_ctx(name)
    return n in force_attrs(s)


@primop("removeAttrs", 2, global_=True)
def remove_attrs(s: Any, names: Any) -> Attrs:
    s = force_attrs(s)
    drop = {force_string_no_ctx(n) for n in force_list(names)}
    kept = [k for k in s if k not in drop]
    return Attrs({k: s[k] for k in kept}, positions=_positions_for(s, kept))


@primop("listToAttrs", 1)
def list_to_attrs(items: Any) -> Attrs:
    result: dict[str, Any] = {}
    positions: dict[str, Any] = {}
    for item in force_list(items):
        entry = force_attrs(item)
        if "name" not in entry:
            raise missing_attr("name", "listToAttrs", entry)
        name = force_string_no_ctx(entry["name"])
        if name in result:
            continue  # the first occurrence wins
        if "value" not in entry:
            raise missing_attr("value", "listToAttrs", entry)
        result[name] = entry["value"]
        if entry.positions and "value" in entry.positions:
            positions[name] = entry.positions["value"]
    note_symbols(result)  # Nix creates the names' symbols here, in this order
    return sorted_attrs(result, positions)


@primop("intersectAttrs", 2)
def intersect_attrs(a: Any, b: Any) -> Attrs:
    a = force_attrs(a)
    b = force_attrs(b)
    # Walk the smaller set: `callPackage` intersects a function's few formals
    # with the whole package set. (The names' order is immaterial: sets are
    # printed and listed sorted.)
    if len(a) < len(b):
        names = [k for k in a if k in b]
    else:
        names = [k for k in b if k in a]
    return Attrs({k: b[k] for k in names}, positions=_positions_for(b, names))


@primop("catAttrs", 2)
def cat_attrs(name: Any, items: Any) -> list[Any]:
    n = force_string_no_ctx(name)
    out = []
    for item in force_list(items):
        s = force_attrs(item)
        if n in s:
            out.append(s[n])
    return out


@primop("mapAttrs", 2, lazy=(0,))
def map_attrs(fn: Any, s: Any) -> Attrs:
    s = force_attrs(s)
    return Attrs({k: lazy_call2(fn, k, v) for k, v in s.items()})  # Nix 2.8 keeps no positions here


@primop("zipAttrsWith", 2)
def zip_attrs_with(fn: Any, sets: Any) -> Attrs:
    check_function(fn)
    gathered: dict[str, list[Any]] = {}
    for item in force_list(sets):
        for k, v in force_attrs(item).items():
            gathered.setdefault(k, []).append(v)
    return sorted_attrs({k: lazy_call2(fn, k, vs) for k, vs in gathered.items()})


def _formal_positions(fn: Any) -> dict[str, Any]:
    """Where each formal is declared (from the lambda's AST node), for unsafeGetAttrPos."""
    node = getattr(getattr(fn, "info", None), "node", None)
    formals = getattr(node, "formals", None)
    if formals is None:
        return {}
    return {f.name: f.pos for f in formals.formals}


@primop("functionArgs", 1)
def function_args(fn: Any) -> Attrs:
    fn = force(fn)
    if not isinstance(fn, Lambda):
        if is_function(fn):
            return Attrs()  # primops have no formals
        raise TypeError_("'functionArgs' requires a function")
    # The evaluator's closure exposes `formals`: name -> has a default (None for `x: …`).
    formals = getattr(fn, "formals", None)
    if not formals:
        return Attrs()
    return sorted_attrs(dict(formals), _formal_positions(fn))


@primop("unsafeGetAttrPos", 2)
def unsafe_get_attr_pos(name: Any, s: Any) -> Any:
    n = force_string_no_ctx(name)
    s = force_attrs(s)
    pos = (s.positions or {}).get(n) if n in s else None
    if pos is None:
        return None
    from nixlite.eval.compiler import position_attrs

    return position_attrs(pos)  # as __curPos: for -E/stdin text, `file` is that text (Nix 2.8)
