"""The compiler: a Nix AST becomes a tree of Python closures, once.

Each expression compiles to `ev(env) -> value`, a closure that returns the
expression's value in weak head normal form (never a Thunk). `env` is the
run-time frame (see `nixlite.eval.scope`): a list `[parent, v1, v2, …]`.

Where Nix is lazy (attribute values, list elements, `let` bindings, function
arguments) the compiler produces a *lazy form* instead, `(kind, x, pos)`:

- `CONST`: `x` is the value itself (literals; Nix too stores them unthunked,
  which shows when printing without `--strict`);
- `THUNK`: `x` is the compiled code; at run time `Thunk(x, env, pos)`;
- `LOOKUP`: `x(env)` fetches a variable's slot without forcing it (Nix shares
  the variable's value instead of wrapping it in a new thunk).

Operators live in `nixlite.eval.operators`; function application in
`nixlite.eval.apply`.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any, Callable

from nixlite.eval.errors import (
    AssertionError_, EvalError, InfiniteRecursion, NixError, TypeError_, UndefinedVarError, hintfmt, position_text,
)
from nixlite.eval.scope import BaseScope, Scope, resolve
from nixlite.eval.values import Attrs, PathValue, SetPositions, Thunk, type_name
from nixlite.syntax import ast

Code = Callable[[Any], Any]
# Sets built by the evaluated code are made without `Attrs.__init__` (a Python
# call, the larger part of making a small set); `positions` is set right after.
_new_attrs = Attrs.__new__
CONST, THUNK, LOOKUP = 0, 1, 2
_MISSING = object()


def compile_expr(node: ast.Expr, scope: Scope | BaseScope) -> Code:
    """Compile `node` (seen from `scope`) to `ev(env) -> value`."""
    return _COMPILERS[type(node)](node, scope)


def compile_lazy(node: ast.Expr, scope: Scope | BaseScope, filled: int | None = None) -> tuple[int, Any, Any]:
    """The lazy form of `node` (see the module docstring).

    `filled` is given when the value goes into a frame still being filled
    (let, rec, formals): slots from `filled` on do not exist yet, so a
    variable referring to one of them needs a thunk, as in Nix.
    """
    t = type(node)
    if t is ast.Int or t is ast.Float or t is ast.Str:
        return (CONST, node.value, None)
    if t is ast.Path:
        return (CONST, PathValue(node.value), None)
    if t is ast.Var:
        r = resolve(scope, node.name)
        if r.depth >= 0 and not (filled is not None and r.depth == 0 and r.slot >= filled):
            return (LOOKUP, _slot_getter(r.depth, r.slot), None)
        if r.found_base:
            return (CONST, r.base_value, None)
    # No position on the thunk: a blackhole is reported where it is forced.
    return (THUNK, compile_expr(node, scope), None)


def make_lazy(lazy: tuple[int, Any, Any]) -> Code:
    """A closure `mk(env)` producing the lazy form's value or thunk."""
    kind, x, pos = lazy
    if kind == CONST:
        return lambda env: x
    if kind == LOOKUP:
        return x  # type: ignore[no-any-return]
    return lambda env: Thunk(x, env, pos)


def _slot_getter(depth: int, slot: int) -> Code:
    if depth == 0:
        return itemgetter(slot)
    if depth == 1:
        return lambda env: env[0][slot]
    if depth == 2:
        return lambda env: env[0][0][slot]

    def get(env: Any) -> Any:
        for _ in range(depth):
            env = env[0]
        return env[slot]

    return get


# --- literals -----------------------------------------------------------------

def _constant(value: Any) -> Code:
    return lambda env: value


def _compile_literal(node: Any, scope: Any) -> Code:
    return _constant(node.value)


def _compile_path(node: ast.Path, scope: Any) -> Code:
    return _constant(PathValue(node.value))


def position_attrs(pos: Any) -> Attrs:
    """A position as Nix shows it to the language: `{ column; file; line; }`.

    Nix 2.8 quirk: for an expression given as text (-E, stdin), `file` is the
    whole source text (see position_file).
    """
    return Attrs({"column": pos.col, "file": position_file(pos), "line": pos.line})


def position_file(pos: Any) -> str:
    """The file of a position as Nix 2.8 shows it to the language and in --xml:
    for an expression given as text (-E, stdin), the whole text."""
    file = pos.file
    if file in ("«string»", "«stdin»"):
        from nixlite.eval.state import current_state

        file = current_state().source_texts.get(file, file)
    return str(file)


