"""Deep forcing: `--strict`, `builtins.deepSeq`, and anything that needs a value in full.

Like Nix's `forceValueDeep`, every list element and attribute value is
forced, each container once (cyclic values terminate), and an error inside
an attribute gains the frame `while evaluating the attribute 'a'` at the
attribute's definition. The walk uses an explicit stack for lists, so long
lists do not deepen the Python stack.
"""

from __future__ import annotations

from typing import Any

from nixlite.eval.errors import NixError
from nixlite.eval.values import Attrs, Thunk


def deep_force(v: Any) -> Any:
    """Force `v` and everything inside it; returns the forced value."""
    if type(v) is Thunk:
        v = v.force()
    _walk(v, set())
    return v


def _walk(v: Any, seen: set[int]) -> None:
    t = type(v)
    if t is list:
        if id(v) in seen:
            return
        seen.add(id(v))
        for item in v:
            if type(item) is Thunk:
                item = item.force()
            if type(item) is list or type(item) is Attrs:
                _walk(item, seen)
    elif t is Attrs:
        if id(v) in seen:
            return
        seen.add(id(v))
        for name, item in v.items():
            try:
                if type(item) is Thunk:
                    item = item.force()
                if type(item) is list or type(item) is Attrs:
                    _walk(item, seen)
            except NixError as err:
                pos = v.positions.get(name) if v.positions else None
                err.add_trace(pos, f"while evaluating the attribute '{name}'")
                raise


__all__ = ["deep_force"]
