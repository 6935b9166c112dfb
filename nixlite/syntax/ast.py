"""The Nix abstract syntax tree: one frozen record class per node.

This is the contract between the parser (which builds it from Lark's tree)
and the evaluator (which compiles it). It mirrors the node set of Nix's own
`nixexpr.hh`, after the same desugarings Nix's parser performs, so that the
`--parse` printer can reproduce `nix-instantiate --parse` exactly:

- `a - b`, `a * b`, `a / b`, `a < b` become calls of `__sub`, `__mul`,
  `__div`, `__lessThan` (`a > b` is `__lessThan b a`, `a <= b` is
  `! (__lessThan b a)`, `a >= b` is `! (__lessThan a b)`), `-x` is `__sub 0 x`;
- `a + b` and interpolated strings are `ConcatStrings`;
- `<p>` is `__findFile __nixPath "p"`; `./p` and `~/p` are resolved to
  absolute `Path`s at parse time; a URI is a `Str`;
- `inherit (e) x;` is the binding `x = (e).x` (not marked inherited);
  `inherit x;` is a binding marked `inherited` (it resolves `x` outside a
  `rec`/`let` scope);
- nested attribute paths `a.b = 1; a.c = 2;` are merged into nested
  `AttrSet`s; the legacy `let { body = e; … }` is `(rec { … }).body`;
- `x |> f` and `f <| x` are `Call(f, (x,))` (pipe operators, current Nix).

Every node carries `pos`, the source position Nix would report for it.
Attribute names in paths are `str` when static and an `Expr` when dynamic
(`a.${e}`, `"${e}" = …`).

Each class is what `@dataclass(frozen=True, slots=True)` would make of it
(fields in order, equality, hashing, frozen, `dataclasses.fields`);
`@frozen_node` (nodeclass.py) makes it at a fraction of the start-up cost.
"""

from __future__ import annotations

from typing import Union

from nixlite.syntax.nodeclass import frozen_node


@frozen_node
class Pos:
    """A source position: file name (or «string»/«stdin»), 1-based line and column."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@frozen_node
class Expr:
    """Base class of all expression nodes."""

    pos: Pos


# An element of an attribute path: a static name or a dynamic expression.
AttrName = Union[str, Expr]


@frozen_node
class Int(Expr):
    """An integer literal: `42`."""

    value: int


@frozen_node
class Float(Expr):
    """A float literal: `1.5`, `.5`, `1.e3`."""

    value: float


@frozen_node
class Str(Expr):
    """A string without interpolation: `"abc"`, `''abc''`, or a URI `http://x`."""

    value: str


@frozen_node
class Path(Expr):
    """A path literal resolved to an absolute path: `./a`, `/a/b`, `~/a`."""

    value: str


@frozen_node
class Var(Expr):
    """A variable reference: `x`."""

    name: str


@frozen_node
class Select(Expr):
    """Attribute selection: `e.a.b` or `e.a.b or default`."""

    expr: Expr
    path: tuple[AttrName, ...]
    default: Expr | None


@frozen_node
class HasAttr(Expr):
    """The has-attribute test: `e ? a.b`."""

    expr: Expr
    path: tuple[AttrName, ...]


@frozen_node
class Binding:
    """One static attribute `name = value;` (or `inherit name;` when inherited)."""

    name: str
    value: Expr
    inherited: bool
    pos: Pos


@frozen_node
class DynamicBinding:
    """One dynamic attribute `"${name}" = value;`."""

    name: Expr
    value: Expr
    pos: Pos


@frozen_node
class AttrSet(Expr):
    """An attribute set `{ … }` or `rec { … }`.

    `bindings` are in source order of first definition, names unique;
    `dynamic` holds the `${…}` attributes, evaluated outside the rec scope.
    """

    rec: bool
    bindings: tuple[Binding, ...]
    dynamic: tuple[DynamicBinding, ...]


@frozen_node
class List(Expr):
    """A list literal: `[ a b c ]`."""

    items: tuple[Expr, ...]


@frozen_node
class Formal:
    """One formal parameter of a set pattern: `name` or `name ? default`."""

    name: str
    default: Expr | None
    pos: Pos


@frozen_node
class Formals:
    """A set pattern `{ a, b ? 1, ... }`, formals in source order."""

    formals: tuple[Formal, ...]
    ellipsis: bool


@frozen_node
class Lambda(Expr):
    """A function: `x: body`, `{ a, … }: body`, `x@{ … }: body`, `{ … }@x: body`."""

    arg: str | None
    formals: Formals | None
    body: Expr


@frozen_node
class Call(Expr):
    """Function application `f a b`, with the arguments of one application chain."""

    fn: Expr
    args: tuple[Expr, ...]


@frozen_node
class Let(Expr):
    """`let bindings; in body`; `attrs` is the (recursive) binding set."""

    attrs: AttrSet
    body: Expr


@frozen_node
class With(Expr):
    """`with env; body`."""

    env: Expr
    body: Expr


@frozen_node
class If(Expr):
    """`if cond then then_ else else_`."""

    cond: Expr
    then: Expr
    else_: Expr


@frozen_node
class Assert(Expr):
    """`assert cond; body`."""

    cond: Expr
    body: Expr


@frozen_node
class Not(Expr):
    """Boolean negation `!e`."""

    expr: Expr


# Operators kept as one node kind; the arithmetic and comparison operators are
# desugared to calls (see the module docstring).
BINARY_OPS = ("==", "!=", "&&", "||", "->", "//", "++")


@frozen_node
class BinaryOp(Expr):
    """`lhs op rhs` for op in BINARY_OPS."""

    op: str
    lhs: Expr
    rhs: Expr


@frozen_node
class ConcatStrings(Expr):
    """`a + b` (force_string False) or an interpolated string (force_string True)."""

    force_string: bool
    parts: tuple[Expr, ...]


@frozen_node
class CurPos(Expr):
    """`__curPos`: the position of this expression as an attribute set."""
