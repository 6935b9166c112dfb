"""The operators kept as AST nodes: `== != && || -> // ++`, and `+` / interpolation.

`+` and `"…${e}…"` are Nix's `ExprConcatStrings`: the type of the first
operand decides the result. Integers add (64-bit overflow is an error, as in
current Nix), a float turns the sum into a float; a path stays a path
(strings appended to it must not refer to the store, and the result is
canonicalised); anything else builds a string whose context is the union of
the parts' contexts, coercing each part with Nix's rules (a path part of a
string is copied to the store). Errors are reported at the offending
operand's position, as Nix does.
"""

from __future__ import annotations

from typing import Any

from nixlite.eval.compiler import Code, compile_expr, force_at, local_slot
from nixlite.syntax import ast
from nixlite.eval.errors import EvalError, NixError, TypeError_, hintfmt
from nixlite.eval.values import Attrs, ContextString, PathValue, Thunk, make_string, type_name

INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1


def canon_path(path: str) -> str:
    """Nix's canonPath: absolute, no `.`/`..`/empty components, no trailing slash."""
    out: list[str] = []
    for part in path.split("/"):
        if part == "" or part == ".":
            continue
        if part == "..":
            if out:
                out.pop()
            continue
        out.append(part)
    return "/" + "/".join(out)


def compile_concat(node: Any, scope: Any) -> Code:
    parts = [(compile_expr(p, scope), p.pos) for p in node.parts]
    if not node.force_string and len(parts) == 2:
        if type(node.parts[1]) is ast.Int:
            return _compile_plus_int(parts[0], node.parts[1])
        return _compile_plus(parts[0], parts[1])
    positions = [p for _, p in parts]
    if node.force_string:
        # Nix reports an interpolated part at its `${`, which the AST does not keep.
        positions = [p if type(e) is ast.Str else _DollarCurly(p) for e, p in zip(node.parts, positions)]
        # Interpolation: string parts are joined directly; anything else
        # (context, paths, sets, errors) takes the general path.
        codes = [code for code, _ in parts]
        dynamic = [i for i, e in enumerate(node.parts) if type(e) is not ast.Str]
        if len(dynamic) == 1:
            return _compile_one_interpolation(node.parts, codes, dynamic[0], positions)

        def ev_interpolation(env: Any) -> Any:
            values = [code(env) for code in codes]
            for v in values:
                if type(v) is not str:
                    return concat_values(values, positions, True)
            return "".join(values)

        return ev_interpolation

    def ev(env: Any) -> Any:
        return concat_values([code(env) for code, _ in parts], positions, False)

    return ev


def _compile_one_interpolation(nodes: Any, codes: list[Code], index: int, positions: list[Any]) -> Code:
    """`"…${e}…"` with one interpolated expression: a string `e` is joined to the literal text directly."""
    prefix = "".join(n.value for n in nodes[:index])
    suffix = "".join(n.value for n in nodes[index + 1:])
    code = codes[index]
    before = [n.value for n in nodes[:index]]
    after = [n.value for n in nodes[index + 1:]]

    slot, vpos = local_slot(code) or (-1, None)

    def ev_one(env: Any) -> Any:
        if slot < 0:
            v = code(env)
        else:  # `"<${s}>"` with `s` in this frame: read without a call
            v = env[slot]
            if type(v) is Thunk:
                v = v.value if v.code is None else force_at(v, vpos)
        if type(v) is str:
            return prefix + v + suffix
        return concat_values(before + [v] + after, positions, True)

    return ev_one


def _compile_plus_int(left: tuple[Code, Any], literal: Any) -> Code:
    """`e + 3`: the commonest addition, with the literal known."""
    lcode, lpos = left
    y, ypos = literal.value, literal.pos
    slot, vpos = local_slot(lcode) or (-1, None)

    def ev(env: Any) -> Any:
        if slot < 0:
            a = lcode(env)
        else:  # `i + 1` with `i` in this frame: read without a call
            a = env[slot]
            if type(a) is Thunk:
                a = a.value if a.code is None else force_at(a, vpos)
        if type(a) is int:
            n = a + y
            if INT_MIN <= n <= INT_MAX:
                return n
        return concat_values([a, y], [lpos, ypos], False)

    return ev


def _compile_plus(left: tuple[Code, Any], right: tuple[Code, Any]) -> Code:
    lcode, lpos = left
    rcode, rpos = right

    def ev(env: Any) -> Any:
        a = lcode(env)
        b = rcode(env)
        ta = type(a)
        if ta is int and type(b) is int:
            n = a + b
            if INT_MIN <= n <= INT_MAX:
                return n
        elif ta is str and type(b) is str:
            return a + b
        return concat_values([a, b], [lpos, rpos], False)

    return ev


def concat_values(values: list[Any], positions: list[Any], force_string: bool) -> Any:
    """The general case of `+` and interpolation over forced operand values."""
    first = type(values[0]) if not force_string else str
    if first is int or first is float:
        return _add_numbers(values, positions)
    from nixlite.eval.coerce import coerce_to_string
    from nixlite.eval.state import current_state

    state = current_state()
    if first is str and all(type(v) is str for v in values):
        return "".join(values)
    copy = first is str or first is ContextString
    texts: list[str] = []
    context: set[str] = set()
    for v, pos in zip(values, positions):
        try:
            s, ctx = coerce_to_string(state, v, copy_to_store=copy)
        except NixError as err:
            raise err.at(pos.resolve() if type(pos) is _DollarCurly else pos)
        texts.append(s)
        if ctx:
            context |= ctx
    text = "".join(texts)
    if first is PathValue:
        if context:
            raise EvalError("a string that refers to a store path cannot be appended to a path", positions[0])
        return PathValue(canon_path(text))
    return make_string(text, frozenset(context))


