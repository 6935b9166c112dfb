"""Printing the AST exactly as `nix-instantiate --parse` (Nix 2.8) prints it.

Nix prints every compound expression in parentheses (`(f x)`, `(a + b)`,
`(x: body)`), attribute names of a set sorted, `inherit x ;` for inherited
attributes, list items each parenthesised, floats as C++ streams print a
double (`%g`, six significant digits) and strings with `"`, `\\`, `$`, and
newline, CR and tab escaped.

Two orders come from Nix's symbol table rather than from the source: the
bindings of a `let` and the formals of a function are printed in the order
of their names' symbols (symbol_order.py).

Each node kind has a function appending its text to the output list,
calling `_expr` for its subexpressions: plain recursion, the fastest way in
Python (a work stack of pieces costs a push and a pop per piece). To print
deeply nested expressions without deep Python recursion, a subexpression
more than _MAX_DEPTH levels down is not printed in place: the output keeps
the node as a placeholder, and `show` prints it afterwards from a fresh
stack and puts its text there.
"""

from __future__ import annotations

import re
from operator import attrgetter

from nixlite.syntax import ast
from nixlite.syntax.symbol_order import symbol_sort_key

# The characters Nix escapes in a string, and how.
_ESCAPES = str.maketrans({'"': '\\"', "\\": "\\\\", "$": "\\$", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_IDENT_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_'\-]*\Z")

# Nesting levels printed by recursion before a subtree is deferred: each level
# is two Python frames, so a caller may itself be hundreds of frames deep.
_MAX_DEPTH = 100


def show_string(s: str) -> str:
    """A string literal as Nix prints one."""
    # (six substring tests are faster than one regex search on short strings)
    if '"' in s or "\\" in s or "$" in s or "\n" in s or "\r" in s or "\t" in s:
        # Backslashes first: the other replacements add backslashes.
        s = s.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
        s = s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return '"' + s + '"'


def show_float(value: float) -> str:
    """A double as `std::ostream << double` prints it (`%g`)."""
    return "%g" % value


class _AttrNames(dict):
    """name -> its printed form; the same names recur throughout a file."""

    def __missing__(self, name: str) -> str:
        if len(self) > 100_000:  # a bound, for long-running evaluations
            self.clear()
        shown = self[name] = name if _IDENT_RE.match(name) and name != "if" else show_string(name)
        return shown


_attr_names = _AttrNames()


def show_attr_name(name: str) -> str:
    """A static attribute name: bare when it is an identifier, else quoted."""
    return _attr_names[name]


class _Output(list):
    """The text printed so far, as pieces; plus what `show` must fill in afterwards."""

    __slots__ = ("symbols", "deferred", "text")

    def __init__(self, symbols) -> None:
        super().__init__()
        self.symbols = symbols  # the parser's symbol order (let bindings, formals)
        self.deferred: list[int] = []  # indices of subtrees left as placeholders
        self.text = ""  # all of it joined, once its deferred subtrees are


def show(expr: ast.Expr, symbols: dict | None = None) -> str:
    """`expr` as `nix-instantiate --parse` prints it (without the final newline).

    `symbols` is the parser's symbol order (`parse_source(...).symbols`),
    which decides the order of `let` bindings and formals.
    """
    root = _Output(symbols)
    _expr(expr, root, 0)
    if not root.deferred:
        return "".join(root)
    # Print the deferred subtrees (which may defer deeper ones in turn), then
    # join the outputs innermost first, each into its placeholder's slot.
    outputs, pending = [], [root]
    while pending:
        out = pending.pop()
        outputs.append(out)
        for i in out.deferred:
            sub = _Output(symbols)
            _expr(out[i], sub, 0)
            out[i] = sub
            pending.append(sub)
    for out in reversed(outputs):  # every output comes after the one it is part of
        for i in out.deferred:
            out[i] = out[i].text
        out.text = "".join(out)
    return root.text


def _expr(e: ast.Expr, out: _Output, depth: int) -> None:
    """Append the text of `e`, `depth` levels of recursion below `show`."""
    kind = type(e)
    # The commonest nodes are leaves: printed here, without another call.
    if kind is _Str:
        out.append(show_string(e.value))
    elif kind is _Var:
        out.append(e.name)
    elif kind is _Int:
        out.append(str(e.value))
    elif depth >= _MAX_DEPTH:
        out.deferred.append(len(out))
        out.append(e)  # the placeholder (see `show`)
    else:
        try:
            printer = _PRINTERS[kind]
        except KeyError:
            printer = _printer_of_subclass(kind)
        printer(e, out, depth + 1)


_Str, _Var, _Int = ast.Str, ast.Var, ast.Int


def _printer_of_subclass(kind: type):
    for base in kind.__mro__:
        if base in _PRINTERS:
            return _PRINTERS[base]
    raise TypeError(f"cannot print {kind.__name__}")


def _call(e: ast.Call, out: _Output, depth: int) -> None:
    out.append("(")
    _expr(e.fn, out, depth)
    for arg in e.args:
        out.append(" ")
        _expr(arg, out, depth)
    out.append(")")


def _attr_path(path, out: _Output, depth: int) -> None:
    """`a.b."${e}"`."""
    first = True
    for name in path:
        if not first:
            out.append(".")
        first = False
        if isinstance(name, str):
            out.append(_attr_names[name])
        else:
            out.append('"${')
            _expr(name, out, depth + 1)  # (this function's frame counts as a level)
            out.append('}"')


def _select(e: ast.Select, out: _Output, depth: int) -> None:
    out.append("(")
    _expr(e.expr, out, depth)
    out.append(").")
    _attr_path(e.path, out, depth)
    if e.default is not None:
        out.append(" or (")
        _expr(e.default, out, depth)
        out.append(")")


def _has_attr(e: ast.HasAttr, out: _Output, depth: int) -> None:
    out.append("((")
    _expr(e.expr, out, depth)
    out.append(") ? ")
    _attr_path(e.path, out, depth)
    out.append(")")


_binding_name = attrgetter("name")


def _utf8_name(binding: ast.Binding) -> bytes:
    return binding.name.encode("utf-8", "surrogateescape")


def _attrset(e: ast.AttrSet, out: _Output, depth: int) -> None:
    emit = out.append
    emit("rec { " if e.rec else "{ ")
    bindings = e.bindings
    if len(bindings) > 1:
        # Nix sorts the names as bytes. For ASCII names str order is byte order
        # (and comparing str needs no encoding).
        if all(map(str.isascii, map(_binding_name, bindings))):
            bindings = sorted(bindings, key=_binding_name)
        else:
            bindings = sorted(bindings, key=_utf8_name)
    for b in bindings:
        if b.inherited:
            emit(f"inherit {_attr_names[b.name]} ; ")
        else:
            emit(_attr_names[b.name])
            emit(" = ")
            _expr(b.value, out, depth)
            emit("; ")
    for d in e.dynamic:
        emit('"${')
        _expr(d.name, out, depth)
        emit('}" = ')
        _expr(d.value, out, depth)
        emit("; ")
    emit("}")


def _list(e: ast.List, out: _Output, depth: int) -> None:
    emit = out.append
    emit("[ ")
    for item in e.items:
        emit("(")
        _expr(item, out, depth)
        emit(") ")
    emit("]")


def _concat(e: ast.ConcatStrings, out: _Output, depth: int) -> None:
    separator = "("
    for part in e.parts:
        out.append(separator)
        separator = " + "
        _expr(part, out, depth)
    out.append(")")


def _in_symbol_order(items, symbols):
    return sorted(items, key=symbol_sort_key(items, symbols)) if len(items) > 1 else items


def _let(e: ast.Let, out: _Output, depth: int) -> None:
    emit = out.append
    emit("(let ")
    for b in _in_symbol_order(e.attrs.bindings, out.symbols):
        if b.inherited:
            emit(f"inherit {_attr_names[b.name]}; ")
        else:
            emit(_attr_names[b.name])
            emit(" = ")
            _expr(b.value, out, depth)
            emit("; ")
    emit("in ")
    _expr(e.body, out, depth)
    emit(")")


def _lambda(e: ast.Lambda, out: _Output, depth: int) -> None:
    emit = out.append
    emit("(")
    if e.formals is not None:
        emit("{ ")
        formals = _in_symbol_order(e.formals.formals, out.symbols)
        separator = ""
        for f in formals:
            emit(separator)
            separator = ", "
            emit(f.name)
            if f.default is not None:
                emit(" ? ")
                _expr(f.default, out, depth)
        if e.formals.ellipsis:
            emit(", ..." if formals else "...")
        emit(" }")
        if e.arg is not None:
            emit(" @ ")
    if e.arg is not None:
        emit(e.arg)
    emit(": ")
    _expr(e.body, out, depth)
    emit(")")


def _binary_op(e: ast.BinaryOp, out: _Output, depth: int) -> None:
    out.append("(")
    _expr(e.lhs, out, depth)
    out.append(f" {e.op} ")
    _expr(e.rhs, out, depth)
    out.append(")")


def _fixed(*layout: str):
    """The printer of a node shown as fixed text around its fields.

    `layout` alternates text and field names: ("(! ", "expr", ")").
    """
    steps = tuple(zip(layout[0::2], map(attrgetter, layout[1::2])))
    last = layout[-1] if len(layout) % 2 else ""

    def print_fixed(e: ast.Expr, out: _Output, depth: int) -> None:
        for text, field in steps:
            out.append(text)
            _expr(field(e), out, depth)
        if last:
            out.append(last)

    return print_fixed


_PRINTERS = {
    ast.Var: lambda e, out, depth: out.append(e.name),
    ast.Int: lambda e, out, depth: out.append(str(e.value)),
    ast.Str: lambda e, out, depth: out.append(show_string(e.value)),
    ast.Path: lambda e, out, depth: out.append(e.value),
    ast.Float: lambda e, out, depth: out.append(show_float(e.value)),
    ast.CurPos: lambda e, out, depth: out.append("__curPos"),
    ast.Call: _call,
    ast.Select: _select,
    ast.HasAttr: _has_attr,
    ast.AttrSet: _attrset,
    ast.List: _list,
    ast.ConcatStrings: _concat,
    ast.Let: _let,
    ast.Lambda: _lambda,
    ast.BinaryOp: _binary_op,
    ast.Not: _fixed("(! ", "expr", ")"),
    ast.With: _fixed("(with ", "env", "; ", "body", ")"),
    ast.If: _fixed("(if ", "cond", " then ", "then", " else ", "else_", ")"),
    ast.Assert: _fixed("assert ", "cond", "; ", "body"),  # (Nix prints no parentheses here)
}
