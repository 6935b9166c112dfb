"""Deep forcing: `--strict`, `builtins.deepSeq`, and anything that needs a value in full.

Like Nix's `forceValueDeep`, every list element and attribute value is
forced, each container once (cyclic values terminate), and an error inside
an attribute gains the frame `while evaluating the attribute 'a'` at the
attribute's definition. The walk uses an explicit stack for lists, so long
lists do not deepen the Python stack.

A set's attributes are forced in Nix 2.8's symbol order (`nixlite.eval.symbols`),
so that of two failing attributes the one Nix reports fails first (and
`trace` messages come in Nix's order).
"""

from __future__ import annotations

from typing import Any, Callable

from nixlite.eval.errors import NixError, hintfmt
from nixlite.eval.values import Attrs, SetPositions, Thunk


def deep_force(v: Any) -> Any:
    """Force `v` and everything inside it; returns the forced value."""
    from nixlite.eval.state import current_state

    if type(v) is Thunk:
        v = v.force()
    _walk(v, set(), current_state().symbols.in_force_order)
    return v


def _walk(v: Any, seen: set[int], in_force_order: Callable[[Any], list[str]]) -> None:
    t = type(v)
    if t is list:
        if id(v) in seen:
            return
        seen.add(id(v))
        for item in v:
            if type(item) is Thunk:
                item = item.force()
            if type(item) is list or type(item) is Attrs:
                _walk(item, seen, in_force_order)
    elif t is Attrs:
        if id(v) in seen:
            return
        seen.add(id(v))
        for name in _names_in_force_order(v, in_force_order):
            item = v[name]
            try:
                if type(item) is Thunk:
                    item = item.force()
                if type(item) is list or type(item) is Attrs:
                    _walk(item, seen, in_force_order)
            except NixError as err:
                pos = v.positions.get(name) if v.positions else None
                err.add_trace(pos, hintfmt("while evaluating the attribute '{}'", name))
                raise


def _names_in_force_order(s: Attrs, in_force_order: Callable[[Any], list[str]]) -> Any:
    positions = s.positions
    if type(positions) is SetPositions and len(positions) == len(s):
        # A set built by a literal: its names are the literal's, ordered once.
        names = positions.force_order
        if names is None:
            names = positions.force_order = in_force_order(positions)
        return names
    return in_force_order(s) if len(s) > 1 else s


__all__ = ["deep_force"]
