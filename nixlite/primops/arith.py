"""Arithmetic, bitwise and comparison builtins: add sub mul div lessThan, bit ops, ceil floor.

Integers are 64-bit: a result outside the range is an error (current Nix;
Nix 2.8 wrapped around), as is division by zero. An operation with a float
operand gives a float. `lessThan` (and so `<`, `<=`, `>`, `>=`) compares
numbers (ints and floats mixed), strings and paths (by bytes), and lists
lexicographically, as Nix's `CompareValues` does; anything else is
`cannot compare X with Y`, reported by Nix without a position.
"""

from __future__ import annotations

import math
from typing import Any

from nixlite.eval.coerce import type_error
from nixlite.eval.equality import values_less
from nixlite.eval.errors import EvalError
from nixlite.primops.registry import primop

INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1


def _int(v: Any) -> int:
    if type(v) is not int:
        raise type_error(v, "int")
    return v


def _float(v: Any) -> float:
    if type(v) is float:
        return v
    if type(v) is int:
        return float(v)
    raise type_error(v, "float")


def _checked(n: int, verb: str, a: int, op: str, b: int) -> int:
    if not INT_MIN <= n <= INT_MAX:
        raise EvalError(f"integer overflow in {verb} {a} {op} {b}")
    return n


@primop("add", 2)
def add(a: Any, b: Any) -> Any:
    if type(a) is float or type(b) is float:
        return _float(a) + _float(b)
    return _checked(_int(a) + _int(b), "adding", a, "+", b)


@primop("sub", 2)
def sub(a: Any, b: Any) -> Any:
    if type(a) is float or type(b) is float:
        return _float(a) - _float(b)
    return _checked(_int(a) - _int(b), "subtracting", a, "-", b)


@primop("mul", 2)
def mul(a: Any, b: Any) -> Any:
    if type(a) is float or type(b) is float:
        return _float(a) * _float(b)
    return _checked(_int(a) * _int(b), "multiplying", a, "*", b)


@primop("div", 2)
def div(a: Any, b: Any) -> Any:
    if _float(b) == 0:
        raise EvalError("division by zero")
    if type(a) is float or type(b) is float:
        return _float(a) / _float(b)
    a, b = _int(a), _int(b)
    q = abs(a) // abs(b)  # C++ division truncates toward zero
    q = q if (a < 0) == (b < 0) else -q
    return _checked(q, "dividing", a, "/", b)


@primop("bitAnd", 2)
def bit_and(a: Any, b: Any) -> int:
    return _int(a) & _int(b)


@primop("bitOr", 2)
def bit_or(a: Any, b: Any) -> int:
    return _int(a) | _int(b)


@primop("bitXor", 2)
def bit_xor(a: Any, b: Any) -> int:
    return _int(a) ^ _int(b)


def _to_int(f: float, name: str) -> int:
    if math.isnan(f) or math.isinf(f):
        raise EvalError(f"cannot convert {f} to an integer in {name}")
    n = int(f)
    if not INT_MIN <= n <= INT_MAX:
        raise EvalError(f"integer overflow in {name}")
    return n


@primop("ceil", 1)
def ceil(x: Any) -> int:
    return _to_int(math.ceil(_float(x)) if math.isfinite(_float(x)) else _float(x), "ceil")


@primop("floor", 1)
def floor(x: Any) -> int:
    return _to_int(math.floor(_float(x)) if math.isfinite(_float(x)) else _float(x), "floor")


def less_than(a: Any, b: Any) -> bool:
    """Nix's `CompareValues` (values_less), whose errors Nix reports without a position."""
    try:
        return values_less(a, b)
    except EvalError as err:
        raise err.unpositioned()


@primop("lessThan", 2)
def less_than_primop(a: Any, b: Any) -> bool:
    return less_than(a, b)


__all__ = ["less_than", "INT_MIN", "INT_MAX"]
