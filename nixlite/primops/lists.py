"""Builtins on lists: length, head, map, filter, foldl', genList, sort, …

Lists are Python lists that are never mutated once built; their elements are
values or thunks. `map`, `genList` and `concatMap`'s inputs stay lazy where
Nix keeps them lazy: `map` and `genList` put one thunk per element, so
`length (map f xs)` never calls `f`. `foldl'` forces the accumulator at each
step in a plain loop, so a million elements need no deep recursion.
"""

from __future__ import annotations

from typing import Any

from nixlite.eval.coerce import force_attrs, force_int, force_list, force_string_no_ctx, type_error
from nixlite.eval.equality import values_equal, values_less
from nixlite.eval.errors import EvalError, hintfmt
from nixlite.eval.symbols import note_symbols
from nixlite.eval.values import Attrs, ContextString, PathValue, PrimOp, force, string_text
from nixlite.primops.common import bool_caller, call1, caller1, caller2, check_function, lazy_calls, missing_attr
from nixlite.primops.registry import primop
from nixlite.primops.stable_sort import stable_sort


def _index_error(i: int) -> EvalError:
    return EvalError(hintfmt("list index {} is out of bounds", i))


@primop("length", 1)
def length(xs: Any) -> int:
    return len(force_list(xs))


@primop("head", 1)
def head(xs: Any) -> Any:
    xs = force_list(xs)
    if not xs:
        raise _index_error(0)
    return force(xs[0])


@primop("tail", 1)
def tail(xs: Any) -> list[Any]:
    xs = force_list(xs)
    if not xs:
        raise EvalError("'tail' called on an empty list")
    return xs[1:]


@primop("elemAt", 2)
def elem_at(xs: Any, n: Any) -> Any:
    xs = force_list(xs)
    i = force_int(n)
    if i < 0 or i >= len(xs):
        raise _index_error(i)
    return force(xs[i])


@primop("elem", 2, lazy=(0,))
def elem(x: Any, xs: Any) -> bool:
    # Nix compares by identity first (its pointer shortcut): `elem f [ f ]` holds for functions.
    return any(x is y or values_equal(x, y) for y in force_list(xs))


@primop("filter", 2)
def filter_(fn: Any, xs: Any) -> list[Any]:
    call = caller1(check_function(fn))
    kept = []
    for x in force_list(xs):  # the predicate's Boolean check inline: filter is hot
        r = call(x)
        if r is True:
            kept.append(x)
        elif r is not False:
            raise type_error(r, "bool")
    return kept


@primop("map", 2, lazy=(0,), global_=True)
def map_(fn: Any, xs: Any) -> list[Any]:
    return lazy_calls(fn, force_list(xs))


@primop("concatLists", 1)
def concat_lists(xss: Any) -> list[Any]:
    out: list[Any] = []
    for xs in force_list(xss):
        out.extend(force_list(xs))
    return out


@primop("concatMap", 2)
def concat_map(fn: Any, xs: Any) -> list[Any]:
    call = caller1(check_function(fn))
    out: list[Any] = []
    for x in force_list(xs):
        out.extend(force_list(call(x)))
    return out


@primop("foldl'", 3, lazy=(1,))
def foldl_strict(fn: Any, acc: Any, xs: Any) -> Any:
    call = caller2(check_function(fn))
    xs = force_list(xs)
    if not xs:
        return force(acc)
    # The initial accumulator stays lazy (Nix 2.8); each result is forced.
    for x in xs:
        acc = call(acc, x)
    return acc


@primop("genList", 2, lazy=(0,))
def gen_list(fn: Any, n: Any) -> list[Any]:
    size = force_int(n)
    if size < 0:
        raise EvalError(hintfmt("cannot create list of size {}", size))
    return lazy_calls(fn, range(size))


@primop("sort", 2)
def sort(fn: Any, xs: Any) -> list[Any]:
    fn = check_function(fn)
    items = force_list(xs)
    if not items:
        return items
    values = [force(x) for x in items]  # Nix forces every element first
    if type(fn) is PrimOp and fn.name == "lessThan":
        key = _total_order_key(values)
        if key is not None:  # a consistent order: every stable sort agrees with libstdc++'s
            return sorted(values, key=key)
        return stable_sort(values, values_less)
    less = caller2(fn)

    def less_than(a: Any, b: Any) -> bool:
        r = less(a, b)
        if r is True or r is False:
            return r
        raise type_error(r, "bool")

    return stable_sort(values, less_than)


def _total_order_key(values: list[Any]) -> Any:
    """A sort key when `lessThan` is a total order on `values` (all numbers without NaN, or all strings)."""
    kinds = {type(v) for v in values}
    if kinds <= {int, float} and all(v == v for v in values):
        return None if kinds == {int, float} and _loses_precision(values) else _identity
    if kinds <= {str, ContextString}:
        return string_text
    return None


def _identity(v: Any) -> Any:
    return v


def _loses_precision(values: list[Any]) -> bool:
    # Nix compares an int with a float by converting the int to a double.
    return any(type(v) is int and abs(v) > 2**53 for v in values)


@primop("partition", 2)
def partition(fn: Any, xs: Any) -> Attrs:
    test = bool_caller(check_function(fn))
    right: list[Any] = []
    wrong: list[Any] = []
    for x in force_list(xs):
        (right if test(x) else wrong).append(x)
    return Attrs({"right": right, "wrong": wrong})


@primop("groupBy", 2)
def group_by(fn: Any, xs: Any) -> Attrs:
    check_function(fn)
    groups: dict[str, list[Any]] = {}
    for x in force_list(xs):
        key = force_string_no_ctx(call1(fn, x))
        groups.setdefault(key, []).append(x)
    note_symbols(groups)  # Nix creates the names' symbols here, in this order
    return Attrs({k: groups[k] for k in sorted(groups)})


@primop("all", 2)
def all_(fn: Any, xs: Any) -> bool:
    test = bool_caller(check_function(fn))
    return all(test(x) for x in force_list(xs))


@primop("any", 2)
def any_(fn: Any, xs: Any) -> bool:
    test = bool_caller(check_function(fn))
    return any(test(x) for x in force_list(xs))


def _closure_key(v: Any) -> Any:
    """A hashable stand-in for a key under Nix's CompareValues (1 and 1.0 are the same key)."""
    t = type(v)
    if t is int or t is float:
        return ("number", v)
    if t is str or t is ContextString:
        return ("string", string_text(v))
    if t is PathValue:
        return ("path", v.path)
    if t is list:
        return ("list", tuple(_closure_key(force(x)) for x in v))
    return ("incomparable", id(v))  # only ever alone in the set (see below)


@primop("genericClosure", 1)
def generic_closure(args: Any) -> list[Any]:
    args = force_attrs(args)
    for required in ("startSet", "operator"):
        if required not in args:
            raise missing_attr(required, "genericClosure", args)
    work = list(force_list(args["startSet"]))
    op = args["operator"]
    seen: set[Any] = set()
    first_key: Any = None
    result: list[Any] = []
    pos = 0
    while pos < len(work):
        item = force_attrs(work[pos])
        pos += 1
        if "key" not in item:
            raise EvalError("attribute 'key' required")
        key_value = force(item["key"])
        if seen:
            # Nix keeps keys in an ordered set: a key of another type (or one
            # that has no order) fails when compared with what is there.
            values_less(key_value, first_key)
        else:
            first_key = key_value
        key = _closure_key(key_value)
        if key in seen:
            continue
        seen.add(key)
        result.append(item)
        work.extend(force_list(call1(op, item)))
    return result
