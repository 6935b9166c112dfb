"""Functions: compiled lambdas, closures, and calling them.

A `LambdaInfo` is made once per `x: …` / `{ a, b ? 1, … }@x: …` in the
source; a `Closure` pairs it with the frame it was created in. Calling a
closure builds the body's frame `[env, x?, formal1, formal2, …]`: formals
take the caller's attribute (shared, not copied) or a thunk of their default,
evaluated in that same frame so defaults see the other formals.

The call depth is counted here: beyond `MAX_CALL_DEPTH` nested calls the
error is current Nix's `stack overflow; max-call-depth exceeded`. With
`--show-trace` each call adds Nix's frames `while evaluating 'f'` (or
`anonymous lambda`) and `from call site`.
"""

from __future__ import annotations

from typing import Any

from nixlite.eval.compiler import CONST, THUNK, Code, compile_expr, compile_lazy, in_symbol_order, make_lazy, pos_text
from nixlite.eval.errors import MissingArgumentError, NixError, StackOverflow, TypeError_, compose, hintfmt
from nixlite.eval.scope import Scope
from nixlite.eval.suggestions import did_you_mean
from nixlite.eval import builtin_calls
from nixlite.eval.builtin_calls import call_primop, run_primop
from nixlite.eval.values import Attrs, Lambda, PrimOp, PrimOpApp, Thunk, type_name
from nixlite.syntax import ast

MAX_CALL_DEPTH = 10_000
_MISSING = object()
_call_depth = 0
_tracing = False


class LambdaInfo:
    """What every closure of one lambda expression shares."""

    __slots__ = ("node", "strict_arg", "name", "pos", "body", "has_arg", "formals", "ellipsis", "formal_names",
                 "formal_positions", "check_order", "inner")

    def __init__(self, node: Any, scope: Any, name: str | None) -> None:
        self.node = node  # the ast.Lambda (functionArgs reads formal positions from it)
        # `x: …` whose body forces x before anything else: a call site may
        # evaluate the argument at once instead of making a thunk (same result).
        self.strict_arg = False  # set below, once the body's scope exists
        self.name = name
        self.pos = node.pos
        self.has_arg = node.arg is not None
        names: dict[str, int] = {}
        if node.arg is not None:
            names[node.arg] = 1
        self.formals: tuple[tuple[str, Any], ...] | None = None
        self.ellipsis = True
        self.formal_names: frozenset[str] = frozenset()
        self.formal_positions: dict[str, Any] = {}
        formals = node.formals.formals if node.formals is not None else ()
        if len(formals) > 1:
            formals = in_symbol_order(formals)  # the order Nix fills the frame in
        for f in formals:
            names[f.name] = len(names) + 1
        inner = Scope(names, scope)
        if node.formals is None and node.arg is not None:
            self.strict_arg = forces_first(node.body, node.arg, inner)
        if node.formals is not None:
            # Nix fills the frame in symbol order: a default naming a formal
            # already bound shares its value, one naming a later formal gets a
            # thunk (which shows when printing without --strict).
            first_formal = 2 if self.has_arg else 1
            self.formals = tuple((f.name, compile_lazy(f.default, inner, first_formal + i)
                                  if f.default is not None else None) for i, f in enumerate(formals))
            self.ellipsis = node.formals.ellipsis
            self.formal_names = frozenset(f.name for f in formals)
            self.formal_positions = {f.name: f.pos for f in formals}
        self.check_order = sorted(f.name for f in formals)
        # `a: b: …`: the inner lambda's info, so that builtins applying two
        # arguments (foldl', sort) can skip the intermediate closure.
        self.inner: LambdaInfo | None = None
        if type(node.body) is ast.Lambda:
            # Nix's setName reaches nested lambdas: in `f = a: b: …` both are 'f'.
            inner_info = self.inner = LambdaInfo(node.body, inner, name)
            self.body = lambda env: Closure(inner_info, env)
        else:
            self.body = compile_expr(node.body, inner)

    def describe(self) -> str:
        """How Nix 2.8 names this function in argument errors."""
        where = pos_text(self.pos)
        return compose("'{}' at {}", self.name, where) if self.name else compose("anonymous function at {}", where)


