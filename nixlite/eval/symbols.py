"""The order of attribute names in Nix 2.8's symbol table, for forcing sets in Nix's order.

Nix keeps a set's attributes sorted by symbol, and a symbol compares by the
address where the symbol table stored its name. `--strict` and `deepSeq`
(forceValueDeep) force attributes in that order, so when two attributes
fail, the error Nix reports is the one of the attribute whose name became a
symbol first (roughly), not the first written or the first alphabetically:
`{ b = throw "b"; name = throw "n"; }` fails with "n" (`name` is created
with the evaluator), `{ x = throw "x"; b = throw "b"; }` with "b".

One `SymbolTable` per evaluation models that order with the model of
`nixlite.syntax.symbol_order` (measured for `nix-instantiate --parse`):
names the evaluator creates first (PREDEFINED), then names in the order they
are created — by the parser, file by file as files are parsed, and by the
builtins that make names at run time (listToAttrs, dynamic attributes,
fromJSON, groupBy) — and `x`/`__curPos` last.

Where this is not Nix's order: the model is one of heap addresses, and in
large programs the allocator reuses freed blocks; names made at run time by
builtins not listed above (getAttr/hasAttr/removeAttrs with a string,
readDir, fromTOML, `-A` paths, …) are ranked only when the strict walk meets
them; and the names of Nix's derivation.nix, which Nix 2.8 creates at a high
address (after the user's text), count as the user's when the user writes
them first.
"""

from __future__ import annotations

from typing import Iterable

from nixlite.syntax.symbol_order import PREDEFINED

# Created early by Nix, stored at a high address: after every other name.
_LATE = ("x", "__curPos")
_LATE_BASE = 1 << 40


class SymbolTable:
    """Names ranked in the order their symbols sort in Nix 2.8 (see the module docstring)."""

    __slots__ = ("rank", "_next")

    def __init__(self) -> None:
        self.rank: dict[str, int] = {name: i for i, name in enumerate(PREDEFINED)}
        for i, name in enumerate(_LATE):
            self.rank[name] = _LATE_BASE + i
        self._next = len(self.rank)

    def add(self, names: Iterable[str]) -> None:
        """Names created now, in this order (those already known keep their place)."""
        rank = self.rank
        for name in names:
            if name not in rank:
                rank[name] = self._next
                self._next += 1

    def note(self, name: str) -> int:
        """The rank of `name`, creating it now when it is new."""
        r = self.rank.get(name)
        if r is None:
            r = self.rank[name] = self._next
            self._next += 1
        return r

    def in_force_order(self, names: Iterable[str]) -> list[str]:
        """`names` in the order Nix walks them (the order of their symbols)."""
        rank = self.rank
        try:
            return sorted(names, key=rank.__getitem__)
        except KeyError:  # a name made at run time by a builtin that does not note it
            return sorted(names, key=self.note)


def note_symbols(names: Iterable[str]) -> None:
    """Builtins that make attribute names at run time say so here (in creation order)."""
    from nixlite.eval.state import current_state

    current_state().symbols.add(names)


__all__ = ["SymbolTable", "note_symbols"]
