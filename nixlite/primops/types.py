"""Type-test builtins: isNull isBool isInt isFloat isString isPath isList isAttrs isFunction typeOf.

A set with `__functor` is callable but, as in Nix, `isFunction` says false
and `typeOf` says "set"; builtins and partial applications are "lambda".
"""

from __future__ import annotations

from typing import Any

from nixlite.eval.values import Attrs, ContextString, Lambda, PathValue, PrimOp, PrimOpApp, type_of
from nixlite.primops.registry import primop


@primop("isNull", 1, global_=True)
def is_null(v: Any) -> bool:
    return v is None


@primop("isBool", 1)
def is_bool(v: Any) -> bool:
    return type(v) is bool


@primop("isInt", 1)
def is_int(v: Any) -> bool:
    return type(v) is int


@primop("isFloat", 1)
def is_float(v: Any) -> bool:
    return type(v) is float


@primop("isString", 1)
def is_string(v: Any) -> bool:
    return type(v) is str or type(v) is ContextString


@primop("isPath", 1)
def is_path(v: Any) -> bool:
    return type(v) is PathValue


@primop("isList", 1)
def is_list(v: Any) -> bool:
    return type(v) is list


@primop("isAttrs", 1)
def is_attrs(v: Any) -> bool:
    return type(v) is Attrs


@primop("isFunction", 1)
def is_function(v: Any) -> bool:
    return isinstance(v, (Lambda, PrimOp, PrimOpApp))


@primop("typeOf", 1)
def type_of_primop(v: Any) -> str:
    return type_of(v)
