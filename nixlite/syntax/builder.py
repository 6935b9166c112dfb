"""Grammar actions: each rule of grammar/nix.lark becomes an AST node here.

The parser driver calls `Builder.<rule>(start, *children)` when it reduces a
rule, where `start` is the offset at which the rule's text begins (bison's
`@$`, which Nix calls CUR_POS) and `self.prev_end` is the end of the symbol
before it (where bison places an empty rule). Children are AST nodes, lists
built by other actions, or token tuples `(type, value, start, end)`.

This is where Nix's desugarings happen (see nixlite/syntax/ast.py), with the
positions Nix gives each node, and where the static errors that Nix raises
while parsing are raised: duplicate attributes and formals, dynamic
attributes in `let` or `inherit`.
"""

from __future__ import annotations

import os
from bisect import bisect_right

from nixlite.eval.errors import ParseError, hintfmt
from nixlite.syntax import ast
from nixlite.syntax.ast import Binding
from nixlite.syntax.attrsets import MutableAttrs, add_attr, add_inherited
from nixlite.syntax.fastnodes import mutable_twin, new
from nixlite.syntax.indentation import strip_indentation

_COMPARISONS = {"LT": (False, False), "GT": (True, False), "LEQ": (True, True), "GEQ": (False, True)}
_ARITH = {"*": "__mul", "/": "__div"}
new_binding = new.Binding
_POS_TWIN = mutable_twin(ast.Pos)


def canon_path(path: str) -> str:
    """Nix's canonPath: an absolute path without `.`, `..` or repeated slashes (no symlinks)."""
    parts: list[str] = []
    for part in path.split("/"):
        if part == "" or part == ".":
            continue
        if part == "..":
            if parts:
                parts.pop()
        else:
            parts.append(part)
    return "/" + "/".join(parts)


def home_dir() -> str:
    home = os.environ.get("HOME")
    if home is None:
        import pwd

        home = pwd.getpwuid(os.getuid()).pw_dir
    return home


def _line_starts(text: str) -> list[int]:
    """The offsets where lines start; Nix counts CR/LF, lone CR and LF as line ends."""
    starts = [0]
    n = len(text)
    find = text.find
    i = 0
    while True:
        j = find("\n", i)
        k = find("\r", i, j if j != -1 else n)
        if k != -1:
            end = k + 2 if text.startswith("\r\n", k) else k + 1
        elif j != -1:
            end = j + 1
        else:
            break
        starts.append(end)
        i = end
    return starts


def _position_finder(text: str, file: str):
    """A function offset -> Pos for `text`; Nix counts columns in bytes."""
    line_starts = _line_starts(text)
    line_starts.append(len(text) + 1)  # a sentinel: every offset is before it
    ascii_only = text.isascii()
    # (new.Pos's steps inline: a Pos is made for most offsets asked about)
    make, twin, pos_class = object.__new__, _POS_TWIN, ast.Pos
    # Many nodes start where their first child starts: they share one Pos.
    cache: dict[int, ast.Pos] = {}
    cached = cache.get
    # Offsets come mostly in text order: the line of the last one is the
    # first guess (bisect compares Python ints, a dozen times per lookup).
    line = 1

    def pos(offset: int) -> ast.Pos:
        nonlocal line
        found = cached(offset)
        if found is None:
            start = line_starts[line - 1]
            if not start <= offset < line_starts[line]:
                line = bisect_right(line_starts, offset)
                start = line_starts[line - 1]
            if ascii_only:
                col = offset - start + 1
            else:
                col = len(text[start:offset].encode("utf-8", "surrogateescape")) + 1
            found = make(twin)
            found.file = file
            found.line = line
            found.col = col
            found.__class__ = pos_class
            cache[offset] = found
        return found

    return pos