class _DollarCurly:
    """The position of the `${` before an interpolated expression, found when an error needs it."""

    __slots__ = ("expr_pos",)

    def __init__(self, expr_pos: Any) -> None:
        self.expr_pos = expr_pos

    def resolve(self) -> Any:
        from nixlite.eval.state import current_state

        pos = self.expr_pos
        text = current_state().source_texts.get(pos.file)
        if text is None:
            try:
                with open(pos.file, encoding="utf-8", errors="replace") as f:
                    text = f.read()
            except OSError:
                return pos
        lines = text.split("\n")
        line, col = pos.line, pos.col - 1
        while line >= 1:
            found = lines[line - 1].rfind("${", 0, col if line == pos.line else None)
            if found >= 0:
                return type(pos)(pos.file, line, found + 1)
            line -= 1
        return pos


def _add_numbers(values: list[Any], positions: list[Any]) -> Any:
    total: Any = 0
    is_float = False
    for v, pos in zip(values, positions):
        t = type(v)
        if t is int:
            if not is_float:
                n = total + v
                if not INT_MIN <= n <= INT_MAX:
                    raise EvalError(f"integer overflow in adding {total} + {v}", pos)
                total = n
            else:
                total += v
        elif t is float:
            if not is_float:
                is_float, total = True, float(total)
            total += v
        else:
            what = "a float" if is_float else "an integer"
            raise TypeError_(hintfmt("cannot add {} to " + what, type_name(v)), pos)
    return total


# --- the other binary operators --------------------------------------------------------

def _bool(v: Any, pos: Any) -> bool:
    if v is True or v is False:
        return v
    raise TypeError_(hintfmt("value is {} while a Boolean was expected", type_name(v)), pos)


def compile_binary(node: Any, scope: Any) -> Code:
    lhs = compile_expr(node.lhs, scope)
    rhs = compile_expr(node.rhs, scope)
    pos = node.pos
    op = node.op
    if op == "==" or op == "!=":
        from nixlite.eval.equality import values_equal

        if type(node.rhs) is ast.Str or type(node.rhs) is ast.Int:
            eq = _compile_eq_literal(lhs, node.rhs.value, values_equal)
            return eq if op == "==" else lambda env: not eq(env)

        def eq(env: Any) -> bool:
            a = lhs(env)
            b = rhs(env)
            t = type(a)
            if t is type(b) and (t is int or t is str):  # the common cases, inline
                return a == b  # type: ignore[no-any-return]
            return values_equal(a, b)

        if op == "==":
            return eq
        return lambda env: not eq(env)
    if op == "&&":
        return lambda env: _bool(lhs(env), pos) and _bool(rhs(env), pos)
    if op == "||":
        return lambda env: _bool(lhs(env), pos) or _bool(rhs(env), pos)
    if op == "->":
        return lambda env: (not _bool(lhs(env), pos)) or _bool(rhs(env), pos)
    if op == "//":
        return lambda env: update_attrs(lhs(env), rhs(env))
    if op == "++":
        return lambda env: concat_lists(lhs(env), rhs(env), pos)
    raise EvalError(f"unknown operator '{op}'", pos)


def _compile_eq_literal(lhs: Code, literal: Any, values_equal: Any) -> Code:
    """`e == "text"` / `e == 0`: the literal's type is known, the common case is inline."""
    literal_type = type(literal)

    def eq_literal(env: Any) -> bool:
        a = lhs(env)
        if type(a) is literal_type:
            return a == literal  # type: ignore[no-any-return]
        return values_equal(a, literal)  # type: ignore[no-any-return]

    return eq_literal


def update_attrs(a: Any, b: Any) -> Attrs:
    """`a // b` (Nix 2.8 reports a non-set operand without a position)."""
    if type(a) is not Attrs:
        raise TypeError_(hintfmt("value is {} while a set was expected", type_name(a)))
    if type(b) is not Attrs:
        raise TypeError_(hintfmt("value is {} while a set was expected", type_name(b)))
    if not b:
        return a
    if not a:
        return b
    out = Attrs.__new__(Attrs)  # without the Python-level __init__: positions are set below
    out.update(a)
    out.update(b)
    out.positions = None
    if a.positions or b.positions:
        positions = dict(a.positions or ())
        positions.update(b.positions or ())
        out.positions = positions
    return out


def concat_lists(a: Any, b: Any, pos: Any) -> list[Any]:
    """`a ++ b`."""
    if type(a) is not list:
        raise TypeError_(hintfmt("value is {} while a list was expected", type_name(a)), pos)
    if type(b) is not list:
        raise TypeError_(hintfmt("value is {} while a list was expected", type_name(b)), pos)
    if not b:
        return a
    if not a:
        return b
    return a + b


__all__ = ["compile_concat", "compile_binary", "concat_values", "update_attrs", "concat_lists",
           "canon_path", "INT_MIN", "INT_MAX"]