def _compile_cur_pos(node: ast.CurPos, scope: Any) -> Code:
    return lambda env: position_attrs(node.pos)


# --- variables ------------------------------------------------------------------

def _compile_var(node: ast.Var, scope: Any) -> Code:
    r = resolve(scope, node.name)
    if r.depth >= 0:
        return _forcing_slot(r.depth, r.slot, node.pos)
    if r.found_base:
        value = r.base_value
        if type(value) is Thunk:
            return lambda env: value.force()
        return _constant(value)
    return _with_lookup(node.name, r.with_depths, node.pos, force_it=True)


def _forcing_slot(depth: int, slot: int, pos: Any) -> Code:
    # Specialised per depth and with the evaluated-thunk check inline: the
    # hottest code of the evaluator. A blackhole met here is reported at this
    # variable, as Nix does.
    if depth == 0:
        def ev0(env: Any) -> Any:
            v = env[slot]
            if type(v) is Thunk:
                if v.code is None:
                    return v.value
                try:
                    return v.force()
                except InfiniteRecursion as err:
                    raise err.at(pos)
            return v
        ev0.local_slot = (slot, pos)  # type: ignore[attr-defined]  # see local_slot
        return ev0
    if depth == 1:
        def ev1(env: Any) -> Any:
            v = env[0][slot]
            if type(v) is Thunk:
                if v.code is None:
                    return v.value
                try:
                    return v.force()
                except InfiniteRecursion as err:
                    raise err.at(pos)
            return v
        return ev1

    def evn(env: Any) -> Any:
        for _ in range(depth):
            env = env[0]
        v = env[slot]
        if type(v) is Thunk:
            if v.code is None:
                return v.value
            return force_at(v, pos)
        return v
    return evn


def local_slot(code: Code) -> tuple[int, Any] | None:
    """`(slot, pos)` when `code` reads a variable of the current frame (`env[slot]`, forced).

    Operators on such a variable (`n - 1`, `x * 3`) read the slot themselves,
    saving a call: a thunk found there is forced with `force_at(v, pos)`.
    """
    return getattr(code, "local_slot", None)


def force_at(v: Thunk, pos: Any) -> Any:
    """Force a thunk; infinite recursion found here is reported at `pos`."""
    try:
        return v.force()
    except InfiniteRecursion as err:
        raise err.at(pos)


def _with_lookup(name: str, with_depths: list[int], pos: Any, force_it: bool) -> Code:
    """Look `name` up in the enclosing `with` sets, innermost first."""
    if with_depths and with_depths[0] <= 1:
        # The innermost `with` is this frame or its parent (the common case): looked at inline.
        first = with_depths[0]
        rest = _outer_with_lookup(name, with_depths[1:], pos, force_it)

        def ev_near(env: Any) -> Any:
            frame = env[0] if first else env
            attrs = frame[1]
            if type(attrs) is not Attrs:
                attrs = with_attrs(frame)
            v = attrs.get(name, _MISSING)
            if v is _MISSING:
                return rest(env)
            if force_it and type(v) is Thunk:
                return v.force()
            return v
        return ev_near
    return _outer_with_lookup(name, with_depths, pos, force_it)


def _outer_with_lookup(name: str, with_depths: list[int], pos: Any, force_it: bool) -> Code:
    def ev(env: Any) -> Any:
        for depth in with_depths:
            frame = env
            for _ in range(depth):
                frame = frame[0]
            attrs = frame[1]
            if type(attrs) is not Attrs:
                attrs = with_attrs(frame)
            v = attrs.get(name, _MISSING)
            if v is not _MISSING:
                if force_it and type(v) is Thunk:
                    return v.force()
                return v
        raise UndefinedVarError(hintfmt("undefined variable '{}'", name), pos)
    return ev


def with_attrs(frame: list[Any]) -> Attrs:
    """The set of a `with` frame, forced on first use and cached in the frame."""
    attrs = frame[1]
    if type(attrs) is Attrs:
        return attrs
    if type(attrs) is Thunk:
        attrs = attrs.force()
    if type(attrs) is not Attrs:
        raise TypeError_(hintfmt("value is {} while a set was expected", type_name(attrs)))
    frame[1] = attrs
    return attrs


