"""Compile-time scopes: where each variable lives at run time.

The compiler resolves every variable once, statically, the way Nix's
`bindVars` does:

- A lexical binding (lambda argument, formal, `let` or `rec` binding) is found
  at `(depth, slot)`: `depth` frames up the chain of run-time frames, at index
  `slot` of that frame. A run-time frame is a Python list whose element 0 is
  the parent frame and whose other elements are the bound values (or thunks).
- The base environment (builtins, `true`, `map`, …) is the outermost lexical
  scope; its values are fixed per evaluator state, so a base variable compiles
  to a constant.
- A name found nowhere lexically is looked up at run time in the enclosing
  `with` sets, innermost first (lexical bindings, including the base
  environment, always win over `with`). A `with` also occupies a frame:
  `[parent, attrs-or-thunk]`.
"""

from __future__ import annotations

from typing import Any


class Scope:
    """One level of lexical scope: a frame whose slots hold `names`."""

    __slots__ = ("names", "parent", "is_with")

    def __init__(self, names: dict[str, int], parent: "Scope | BaseScope", is_with: bool = False) -> None:
        self.names = names  # name -> slot index (>= 1) in the run-time frame
        self.parent = parent
        self.is_with = is_with


class BaseScope:
    """The outermost scope: names with fixed values (builtins, or a scopedImport set).

    The values may be given as a loader, called on the first lookup: an
    expression that names no builtin (`nixlite eval -E 1`) never loads them.
    """

    __slots__ = ("_values", "_loader", "parent")

    def __init__(self, values: dict[str, Any] | None = None, parent: "BaseScope | None" = None,
                 loader: Any = None) -> None:
        self._values = values
        self._loader = loader
        self.parent = parent

    def install(self, values: dict[str, Any]) -> None:
        """Set the values while the loader is still running (it may compile against them)."""
        self._values = values

    @property
    def values(self) -> dict[str, Any]:
        if self._values is None:
            self._values = self._loader()
        return self._values


class Resolution:
    """Where a variable lives: a frame slot, a base value, or the enclosing `with`s."""

    __slots__ = ("depth", "slot", "base_value", "with_depths", "found_base")

    def __init__(self) -> None:
        self.depth = -1
        self.slot = -1
        self.base_value: Any = None
        self.found_base = False
        self.with_depths: list[int] = []


def resolve(scope: Scope | BaseScope, name: str) -> Resolution:
    """Resolve `name` as seen from `scope` (lexical first, then `with`s)."""
    r = Resolution()
    depth = 0
    s: Any = scope
    while type(s) is Scope:
        if s.is_with:
            r.with_depths.append(depth)
        else:
            slot = s.names.get(name)
            if slot is not None:
                r.depth, r.slot = depth, slot
                return r
        depth += 1
        s = s.parent
    while s is not None:
        if name in s.values:
            r.found_base = True
            r.base_value = s.values[name]
            return r
        s = s.parent
    return r


__all__ = ["Scope", "BaseScope", "Resolution", "resolve"]