class Closure(Lambda):
    """A lambda value: compiled code plus the frame it closes over."""

    __slots__ = ("info", "env")

    def __init__(self, info: LambdaInfo, env: Any) -> None:
        self.info = info
        self.env = env

    def apply(self, arg: Any) -> Any:
        return call_closure(self, arg, None)

    # Introspection used by builtins.functionArgs and printing.
    @property
    def formals(self) -> dict[str, bool] | None:
        """Formal name -> has a default, or None for a plain `x: …` lambda."""
        if self.info.formals is None:
            return None
        return {name: default is not None for name, default in self.info.formals}

    @property
    def pos(self) -> Any:
        return self.info.pos


def forces_first(body: ast.Expr, name: str, scope: Any) -> bool:
    """Whether evaluating `body` always starts by forcing the variable `name`.

    Only looks through nodes that evaluate one subexpression first and open
    no scope, so `name` there is the lambda's own argument.
    """
    from nixlite.eval.builtin_calls import static_primop

    e = body
    while True:
        t = type(e)
        if t is ast.Var:
            return e.name == name  # type: ignore[no-any-return]
        if t is ast.If or t is ast.Assert:
            e = e.cond
        elif t is ast.BinaryOp:
            e = e.lhs
        elif t is ast.Not:
            e = e.expr
        elif t is ast.Select or t is ast.HasAttr:
            e = e.expr
        elif t is ast.ConcatStrings:
            e = e.parts[0]
        elif t is ast.Call and len(e.args) >= 2 and _strict_first(static_primop(e.fn, scope)):
            e = e.args[0]
        else:
            return False


def _strict_first(op: Any) -> bool:
    """A builtin (resolved statically) that forces its first argument before anything else."""
    return op is not None and op.name in ("sub", "mul", "div", "lessThan") and 0 not in op.lazy


def compile_lambda(node: Any, scope: Any, name: str | None = None) -> Code:
    """Code creating a closure of `node` in the current frame."""
    info = LambdaInfo(node, scope, name)
    return lambda env: Closure(info, env)


def compile_lambda_expr(node: Any, scope: Any) -> Code:
    return compile_lambda(node, scope)


def call_closure(fn: Closure, arg: Any, call_pos: Any) -> Any:
    """Apply a closure to one argument (value or thunk); the result is forced."""
    global _call_depth
    info = fn.info
    if _call_depth >= MAX_CALL_DEPTH:
        raise StackOverflow(call_pos)
    _call_depth += 1
    try:
        # Binding the arguments happens outside Nix's trace frames.
        frame = [fn.env, arg] if info.formals is None else _bind_formals(info, fn.env, arg, call_pos)
        try:
            return info.body(frame)
        except NixError as err:
            if _tracing:
                what = f"'{info.name}'" if info.name else "anonymous lambda"
                err.add_trace(info.pos, hintfmt("while evaluating {}", what))
                # Nix 2.8 writes this frame as hintfmt("from call site%s", ""): an empty argument.
                err.add_trace(call_pos or primop_call_pos(), hintfmt("from call site{}", ""))
            raise
    finally:
        _call_depth -= 1


def set_trace_calls(enabled: bool) -> None:
    """--show-trace: record `while evaluating` / `from call site` frames on calls."""
    global _tracing
    _tracing = enabled  # Nix records call frames only with --show-trace