def _compile_with(node: ast.With, scope: Any) -> Code:
    body = compile_expr(node.body, Scope({}, scope, is_with=True))
    if type(node.env) is ast.AttrSet and not node.env.dynamic:
        # Building a literal set cannot fail or loop: no thunk needed (unobservable).
        single = _single_binding(node.env, scope)
        if single is not None:
            return _compile_with_single(body, *single)
        attrs = compile_expr(node.env, scope)
        return lambda env: body([env, attrs(env)])
    kind, x, pos = compile_lazy(node.env, scope)
    if kind == THUNK:
        return lambda env: body([env, Thunk(x, env, pos)])
    if kind == CONST:
        return lambda env: body([env, x])
    return lambda env: body([env, x(env)])


def _single_binding(node: ast.AttrSet, scope: Any) -> tuple[str, Code, dict[str, Any]] | None:
    """`{ name = e; }` (not rec, not inherited, `e` needing a thunk): its name, code and positions."""
    if node.rec or len(node.bindings) != 1:
        return None
    b = node.bindings[0]
    if b.inherited or type(b.value) is ast.Lambda:
        return None
    kind, code, _pos = compile_lazy(b.value, scope)
    return (b.name, code, {b.name: b.pos}) if kind == THUNK else None


def _compile_with_single(body: Code, name: str, code: Code, positions: dict[str, Any]) -> Code:
    """`with { name = e; }; body`, the set built inline."""
    def ev(env: Any) -> Any:
        attrs = _new_attrs(Attrs)
        attrs[name] = Thunk(code, env, None)
        attrs.positions = positions
        return body([env, attrs])
    return ev


# --- attribute sets and let -----------------------------------------------------

def _binding_lazy(b: ast.Binding, inner: Any, outer: Any, slot: int | None = None) -> tuple[int, Any, Any]:
    scope = outer if b.inherited else inner
    if type(b.value) is ast.Lambda:  # Nix names a function after the attribute it is bound to
        from nixlite.eval.functions import compile_lambda
        return (THUNK, compile_lambda(b.value, scope, name=b.name), None)
    if _is_implied_set(b.value, b.pos):
        return (THUNK, _compile_attrs(b.value, scope, written=False), None)
    return compile_lazy(b.value, scope, None if b.inherited else slot)


def _is_implied_set(value: ast.Expr, binding_pos: Any) -> bool:
    """The set that `a.b = 1;` implies for `a`: the parser gives it the attribute's position.

    Nix's parser makes it without a position (errors that point at a set
    written in the source point elsewhere for it).
    """
    return type(value) is ast.AttrSet and value.pos == binding_pos


def _fill(frame_or_env: Any, lazies: list[tuple[int, Any, Any]]) -> list[Any]:
    out = []
    for kind, x, pos in lazies:
        if kind == THUNK:
            out.append(Thunk(x, frame_or_env, pos))
        elif kind == CONST:
            out.append(x)
        else:
            out.append(x(frame_or_env))
    return out


def in_symbol_order(bindings: Any) -> list[Any]:
    """A `let`'s or `rec`'s bindings (or formals) in the order Nix fills its frame: by symbol (nixlite.eval.symbols).

    The order shows: a binding naming one not yet in the frame gets a thunk
    of its own instead of sharing that value (`let x = 1; y = x; in { b = y; }`
    prints `{ b = <CODE>; }`, as `x` sorts after `y`).
    """
    from nixlite.eval.state import current_state

    return sorted(bindings, key=lambda b, note=current_state().symbols.note: note(b.name))


def _compile_let(node: ast.Let, scope: Any) -> Code:
    bindings = in_symbol_order(node.attrs.bindings)
    names = {b.name: i + 1 for i, b in enumerate(bindings)}
    inner = Scope(names, scope)
    lazies = [_binding_lazy(b, inner, scope, n + 1) for n, b in enumerate(bindings)]
    body = compile_expr(node.body, inner)
    inherited = [b.inherited for b in bindings]

    plan = list(zip(lazies, inherited))
    if len(plan) == 1 and plan[0][0][0] == THUNK and not plan[0][1]:
        code = plan[0][0][1]

        def ev_single(env: Any) -> Any:  # `let x = e; in …`, the commonest let
            frame = [env, None]
            frame[1] = Thunk(code, frame, None)
            return body(frame)

        return ev_single
    return lambda env: body(_recursive_frame(env, plan))


def _recursive_frame(env: Any, plan: list[Any]) -> list[Any]:
    """The frame of a `let` or `rec`: its values see the frame itself (inherited ones see `env`)."""
    frame = [env]
    for (kind, x, pos), from_outer in plan:
        if kind == THUNK:
            frame.append(Thunk(x, env if from_outer else frame, pos))
        elif kind == CONST:
            frame.append(x)
        else:
            frame.append(x(env if from_outer else frame))
    return frame


