"""Building attribute sets from bindings, with Nix's merging and its errors.

Nix's parser (`addAttr` in parser.y) does not keep `a.b.c = 1;` as a path:
it inserts the value into nested attribute sets, creating them on the way,
and reuses a set already written literally (`a = { b = 1; }; a.c = 2;`).
Two literal sets bound to the same name are merged (`a = { x = 1; };
a = { y = 2; };`, a quirk of Nix 2.8 kept here), and every other second
definition is "attribute 'a.b' already defined at FILE:L:C". A set stays
mutable (`MutableAttrs`) until its enclosing binding list is complete, then
it is frozen into the `AttrSet` of the AST.

The "already defined at" position is printed as Nix prints a `Pos`: the
file name, or "(string)" for expressions not read from a file.
"""

from __future__ import annotations

from nixlite.eval.errors import ParseError, hintfmt, position_text
from nixlite.syntax.ast import AttrName, AttrSet, Binding, DynamicBinding, Expr, Pos
from nixlite.syntax.fastnodes import new


class MutableAttrs:
    """An attribute set under construction, plus its dynamic bindings.

    `attrs` maps each name to its final `Binding`, or, while the binding may
    still change (a nested set that later paths extend), to a list
    [value, pos, inherited]; `plain` says that there is no such list (most
    sets), so that freezing is a copy.
    """

    __slots__ = ("pos", "rec", "attrs", "dynamic", "inherit_pos", "plain")

    def __init__(self, pos: Pos, rec: bool = False) -> None:
        self.pos = pos
        self.rec = rec
        self.attrs: dict[str, Binding | list] = {}
        self.dynamic: list[DynamicBinding] = []
        self.inherit_pos: Pos = pos  # where Nix places the variables of `inherit x;`
        self.plain = True

    @classmethod
    def thaw(cls, attrs: AttrSet) -> "MutableAttrs":
        """A mutable copy of a literal set, so that later bindings can extend it."""
        m = cls(attrs.pos, attrs.rec)
        for b in attrs.bindings:
            m.attrs[b.name] = b
        m.dynamic = list(attrs.dynamic)
        return m

    def entry(self, name: str):
        """The mutable [value, pos, inherited] of `name` (None if unbound)."""
        entry = self.attrs.get(name)
        if type(entry) is Binding:
            entry = self.attrs[name] = [entry.value, entry.pos, entry.inherited]
            self.plain = False
        return entry

    def store(self, name: str, entry: list) -> None:
        self.attrs[name] = entry
        self.plain = False

    def freeze(self) -> AttrSet:
        if self.plain:
            bindings = tuple(self.attrs.values())
        else:
            binding, mutable = new.Binding, MutableAttrs
            bindings = tuple([
                entry if type(entry) is Binding else
                binding(name, entry[0].freeze() if type(entry[0]) is mutable else entry[0], entry[2], entry[1])
                for name, entry in self.attrs.items()
            ])
        dynamic = tuple(new.DynamicBinding(d.name, _frozen(d.value), d.pos) for d in self.dynamic) \
            if self.dynamic else ()
        return new.AttrSet(self.pos, self.rec, bindings, dynamic)


def _frozen(value):
    return value.freeze() if isinstance(value, MutableAttrs) else value


def _as_set(value):
    """The mutable set behind a binding's value, or None if the value is not a set literal."""
    if isinstance(value, MutableAttrs):
        return value
    if isinstance(value, AttrSet):
        return MutableAttrs.thaw(value)
    return None


def show_pos(pos: Pos) -> str:
    """A position as Nix 2.8 prints it inside a message."""
    file = pos.file
    if file.startswith("«"):
        file = "(string)"
    return position_text(file, pos.line, pos.col)


def show_attr_path(path, show_expr) -> str:
    """`a.b."${e}"` as Nix prints an attribute path in messages."""
    parts = []
    for name in path:
        parts.append(name if isinstance(name, str) else '"${' + show_expr(name) + '}"')
    return ".".join(parts)


def already_defined(name: str, pos: Pos, previous: Pos) -> ParseError:
    return ParseError(hintfmt("attribute '{}' already defined at {}", name, show_pos(previous)), pos)


def add_attr(target: MutableAttrs, path: list[AttrName], value: Expr, pos: Pos, show_expr) -> None:
    """Bind `path = value;` in `target` as Nix's addAttr does (raises on a duplicate)."""
    for name in path[:-1]:
        if isinstance(name, str):
            entry = target.entry(name)
            if entry is None:
                nested = MutableAttrs(pos)
                target.store(name, [nested, pos, False])
                target = nested
                continue
            nested = None if entry[2] else _as_set(entry[0])
            if nested is None:
                raise already_defined(show_attr_path(path, show_expr), pos, entry[1])
            entry[0] = nested
            target = nested
        else:
            nested = MutableAttrs(pos)
            target.dynamic.append(DynamicBinding(name, nested, pos))  # type: ignore[arg-type]
            target = nested
    last = path[-1]
    if not isinstance(last, str):
        target.dynamic.append(DynamicBinding(last, value, pos))
        return
    entry = target.entry(last)
    if entry is None:
        target.attrs[last] = new.Binding(last, value, False, pos)
        return
    existing = None if entry[2] else _as_set(entry[0])
    incoming = _as_set(value)
    if existing is None or incoming is None:
        raise already_defined(show_attr_path(path, show_expr), pos, entry[1])
    # Two set literals: Nix 2.8 copies the static attributes of the second
    # into the first (reporting a clash with the two positions swapped).
    for name, incoming_entry in incoming.attrs.items():
        clash = existing.attrs.get(name)
        if clash is not None:
            raise already_defined(name, _pos_of(clash), _pos_of(incoming_entry))
        if type(incoming_entry) is list:
            existing.plain = False
        existing.attrs[name] = incoming_entry
    entry[0] = existing


def _pos_of(entry) -> Pos:
    return entry.pos if type(entry) is Binding else entry[1]


def add_inherited(target: MutableAttrs, name: str, value: Expr, pos: Pos, inherited: bool) -> None:
    """Bind one name of `inherit …;` / `inherit (e) …;` (raises on a duplicate)."""
    entry = target.attrs.get(name)
    if entry is not None:
        raise already_defined(name, pos, _pos_of(entry))
    target.attrs[name] = new.Binding(name, value, inherited, pos)