def apply_one(f: Any, arg: Any, pos: Any) -> Any:
    """`f arg` where `f` is a forced value and `arg` a value or thunk; the result is forced."""
    global _call_depth
    t = type(f)
    if t is Closure:
        info = f.info
        if info.formals is not None or _tracing:
            return call_closure(f, arg, pos)
        # call_closure inlined for `x: …` lambdas: builtins call them millions of times
        if _call_depth >= MAX_CALL_DEPTH:
            raise StackOverflow(pos)
        _call_depth += 1
        try:
            return info.body([f.env, arg])
        finally:
            _call_depth -= 1
    if t is PrimOp:
        if f.arity == 1:
            return call_primop(f, (arg,), pos)
        return PrimOpApp(f, (arg,))
    if t is PrimOpApp:
        args = f.args + (arg,)
        if len(args) == f.primop.arity:
            return call_primop(f.primop, args, pos)
        return PrimOpApp(f.primop, args)
    if t is Attrs and "__functor" in f:
        functor = f["__functor"]
        if type(functor) is Thunk:
            functor = functor.force()
        return apply_one(apply_one(functor, f, pos), arg, pos)
    raise TypeError_(hintfmt("attempt to call something which is not a function but {}", type_name(f)), pos)


def caller1(fn: Any) -> Any:
    """A Python function `arg -> fn arg` (forced), specialised once for `fn`.

    Builtins looping over a list (map, filter, genList, …) call this once:
    for a plain `x: …` closure the result runs the body directly, without
    the dispatch of `apply_one` (same call depth counting, same errors).
    """
    if type(fn) is Closure and not _tracing and fn.info.formals is None:
        body = fn.info.body
        env = fn.env

        def call_plain(arg: Any) -> Any:
            global _call_depth
            if _call_depth >= MAX_CALL_DEPTH:
                raise StackOverflow(None)
            _call_depth += 1
            try:
                return body([env, arg])
            finally:
                _call_depth -= 1

        return call_plain
    if type(fn) is PrimOp and fn.arity == 1 and not fn.lazy:
        return lambda arg: run_primop(fn, (arg.force() if type(arg) is Thunk else arg,), None)
    return lambda arg: apply_one(fn, arg, None)


def caller2(fn: Any) -> Any:
    """A Python function `(a, b) -> fn a b` (forced), specialised once for `fn`.

    For `a: b: …` the intermediate closure is never built: the inner body
    runs in the frame that closure would have captured.
    """
    if type(fn) is Closure and not _tracing and fn.info.formals is None:
        inner = fn.info.inner
        if inner is not None and inner.formals is None:
            body = inner.body
            env = fn.env

            def call_curried(a: Any, b: Any) -> Any:
                global _call_depth
                # Two nested calls, each at this depth: the outer one returns at once.
                if _call_depth >= MAX_CALL_DEPTH:
                    raise StackOverflow(None)
                _call_depth += 1
                try:
                    return body([[env, a], b])
                finally:
                    _call_depth -= 1

            return call_curried
    return lambda a, b: apply_one(apply_one(fn, a, None), b, None)


def _bind_formals(info: LambdaInfo, env: Any, arg: Any, call_pos: Any) -> list[Any]:
    """The body's frame for a call with formals; `call_pos` None means a builtin's call site (for errors)."""
    if type(arg) is Thunk:
        arg = arg.force()
    if type(arg) is not Attrs:
        raise TypeError_(hintfmt("value is {} while a set was expected", type_name(arg)), call_pos or primop_call_pos())
    frame = [env, arg] if info.has_arg else [env]
    used = 0
    for name, default in info.formals:  # type: ignore[union-attr]
        v = arg.get(name, _MISSING)
        if v is _MISSING:
            if default is None:
                raise _missing_argument(info, arg, call_pos or primop_call_pos())
            kind, x, pos = default
            v = Thunk(x, frame, pos) if kind == THUNK else x if kind == CONST else x(frame)
        else:
            used += 1
        frame.append(v)
    if used != len(arg) and not info.ellipsis:
        for name in sorted(arg):
            if name not in info.formal_names:
                err = TypeError_(hintfmt("{} called with unexpected argument '{}'", info.describe(), name),
                                 call_pos or primop_call_pos())
                err.hint = did_you_mean(name, info.formal_names)
                raise err
    return frame


def _missing_argument(info: LambdaInfo, arg: Attrs, call_pos: Any) -> NixError:
    defaults = {name for name, d in info.formals if d is not None}  # type: ignore[union-attr]
    for name in info.check_order:
        if name not in arg and name not in defaults:
            return MissingArgumentError(hintfmt("{} called without required argument '{}'", info.describe(), name), call_pos)
    raise AssertionError("no missing argument")  # pragma: no cover