def _compile_attrs(node: ast.AttrSet, scope: Any, written: bool = True) -> Code:
    bindings = in_symbol_order(node.bindings) if node.rec else node.bindings
    names = [b.name for b in bindings]
    # One positions dict per AST node, shared by every set it builds: never mutate
    # `attrs.positions` in place (copy it first, as _add_dynamic does).
    positions = SetPositions({b.name: b.pos for b in bindings}, node.pos if written else None)
    if node.rec:
        inner = Scope({n: i + 1 for i, n in enumerate(names)}, scope)
        # With __overrides, the rec's own variables must be looked up late (they can be replaced).
        late = "__overrides" in inner.names
        lazies = [_binding_lazy(b, inner, scope, 1 if late else n + 1) for n, b in enumerate(bindings)]
        inherited = [b.inherited for b in bindings]
        dyn = _compile_dynamic(node.dynamic, inner)

        plan = list(zip(lazies, inherited))

        overrides_slot = inner.names.get("__overrides")

        def ev_rec(env: Any) -> Any:
            frame = _recursive_frame(env, plan)
            attrs = _new_attrs(Attrs)
            attrs.update(zip(names, frame[1:]))
            attrs.positions = positions
            if overrides_slot is not None:
                _apply_overrides(attrs, frame, inner.names, overrides_slot)
            if dyn:
                _add_dynamic(attrs, dyn, frame)
            return attrs

        return ev_rec
    lazies = [_binding_lazy(b, scope, scope) for b in node.bindings]
    dyn = _compile_dynamic(node.dynamic, scope)
    if not dyn and all(k == THUNK for k, _, _ in lazies):
        items = [(n, x, p) for n, (k, x, p) in zip(names, lazies)]

        if len(items) == 1:
            (name, code, _p), = items

            def ev_single(env: Any) -> Any:
                attrs = _new_attrs(Attrs)
                attrs[name] = Thunk(code, env, None)
                attrs.positions = positions
                return attrs

            return ev_single

        def ev_plain(env: Any) -> Any:
            attrs = _new_attrs(Attrs)
            attrs.update({n: Thunk(x, env, p) for n, x, p in items})
            attrs.positions = positions
            return attrs

        return ev_plain

    mixed = [(n, k, x, p) for n, (k, x, p) in zip(names, lazies)]

    def ev(env: Any) -> Any:
        attrs = _new_attrs(Attrs)
        attrs.update({n: Thunk(x, env, p) if k == THUNK else x if k == CONST else x(env) for n, k, x, p in mixed})
        attrs.positions = positions
        if dyn:
            _add_dynamic(attrs, dyn, env)
        return attrs

    return ev


def _apply_overrides(attrs: Attrs, frame: list[Any], slots: dict[str, int], overrides_slot: int) -> None:
    """Legacy `rec { __overrides = { … }; … }`: its attributes replace the rec's own, for the rec's bodies too."""
    overrides = frame[overrides_slot]
    if type(overrides) is Thunk:
        overrides = overrides.force()
    if type(overrides) is not Attrs:
        raise TypeError_(hintfmt("value is {} while a set was expected", type_name(overrides)))
    for name, value in overrides.items():
        slot = slots.get(name)
        if slot is not None:
            frame[slot] = value
        attrs[name] = value


def _compile_dynamic(dynamic: tuple[ast.DynamicBinding, ...], scope: Any) -> list[Any]:
    return [(compile_expr(d.name, scope),
             (THUNK, _compile_attrs(d.value, scope, written=False), None) if _is_implied_set(d.value, d.pos)
             else compile_lazy(d.value, scope), d.pos) for d in dynamic]


def _add_dynamic(attrs: Attrs, dyn: list[Any], env: Any) -> None:
    from nixlite.eval.coerce import force_string_no_ctx

    from nixlite.eval.state import current_state

    symbols = current_state().symbols
    attrs.positions = attrs.positions.copy() if attrs.positions is not None else {}
    for name_code, (kind, x, vpos), pos in dyn:
        name_value = name_code(env)
        if name_value is None:
            continue
        try:
            name = force_string_no_ctx(name_value)
        except NixError as err:
            raise err.unpositioned()  # as Nix 2.8: no position for a bad attribute name
        symbols.note(name)  # Nix creates the name's symbol now
        if name in attrs:
            other = attrs.positions.get(name)
            if other is None:
                raise EvalError(hintfmt("dynamic attribute '{}' already defined", name), pos)
            raise EvalError(hintfmt("dynamic attribute '{}' already defined at {}", name, pos_text(other)), pos)
        attrs[name] = Thunk(x, env, vpos) if kind == THUNK else x if kind == CONST else x(env)
        attrs.positions[name] = pos


