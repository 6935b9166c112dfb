"""Printing the AST exactly as `nix-instantiate --parse` (Nix 2.8) prints it.

Nix prints every compound expression in parentheses (`(f x)`, `(a + b)`,
`(x: body)`), attribute names of a set sorted, `inherit x ;` for inherited
attributes, list items each parenthesised, floats as C++ streams print a
double (`%g`, six significant digits) and strings with `"`, `\\`, `$`, and
newline, CR and tab escaped.

Two orders come from Nix's symbol table rather than from the source: the
bindings of a `let` and the formals of a function are printed in the order
of their names' symbols (symbol_order.py).

The printer keeps its own work stack instead of recursing, so that deeply
nested expressions print without deep Python recursion.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nixlite.syntax import ast
from nixlite.syntax.symbol_order import symbol_sort_key

_ESCAPES = {'"': '\\"', "\\": "\\\\", "$": "\\$", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPE_RE = re.compile(r'["\\$\n\r\t]')
_IDENT_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_'\-]*\Z")


def _escape(m: re.Match) -> str:
    return _ESCAPES[m.group()]


def show_string(s: str) -> str:
    """A string literal as Nix prints one."""
    if _ESCAPE_RE.search(s) is None:
        return '"' + s + '"'
    return '"' + _ESCAPE_RE.sub(_escape, s) + '"'


def show_float(value: float) -> str:
    """A double as `std::ostream << double` prints it (`%g`)."""
    return "%g" % value


@lru_cache(maxsize=4096)  # the same names recur throughout a file
def show_attr_name(name: str) -> str:
    """A static attribute name: bare when it is an identifier, else quoted."""
    if _IDENT_RE.match(name) and name != "if":
        return name
    return show_string(name)


def _attr_path(path, out: list) -> None:
    """Push the pieces of `a.b."${e}"` onto the work list `out` (reversed later)."""
    first = True
    for name in path:
        if not first:
            out.append(".")
        first = False
        if isinstance(name, str):
            out.append(show_attr_name(name))
        else:
            out.extend(('"${', name, '}"'))


def _call(e: ast.Call, symbols) -> list:
    out: list = ["(", e.fn]
    for a in e.args:
        out.extend((" ", a))
    out.append(")")
    return out


def _select(e: ast.Select, symbols) -> list:
    out = ["(", e.expr, ")."]
    _attr_path(e.path, out)
    if e.default is not None:
        out.extend((" or (", e.default, ")"))
    return out


def _list(e: ast.List, symbols) -> list:
    out = ["[ "]
    for item in e.items:
        out.extend(("(", item, ") "))
    out.append("]")
    return out


def _concat(e: ast.ConcatStrings, symbols) -> list:
    out = ["("]
    for i, part in enumerate(e.parts):
        if i:
            out.append(" + ")
        out.append(part)
    out.append(")")
    return out


def _has_attr(e: ast.HasAttr, symbols) -> list:
    out = ["((", e.expr, ") ? "]
    _attr_path(e.path, out)
    out.append(")")
    return out


# node type -> (node, symbol order) -> its output as strings and sub-expressions, in order
_PRINTERS = {
    ast.Var: lambda e, symbols: [e.name],
    ast.Int: lambda e, symbols: [str(e.value)],
    ast.Str: lambda e, symbols: [show_string(e.value)],
    ast.Call: _call,
    ast.Select: _select,
    ast.AttrSet: lambda e, symbols: _attrset(e),
    ast.List: _list,
    ast.Lambda: lambda e, symbols: _lambda(e, symbols),
    ast.ConcatStrings: _concat,
    ast.BinaryOp: lambda e, symbols: ["(", e.lhs, f" {e.op} ", e.rhs, ")"],
    ast.Not: lambda e, symbols: ["(! ", e.expr, ")"],
    ast.Path: lambda e, symbols: [e.value],
    ast.Float: lambda e, symbols: [show_float(e.value)],
    ast.HasAttr: _has_attr,
    ast.Let: lambda e, symbols: _let(e, symbols),
    ast.With: lambda e, symbols: ["(with ", e.env, "; ", e.body, ")"],
    ast.If: lambda e, symbols: ["(if ", e.cond, " then ", e.then, " else ", e.else_, ")"],
    ast.Assert: lambda e, symbols: ["assert ", e.cond, "; ", e.body],
    ast.CurPos: lambda e, symbols: ["__curPos"],
}


def _pieces(e: ast.Expr, symbols) -> list:
    """The output of one node as strings and sub-expressions, in order."""
    printer = _PRINTERS.get(type(e))
    if printer is None:  # a subclass of a node type
        printer = next((_PRINTERS[c] for c in type(e).__mro__ if c in _PRINTERS), None)
        if printer is None:
            raise TypeError(f"cannot print {type(e).__name__}")
    return printer(e, symbols)


def _attrset(e: ast.AttrSet) -> list:
    out: list = ["rec { " if e.rec else "{ "]
    for b in sorted(e.bindings, key=lambda b: b.name.encode("utf-8", "surrogateescape")):
        if b.inherited:
            out.append(f"inherit {show_attr_name(b.name)} ; ")
        else:
            out.extend((show_attr_name(b.name), " = ", b.value, "; "))
    for d in e.dynamic:
        out.extend(('"${', d.name, '}" = ', d.value, "; "))
    out.append("}")
    return out


def _let(e: ast.Let, symbols) -> list:
    out: list = ["(let "]
    for b in sorted(e.attrs.bindings, key=symbol_sort_key(e.attrs.bindings, symbols)):
        if b.inherited:
            out.append(f"inherit {show_attr_name(b.name)}; ")
        else:
            out.extend((show_attr_name(b.name), " = ", b.value, "; "))
    out.extend(("in ", e.body, ")"))
    return out


def _lambda(e: ast.Lambda, symbols) -> list:
    out: list = ["("]
    if e.formals is not None:
        out.append("{ ")
        formals = sorted(e.formals.formals, key=symbol_sort_key(e.formals.formals, symbols))
        for i, f in enumerate(formals):
            if i:
                out.append(", ")
            out.append(f.name)
            if f.default is not None:
                out.extend((" ? ", f.default))
        if e.formals.ellipsis:
            out.append(", ..." if formals else "...")
        out.append(" }")
        if e.arg is not None:
            out.append(" @ ")
    if e.arg is not None:
        out.append(e.arg)
    out.extend((": ", e.body, ")"))
    return out


def show(expr: ast.Expr, symbols: dict | None = None) -> str:
    """`expr` as `nix-instantiate --parse` prints it (without the final newline).

    `symbols` is the parser's symbol order (`parse_source(...).symbols`),
    which decides the order of `let` bindings and formals.
    """
    result: list[str] = []
    emit = result.append
    work: list = [expr]
    pop, push_all = work.pop, work.extend
    # The commonest nodes are leaves: print them without building pieces.
    var, string, integer, call, text = ast.Var, ast.Str, ast.Int, ast.Call, str
    push = work.append
    while work:
        item = pop()
        kind = type(item)
        if kind is text:
            emit(item)
        elif kind is var:
            emit(item.name)
        elif kind is string:
            emit(show_string(item.value))
        elif kind is integer:
            emit(str(item.value))
        elif kind is call:  # `(fn a b)`, pushed in reverse
            push(")")
            args = item.args
            for i in range(len(args) - 1, -1, -1):
                push(args[i])
                push(" ")
            push(item.fn)
            emit("(")
        else:
            pieces = _pieces(item, symbols)
            pieces.reverse()
            push_all(pieces)
    return "".join(result)