def compile_call(node: Any, scope: Any) -> Code:
    from nixlite.eval.builtin_calls import compile_primop_call, static_primop

    op = static_primop(node.fn, scope)
    if op is not None and len(node.args) >= op.arity:
        head = compile_primop_call(op, node.args[:op.arity], scope, node.pos)
        if len(node.args) == op.arity:
            return head
        return _compile_application(head, node.args[op.arity:], scope, node.pos)
    return _compile_application(compile_expr(node.fn, scope), node.args, scope, node.pos)


def _compile_application(fn: Code, args: tuple[Any, ...], scope: Any, pos: Any) -> Code:
    lazies = [compile_lazy(a, scope) for a in args]
    if len(lazies) == 1:
        kind, x, apos = lazies[0]
        if kind == THUNK:
            def ev_thunk(env: Any) -> Any:
                global _call_depth
                f = fn(env)
                if type(f) is Closure:  # the common case, without the dispatch
                    info = f.info
                    if info.formals is None and not _tracing:
                        # call_closure inlined for `x: …` lambdas (the hottest path)
                        if _call_depth >= MAX_CALL_DEPTH:
                            raise StackOverflow(pos)
                        _call_depth += 1
                        try:
                            return info.body([f.env, x(env) if info.strict_arg else Thunk(x, env, apos)])
                        finally:
                            _call_depth -= 1
                    if not _tracing:
                        # call_closure inlined for `{ a, b }: …`: binding the formals forces
                        # the argument first thing, so it is evaluated here without a thunk.
                        if _call_depth >= MAX_CALL_DEPTH:
                            raise StackOverflow(pos)
                        _call_depth += 1
                        try:
                            return info.body(_bind_formals(info, f.env, x(env), pos))
                        finally:
                            _call_depth -= 1
                    return call_closure(f, Thunk(x, env, apos), pos)
                return apply_one(f, Thunk(x, env, apos), pos)
            return ev_thunk
        if kind == CONST:
            return lambda env: apply_one(fn(env), x, pos)

        def ev_lookup(env: Any) -> Any:
            f = fn(env)
            if type(f) is Closure:
                return call_closure(f, x(env), pos)
            return apply_one(f, x(env), pos)
        return ev_lookup

    if len(lazies) == 2:
        return _compile_curried_call(fn, make_lazy(lazies[0]), make_lazy(lazies[1]), pos)

    def ev(env: Any) -> Any:
        f = fn(env)
        for kind, x, apos in lazies:
            arg = Thunk(x, env, apos) if kind == THUNK else x if kind == CONST else x(env)
            f = apply_one(f, arg, pos)
        return f

    return ev


def _compile_curried_call(fn: Code, first: Code, second: Code, pos: Any) -> Code:
    """`f a b`: for `f = x: y: …` the intermediate closure is skipped (as `caller2` does)."""
    def ev(env: Any) -> Any:
        global _call_depth
        f = fn(env)
        if type(f) is Closure and not _tracing:
            info = f.info
            inner = info.inner
            if info.formals is None and inner is not None and inner.formals is None:
                # Two nested calls, each at this depth: the outer one returns at once.
                if _call_depth >= MAX_CALL_DEPTH:
                    raise StackOverflow(pos)
                _call_depth += 1
                try:
                    return inner.body([[f.env, first(env)], second(env)])
                finally:
                    _call_depth -= 1
        return apply_one(apply_one(f, first(env), pos), second(env), pos)
    return ev


def primop_call_pos() -> Any:
    """Where the innermost running builtin was called: builtins call functions from there."""
    return builtin_calls.running_primop_pos


def call_depth() -> int:
    """The current depth of nested function calls."""
    return _call_depth


__all__ = ["apply_one", "caller1", "caller2", "set_trace_calls", "LambdaInfo", "Closure", "compile_lambda", "compile_lambda_expr", "call_closure",
           "compile_call", "MAX_CALL_DEPTH", "call_depth"]
