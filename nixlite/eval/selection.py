"""Attribute selection `e.a.b or d` and the test `e ? a.b`.

Errors follow Nix 2.8's `ExprSelect::eval`: a non-set or a missing attribute
is reported at the selection's position (with a `Did you mean` hint), and
once at least one attribute was found, any error while forcing the result
gains the frame `while evaluating the attribute 'a.b'` at the position where
the last found attribute was defined.
"""

from __future__ import annotations

# Nix 2.8 adds no `while evaluating the attribute` frame for attributes of its
# derivation.nix (`drvPath = strict.drvPath;` and the like): the name it shows
# that file under (nixlite.primops.derivation.DERIVATION_NIX_SHOWN_AS).
_DERIVATION_NIX = "//builtin/derivation.nix"

from typing import Any

from nixlite.eval.compiler import Code, compile_expr
from nixlite.eval.errors import EvalError, InfiniteRecursion, NixError, TypeError_, hintfmt
from nixlite.eval.suggestions import did_you_mean
from nixlite.eval.values import Attrs, Thunk, type_name

_MISSING = object()


def _compile_names(path: tuple[Any, ...], scope: Any) -> list[Any]:
    """Static names stay strings; dynamic ones become code producing the name."""
    return [n if type(n) is str else compile_expr(n, scope) for n in path]


def attr_name(name_code: Any, env: Any, pos: Any) -> str:
    """The name of one attribute-path element (dynamic names must be strings without context)."""
    del pos
    if type(name_code) is str:
        return name_code
    from nixlite.eval.coerce import force_string_no_ctx

    value = name_code(env)
    try:
        return force_string_no_ctx(value)
    except NixError as err:
        raise err.unpositioned()  # Nix 2.8 reports a bad attribute name without a position


def missing_attr(name: str, attrs: Attrs, pos: Any) -> NixError:
    err = EvalError(hintfmt("attribute '{}' missing", name), pos)
    err.hint = did_you_mean(name, attrs.keys())
    return err


def compile_select(node: Any, scope: Any) -> Code:
    base = compile_expr(node.expr, scope)
    names = _compile_names(node.path, scope)
    default = compile_expr(node.default, scope) if node.default is not None else None
    pos = node.pos
    if default is None and len(names) == 1 and type(names[0]) is str:
        return _select_one(base, names[0], pos)

    def ev(env: Any) -> Any:
        v = base(env)
        owner: Any = None  # the set the last attribute was found in (positions on error only)
        try:
            for name_code in names:
                name = name_code if type(name_code) is str else attr_name(name_code, env, pos)
                if type(v) is not Attrs:
                    if default is not None:
                        return default(env)
                    raise TypeError_(hintfmt("value is {} while a set was expected", type_name(v)), pos)
                x = v.get(name, _MISSING)
                if x is _MISSING:
                    if default is not None:
                        return default(env)
                    raise missing_attr(name, v, pos)
                owner, key = v, name
                v = x.force() if type(x) is Thunk else x
            return v
        except NixError as err:
            found_pos = owner.positions.get(key) if owner is not None and owner.positions else None
            if type(err) is InfiniteRecursion:
                err.at(found_pos or pos)
            if found_pos is not None and found_pos.file != _DERIVATION_NIX:
                err.add_trace(found_pos, hintfmt("while evaluating the attribute '{}'", _path_text(names, env)))
            raise

    return ev


def _select_one(base: Code, name: str, pos: Any) -> Code:
    """`e.a`: the commonest selection, without the loop."""
    def ev(env: Any) -> Any:
        v = base(env)
        if type(v) is not Attrs:
            raise TypeError_(hintfmt("value is {} while a set was expected", type_name(v)), pos)
        x = v.get(name, _MISSING)
        if type(x) is not Thunk:
            if x is _MISSING:
                raise missing_attr(name, v, pos)
            return x
        try:
            return x.force()
        except NixError as err:
            found_pos = v.positions.get(name) if v.positions else None
            if type(err) is InfiniteRecursion:
                err.at(found_pos or pos)
            if found_pos is not None and found_pos.file != _DERIVATION_NIX:
                err.add_trace(found_pos, hintfmt("while evaluating the attribute '{}'", name))
            raise

    return ev


def _path_text(names: list[Any], env: Any) -> str:
    parts = []
    for n in names:
        if type(n) is str:
            parts.append(n)
        else:
            try:
                parts.append(attr_name(n, env, None))
            except NixError:
                parts.append("«dynamic»")
    return ".".join(parts)


def compile_has_attr(node: Any, scope: Any) -> Code:
    base = compile_expr(node.expr, scope)
    names = _compile_names(node.path, scope)
    pos = node.pos

    def ev(env: Any) -> Any:
        v = base(env)
        for name_code in names:
            if type(v) is Thunk:
                v = v.force()
            name = attr_name(name_code, env, pos)
            if type(v) is not Attrs:
                return False
            v = v.get(name, _MISSING)
            if v is _MISSING:
                return False
        return True  # the last value is not forced, as in Nix

    return ev


__all__ = ["compile_select", "compile_has_attr", "attr_name", "missing_attr"]
