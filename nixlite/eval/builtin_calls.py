"""Calls of builtins known at compile time, compiled without the generic call path.

When the function of a call is a builtin resolved statically — a base
variable such as `__sub` (what `a - b` desugars to) or `map`, or
`builtins.name` with `builtins` from the base environment — and the call
supplies at least its arity, the arguments the builtin forces are compiled
as direct evaluations (no thunk is made) and the builtin's Python function is
called directly (no partial application objects). This is the same
evaluation order and the same errors as the generic path: arguments are
forced left to right, then the builtin runs, and an error it raises without
a position gets the call's position.

The integer cases of `- * <` (and `/`) are inlined, falling back to the
builtin for everything else (floats, type errors, overflow).
"""

from __future__ import annotations

import operator
from typing import Any

from nixlite.eval.compiler import CONST, LOOKUP, THUNK, Code, compile_expr, compile_lazy, force_at, local_slot
from nixlite.eval.errors import NixError
from nixlite.eval.scope import resolve
from nixlite.eval.values import Attrs, PrimOp, Thunk
from nixlite.syntax import ast

INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1


def static_primop(node: ast.Expr, scope: Any) -> PrimOp | None:
    """The builtin `node` denotes, when that is fixed at compile time."""
    if type(node) is ast.Var:
        r = resolve(scope, node.name)
        if r.depth < 0 and r.found_base and type(r.base_value) is PrimOp:
            return r.base_value
        return None
    if (type(node) is ast.Select and node.default is None and len(node.path) == 1
            and type(node.path[0]) is str and type(node.expr) is ast.Var and node.expr.name == "builtins"):
        r = resolve(scope, "builtins")
        if r.depth < 0 and r.found_base and type(r.base_value) is Attrs:
            v = r.base_value.get(node.path[0])
            return v if type(v) is PrimOp else None
    return None


# The call position of the innermost builtin running now: a function a
# builtin calls (map's, foldl''s) reports it as its call site, as in Nix.
running_primop_pos: Any = None


def run_primop(op: PrimOp, args: tuple[Any, ...], pos: Any) -> Any:
    """Run a builtin on its (already prepared) arguments."""
    global running_primop_pos
    outer = running_primop_pos
    running_primop_pos = pos
    try:
        result = op.fn(*args)
    except NixError as err:
        running_primop_pos = outer
        raise err.at(pos)
    running_primop_pos = outer
    if type(result) is Thunk:
        result = result.force()
    return result


def call_primop(op: PrimOp, args: tuple[Any, ...], pos: Any) -> Any:
    """Run a builtin on all its arguments (given as values or thunks)."""
    lazy = op.lazy
    if lazy:
        forced = [a if i in lazy or type(a) is not Thunk else a.force() for i, a in enumerate(args)]
    else:
        forced = [a.force() if type(a) is Thunk else a for a in args]
    return run_primop(op, tuple(forced), pos)


def compile_primop_call(op: PrimOp, args: tuple[ast.Expr, ...], scope: Any, pos: Any) -> Code:
    """`op arg1 … argN` with exactly N = arity arguments."""
    inline = _INLINE.get(op.name)
    if inline is not None and not op.lazy:
        if type(args[1]) is ast.Int:
            const_op = _inline_arith_const(_INT_OPS[op.name]) if op.name != "lessThan" else _inline_less_const
            return const_op(op, compile_expr(args[0], scope), args[1].value, pos)
        if op.name == "lessThan" and type(args[0]) is ast.Int:  # `x > 5` is `lessThan 5 x`
            return _inline_const_less(op, args[0].value, compile_expr(args[1], scope), pos)
        return inline(op, compile_expr(args[0], scope), compile_expr(args[1], scope), pos)
    parts = []
    for i, a in enumerate(args):
        if i in op.lazy and type(a) is ast.Lambda:
            # `map (x: …) xs`: making a closure cannot fail, so no thunk is
            # needed; and a builtin's argument is never printed unforced.
            from nixlite.eval.functions import compile_lambda
            parts.append((LOOKUP, compile_lambda(a, scope), None))
        elif i in op.lazy:
            parts.append(compile_lazy(a, scope))
        elif type(a) in _LITERALS:  # a literal argument: its value, no code to run
            parts.append((CONST, a.value, None))
        else:
            parts.append((-1, compile_expr(a, scope), None))
    shaped = _fixed_shape(op, parts, pos)
    if shaped is not None:
        return shaped

    def ev(env: Any) -> Any:
        values = []
        for kind, x, xpos in parts:
            if kind == -1:
                values.append(x(env))
            elif kind == THUNK:
                values.append(Thunk(x, env, xpos))
            elif kind == CONST:
                values.append(x)
            else:
                values.append(x(env))
        return run_primop(op, tuple(values), pos)

    return ev