def pos_text(pos: Any) -> str:
    """A position as Nix 2.8 writes it inside messages: `(string)` for «string»."""
    file = pos.file
    if file == "«string»":
        file = "(string)"
    elif file == "«stdin»":
        file = "(stdin)"
    return position_text(file, pos.line, pos.col)


def _compile_list(node: ast.List, scope: Any) -> Code:
    lazies = [compile_lazy(item, scope) for item in node.items]
    if not lazies:
        return lambda env: []
    if all(k == CONST for k, _, _ in lazies):
        consts = [x for _, x, _ in lazies]
        return lambda env: list(consts)
    if all(k == THUNK for k, _, _ in lazies):
        codes = [(x, p) for _, x, p in lazies]
        return lambda env: [Thunk(x, env, p) for x, p in codes]
    return lambda env: _fill(env, lazies)


# --- control ------------------------------------------------------------------------

def _bool_error(v: Any, pos: Any) -> NixError:
    return TypeError_(hintfmt("value is {} while a Boolean was expected", type_name(v)), pos)


def _compile_if(node: ast.If, scope: Any) -> Code:
    cond = compile_expr(node.cond, scope)
    then = compile_expr(node.then, scope)
    else_ = compile_expr(node.else_, scope)
    pos = node.pos

    def ev(env: Any) -> Any:
        c = cond(env)
        if c is True:
            return then(env)
        if c is False:
            return else_(env)
        raise _bool_error(c, pos)

    return ev


def _compile_assert(node: ast.Assert, scope: Any) -> Code:
    cond = compile_expr(node.cond, scope)
    body = compile_expr(node.body, scope)
    pos = node.pos

    def ev(env: Any) -> Any:
        c = cond(env)
        if c is True:
            return body(env)
        if c is False:
            raise AssertionError_(hintfmt("assertion '{}' failed", show_expr(node.cond)), pos)
        raise _bool_error(c, pos)

    return ev


def show_expr(node: ast.Expr) -> str:
    """The expression as `nix-instantiate --parse` prints it (for assertion messages)."""
    try:
        from nixlite.syntax.printer import show  # the parser's --parse printer
    except ImportError:
        return "«expression»"
    return show(node)  # type: ignore[no-any-return]


def _compile_not(node: ast.Not, scope: Any) -> Code:
    inner = compile_expr(node.expr, scope)

    def ev(env: Any) -> Any:
        c = inner(env)
        if c is True:
            return False
        if c is False:
            return True
        raise _bool_error(c, None)

    return ev


def _not_compiled(node: Any, scope: Any) -> Code:
    raise EvalError(f"cannot evaluate {type(node).__name__}", node.pos)


def _compilers() -> dict[type, Callable[[Any, Any], Code]]:
    from nixlite.eval import functions, operators, selection

    return {
        ast.Int: _compile_literal, ast.Float: _compile_literal, ast.Str: _compile_literal,
        ast.Path: _compile_path, ast.Var: _compile_var, ast.CurPos: _compile_cur_pos,
        ast.With: _compile_with, ast.Let: _compile_let, ast.AttrSet: _compile_attrs,
        ast.List: _compile_list, ast.If: _compile_if, ast.Assert: _compile_assert, ast.Not: _compile_not,
        ast.Select: selection.compile_select, ast.HasAttr: selection.compile_has_attr,
        ast.Lambda: functions.compile_lambda_expr, ast.Call: functions.compile_call,
        ast.BinaryOp: operators.compile_binary, ast.ConcatStrings: operators.compile_concat,
    }


class _LazyTable(dict):  # type: ignore[type-arg]
    """The node-type table, filled on first use (the modules import each other)."""

    def __missing__(self, key: type) -> Any:
        if not self:
            self.update(_compilers())
            if key in self:
                return self[key]
        return _not_compiled


_COMPILERS: dict[type, Callable[[Any, Any], Code]] = _LazyTable()

__all__ = ["compile_expr", "compile_lazy", "in_symbol_order", "local_slot", "force_at", "position_attrs", "position_file", "make_lazy", "with_attrs", "pos_text", "show_expr",
           "CONST", "THUNK", "LOOKUP", "InfiniteRecursion"]