class Builder:
    """The semantic actions for one parse of one source text."""

    def __init__(self, text: str, file: str, base_dir: str, show_expr) -> None:
        self.file = file
        self.base_dir = base_dir
        self.prev_end = 0
        self.show_expr = show_expr
        # Names in the order Nix's parser would create their symbols (symbol_order.py).
        self.symbols: dict[str, int] = {}
        self.pos = _position_finder(text, file)

    def _symbol(self, name: str) -> str:
        if name not in self.symbols:
            self.symbols[name] = len(self.symbols)
        return name

    def _call(self, start: int, fn: str, *args) -> ast.Call:
        p = self.pos(start)
        return new.Call(p, new.Var(p, fn), args)

    # -- functions ------------------------------------------------------------

    def start(self, start, e):
        return e

    def lambda_ident(self, start, arg, colon, body):
        return new.Lambda(self.pos(start), self._symbol(arg[1]), None, body)

    def lambda_formals(self, start, formals, colon, body):
        return new.Lambda(self.pos(start), None, self._check_formals(formals, None, start), body)

    def lambda_formals_at(self, start, formals, at, arg, colon, body):
        self._symbol(arg[1])
        return new.Lambda(self.pos(start), arg[1], self._check_formals(formals, arg[1], start), body)

    def lambda_at_formals(self, start, arg, at, formals, colon, body):
        self._symbol(arg[1])
        return new.Lambda(self.pos(start), arg[1], self._check_formals(formals, arg[1], start), body)

    def _check_formals(self, formals, arg, start) -> ast.Formals:
        items, ellipsis = formals
        seen: dict[str, int] = {}
        duplicate = None
        for rank_pos, formal in enumerate(items):
            first = seen.setdefault(formal.name, rank_pos)
            if first != rank_pos:
                candidate = (first, rank_pos)
                if duplicate is None or candidate < duplicate:
                    duplicate = candidate
        if duplicate is not None:
            formal = items[duplicate[1]]
            raise ParseError(hintfmt("duplicate formal function argument '{}'", formal.name), formal.pos)
        if arg is not None and arg in seen:
            raise ParseError(hintfmt("duplicate formal function argument '{}'", arg), self.pos(start))
        return new.Formals(tuple(items), ellipsis)

    def formals(self, start, lbrace, items, rbrace):
        return items

    def formals_empty(self, start, lbrace, rbrace):
        return ([], False)

    def formals_none(self, start):
        return ([], False)

    def formals_more(self, start, formal, comma, rest):
        return ([formal] + rest[0], rest[1])

    def formals_last_comma(self, start, formal, comma):
        return ([formal], False)

    def formals_one(self, start, formal):
        return ([formal], False)

    def formals_ellipsis(self, start, ellipsis):
        return ([], True)

    def formal(self, start, name):
        return new.Formal(self._symbol(name[1]), None, self.pos(start))

    def formal_default(self, start, name, question, default):
        return new.Formal(self._symbol(name[1]), default, self.pos(start))

    # -- keywords ---------------------------------------------------------------

    def assert_(self, start, kw, cond, semi, body):
        return new.Assert(self.pos(start), cond, body)

    def with_(self, start, kw, env, semi, body):
        return new.With(self.pos(start), env, body)

    def let(self, start, kw, binds, kw_in, body):
        if binds.dynamic:
            raise ParseError("dynamic attributes not allowed in let", self.pos(start))
        binds.rec = True
        binds.pos = self.pos(start)
        return new.Let(self.pos(start), binds.freeze(), body)

    def let_empty(self, start, kw, kw_in, body):
        p = self.pos(start)
        return new.Let(p, new.AttrSet(p, True, (), ()), body)

    def if_(self, start, kw_if, cond, kw_then, then, kw_else, else_):
        return new.If(self.pos(start), cond, then, else_)

    # -- operators --------------------------------------------------------------

    def pipe_from(self, start, fn, op, arg):
        return self.apply(start, fn, arg)

    def pipe_into(self, start, arg, op, fn):
        return self.apply(start, fn, arg)

    def binop(self, start, lhs, op, rhs):
        return new.BinaryOp(self.pos(start), op[1], lhs, rhs)

    def _compare(self, start, lhs, op, rhs):
        swap, negate = _COMPARISONS[op[0]]
        call = self._call(start, "__lessThan", *((rhs, lhs) if swap else (lhs, rhs)))
        return new.Not(call.pos, call) if negate else call

    less_than = greater_than = less_equal = greater_equal = _compare

    def not_(self, start, op, e):
        return new.Not(self.pos(start), e)

    def plus(self, start, lhs, op, rhs):
        return new.ConcatStrings(self.pos(start), False, (lhs, rhs))

    def minus(self, start, lhs, op, rhs):
        return self._call(start, "__sub", lhs, rhs)

    def arith(self, start, lhs, op, rhs):
        return self._call(start, _ARITH[op[1]], lhs, rhs)

    def negate(self, start, op, e):
        return self._call(start, "__sub", new.Int(self.pos(start), 0), e)

    def has_attr(self, start, e, op, path):
        return new.HasAttr(self.pos(start), e, self._attr_path(path))

    def apply(self, start, fn, arg):
        # Nix appends to any call on the left, even a parenthesised one: `(f a) b` is `(f a b)`.
        if isinstance(fn, ast.Call):
            return new.Call(fn.pos, fn.fn, fn.args + (arg,))
        return new.Call(self.pos(start), fn, (arg,))

    def select(self, start, e, dot, path):
        return new.Select(self.pos(start), e, self._attr_path(path), None)

    def select_or(self, start, e, dot, path, kw_or, default):
        return new.Select(self.pos(start), e, self._attr_path(path), default)

    def or_call(self, start, fn, kw_or):
        # `map or [...]`: `or` used as a variable (nixpkgs once had such a function).
        p = self.pos(start)
        return new.Call(p, fn, (new.Var(p, self._symbol("or")),))

    # -- atoms ------------------------------------------------------------------

    def var(self, start, ident):
        if ident[1] == "__curPos":
            return new.CurPos(self.pos(start))
        name = ident[1]
        symbols = self.symbols
        if name not in symbols:
            symbols[name] = len(symbols)
        return new.Var(self.pos(start), name)

    def int_(self, start, tok):
        return new.Int(self.pos(start), tok[1])

    def float_(self, start, tok):
        return new.Float(self.pos(start), tok[1])

    def string(self, start, tok):
        return new.Str(self.pos(start), tok[1])

    uri = string

    def _parts(self, parts):
        return tuple(new.Str(self.pos(p[2]), p[1]) if isinstance(p, tuple) else p for p in parts)

    def interpolated(self, start, q1, parts, q2):
        if not parts:
            return new.Str(self.pos(start), "")
        if len(parts) == 1 and isinstance(parts[0], tuple):
            return new.Str(self.pos(parts[0][2]), parts[0][1])
        return new.ConcatStrings(self.pos(parts[0][2] if isinstance(parts[0], tuple) else q1[3]), True,
                                 self._parts(parts))

    def indented(self, start, open_, parts, close):
        if not parts:
            return new.Str(self.pos(start), "")
        pieces = [(p[1][0], p[1][1], p[2]) if isinstance(p, tuple) else p for p in parts]
        out = strip_indentation(pieces, lambda text, piece: new.Str(self.pos(piece[2]), text))
        if len(out) == 1 and isinstance(out[0], ast.Str):
            return out[0]
        return new.ConcatStrings(self.pos(start), True, tuple(out))

    def interpolation(self, start, open_, e, close):
        return e

    def parts_one(self, start, part):
        return [part]

    def parts_none(self, start):
        return []

    def parts_two(self, start, first, second):
        return [first, second]

    def parts_more(self, start, parts, part):
        parts.append(part)
        return parts

    def _resolve_path(self, raw: str) -> str:
        if raw.startswith("~"):
            return home_dir() + raw[1:]
        resolved = canon_path(raw if raw.startswith("/") else self.base_dir + "/" + raw)
        return resolved

    def path(self, start, tok):
        return new.Path(self.pos(start), self._resolve_path(tok[1]))

    def path_interpolated(self, start, path_start, parts, end):
        raw = path_start[1]
        resolved = self._resolve_path(raw)
        if raw.endswith("/") and len(raw) > 1 and not raw.startswith("~"):
            resolved += "/"  # Nix adds back the trailing slash of the first segment
        first = new.Path(self.pos(start), resolved)
        return new.ConcatStrings(self.pos(start), False, (first,) + self._parts(parts))

    def search_path(self, start, tok):
        p = self.pos(start)
        return new.Call(p, new.Var(p, "__findFile"), (new.Var(p, "__nixPath"), new.Str(p, tok[1])))

    def parens(self, start, lp, e, rp):
        return e

    def list_(self, start, lb, items, rb):
        return new.List(self.pos(start), tuple(items))

    def list_empty(self, start, lb, rb):
        return new.List(self.pos(start), ())

    def items_one(self, start, item):
        return [item]

    def items_more(self, start, items, item):
        items.append(item)
        return items

    # -- attribute sets ---------------------------------------------------------

    def attrs(self, start, lb, binds, rb):
        binds.pos = self.pos(start)
        return binds.freeze()

    def attrs_empty(self, start, lb, rb):
        return new.AttrSet(self.pos(start), False, (), ())

    def rec_attrs(self, start, kw, lb, binds, rb):
        binds.pos = self.pos(lb[2])
        binds.rec = True
        return binds.freeze()

    def rec_attrs_empty(self, start, kw, lb, rb):
        return new.AttrSet(self.pos(lb[2]), True, (), ())

    def legacy_let(self, start, kw, lb, binds, rb):
        binds.pos = self.pos(lb[2])
        binds.rec = True
        attrs = binds.freeze()
        return new.Select(self.pos(start), attrs, (self._symbol("body"),), None)

    def legacy_let_empty(self, start, kw, lb, rb):
        attrs = new.AttrSet(self.pos(lb[2]), True, (), ())
        return new.Select(self.pos(start), attrs, (self._symbol("body"),), None)

    def binds_one(self, start, bind):
        # The set's position is the token before the bindings (`{` or `let`);
        # `inherit x;` variables are placed just after that token.
        binds = MutableAttrs(self.pos(self.prev_end))  # the enclosing rule sets the real pos
        return self.binds_more(start, binds, bind)

    def binds_more(self, start, binds, bind):
        if type(bind) is Binding:  # `name = value;` (see bind_value)
            attrs = binds.attrs
            name = bind.name
            if name not in attrs:
                attrs[name] = bind
                return binds
            add_attr(binds, (name,), bind.value, bind.pos, self.show_expr)
        elif bind[0] == "value":
            _, path, value, start = bind
            add_attr(binds, self._attr_path(path), value, self.pos(start), self.show_expr)
        else:
            self._add_inherit(binds, bind)
        return binds

    def _add_inherit(self, binds: MutableAttrs, bind) -> None:
        _, source, names, names_start = bind
        names_pos = self.pos(names_start)
        for name, _name_start in names:
            if source is None:
                add_inherited(binds, name, new.Var(binds.inherit_pos, name), names_pos, True)
            else:
                add_inherited(binds, name, new.Select(binds.inherit_pos, source, (name,), None), names_pos, False)

    def bind_value(self, start, path, eq, value, semi):
        # The common `name = value;` is its final Binding already.
        if len(path) == 1:
            name = path[0][0]
            if type(name) is str:
                return new_binding(name, value, False, self.pos(start))
        return ("value", path, value, start)

    def bind_inherit(self, start, kw, names, semi):
        return ("inherit", None, names, kw[3])

    def bind_inherit_from(self, start, kw, lp, source, rp, names, semi):
        return ("inherit", source, names, rp[3])

    def names_none(self, start):
        return []

    def inherit_more(self, start, names, name):
        if not isinstance(name[0], str):
            raise ParseError("dynamic attributes not allowed in inherit", self.pos(name[1]))
        names.append(name)
        return names

    def names_one(self, start, name):
        return [name]

    def names_more(self, start, names, dot, name):
        names.append(name)
        return names

    # Chains of one-child rules the driver runs as one call (parser._bind_callback).

    def static_name__names_one(self, start, tok):
        """`a` as a whole attribute path: [(name, start)]."""
        name = tok[1]
        symbols = self.symbols
        if name not in symbols:
            symbols[name] = len(symbols)
        return [(name, start)]

    def string__items_one(self, start, tok):
        return [new.Str(self.pos(start), tok[1])]

    def var__items_one(self, start, ident):
        return [self.var(start, ident)]

    def _attr_path(self, names) -> tuple:
        return tuple(name for name, _ in names)

    def static_name(self, start, tok):
        name = tok[1]
        symbols = self.symbols
        if name not in symbols:
            symbols[name] = len(symbols)
        return (name, start)

    def string_name(self, start, q1, parts, q2):
        if not parts:
            return (self._symbol(""), start)
        if len(parts) == 1 and isinstance(parts[0], tuple):
            return (self._symbol(parts[0][1]), start)
        return (self.interpolated(start, q1, parts, q2), start)

    def dynamic_name(self, start, open_, e, close):
        # `${"a"}` is the static name a.
        if isinstance(e, ast.Str):
            return (self._symbol(e.value), start)
        return (e, start)