_LITERALS = (ast.Str, ast.Int, ast.Float)


def _fixed_shape(op: PrimOp, parts: list[tuple[int, Any, Any]], pos: Any) -> Code | None:
    """The commonest argument shapes (forced arguments and literals), without the argument loop."""
    shape = "".join("e" if kind == -1 else "c" if kind == CONST else "?" for kind, _, _ in parts)
    xs = [x for _, x, _ in parts]
    if shape == "e":
        a, = xs
        if op.name == "toString":
            return _inline_to_string(op, a, pos)
        return lambda env: run_primop(op, (a(env),), pos)
    if shape == "ee":
        a, b = xs
        return lambda env: run_primop(op, (a(env), b(env)), pos)
    if shape == "ce":  # `hashString "sha256" s`, `concatStringsSep "," xs`
        c, b = xs
        return lambda env: run_primop(op, (c, b(env)), pos)
    if shape == "ec":
        a, c = xs
        return lambda env: run_primop(op, (a(env), c), pos)
    if shape == "eee":
        a, b, d = xs
        return lambda env: run_primop(op, (a(env), b(env), d(env)), pos)
    if shape == "cce":  # `substring 0 3 s`
        c, d, e = xs
        return lambda env: run_primop(op, (c, d, e(env)), pos)
    return None


def _inline_to_string(op: PrimOp, a: Code, pos: Any) -> Code:
    """`toString e` for a string or an integer computed here (`"pkg${toString i}"`), by the builtin otherwise."""
    def ev(env: Any) -> Any:
        v = a(env)
        t = type(v)
        if t is str:
            return v
        if t is int:
            return str(v)
        return run_primop(op, (v,), pos)
    return ev


def _inline_arith(int_op: Any) -> Any:
    """`a OP b` computed here for two integers in range, by the builtin otherwise."""
    def compile_inline(op: PrimOp, a: Code, b: Code, pos: Any) -> Code:
        def ev(env: Any) -> Any:
            x = a(env)
            y = b(env)
            if type(x) is int and type(y) is int:
                r = int_op(x, y)
                if INT_MIN <= r <= INT_MAX:
                    return r
            return run_primop(op, (x, y), pos)
        return ev
    return compile_inline


def _inline_arith_const(int_op: Any) -> Any:
    """`a OP literal`, as `_inline_arith` with the second operand known (`n - 1`)."""
    def compile_inline(op: PrimOp, a: Code, y: int, pos: Any) -> Code:
        slot, vpos = local_slot(a) or (-1, None)

        def ev(env: Any) -> Any:
            if slot < 0:
                x = a(env)
            else:  # `n - 1` with `n` in this frame: read without a call
                x = env[slot]
                if type(x) is Thunk:
                    x = x.value if x.code is None else force_at(x, vpos)
            if type(x) is int:
                r = int_op(x, y)
                if INT_MIN <= r <= INT_MAX:
                    return r
            return run_primop(op, (x, y), pos)
        return ev
    return compile_inline


def _inline_less(op: PrimOp, a: Code, b: Code, pos: Any) -> Code:
    def ev(env: Any) -> Any:
        x = a(env)
        y = b(env)
        if type(x) is int and type(y) is int:
            return x < y
        return run_primop(op, (x, y), pos)
    return ev


def _inline_less_const(op: PrimOp, a: Code, y: int, pos: Any) -> Code:
    slot, vpos = local_slot(a) or (-1, None)

    def ev(env: Any) -> Any:
        if slot < 0:
            x = a(env)
        else:  # `n < 2` with `n` in this frame: read without a call
            x = env[slot]
            if type(x) is Thunk:
                x = x.value if x.code is None else force_at(x, vpos)
        if type(x) is int:
            return x < y
        return run_primop(op, (x, y), pos)
    return ev


def _inline_const_less(op: PrimOp, x: int, b: Code, pos: Any) -> Code:
    """`literal < e` (what `e > literal` desugars to)."""
    def ev(env: Any) -> Any:
        y = b(env)
        if type(y) is int:
            return x < y
        return run_primop(op, (x, y), pos)
    return ev


def _truncating_div(x: int, y: int) -> int:
    """C++ integer division (toward zero); out of range for a zero divisor, so the builtin reports it."""
    if y == 0:
        return INT_MAX + 1
    q = abs(x) // abs(y)
    return q if (x < 0) == (y < 0) else -q


_INT_OPS = {"sub": operator.sub, "mul": operator.mul, "add": operator.add, "div": _truncating_div,
            "bitAnd": operator.and_, "bitOr": operator.or_, "bitXor": operator.xor}
_INLINE = {name: _inline_arith(int_op) for name, int_op in _INT_OPS.items()}
_INLINE["lessThan"] = _inline_less

__all__ = ["call_primop", "running_primop_pos", "static_primop", "compile_primop_call", "run_primop"]
