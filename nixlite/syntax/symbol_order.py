"""The order of names in Nix's symbol table, for printing `let` and formals.

Nix 2.8 keeps a `let`'s bindings and a function's formals in containers
ordered by their symbols, and symbols compare by where the symbol table
stored them. Names the evaluator creates before parsing (builtins, `name`,
`value`, …) come first in their own fixed order; names first seen in the
parsed text follow in the order the parser created them.
"""

from __future__ import annotations

# Filled in from the oracle (see tests/syntax/test_symbol_order.py).
PREDEFINED_ORDER: dict[str, int] = {}


def symbol_sort_key(items):
    """A sort key over bindings or formals (objects with .name), given all of them."""
    first_seen: dict[str, int] = {}
    for i, item in enumerate(items):
        first_seen.setdefault(item.name, i)
    base = len(PREDEFINED_ORDER)

    def key(item):
        rank = PREDEFINED_ORDER.get(item.name)
        return rank if rank is not None else base + first_seen[item.name]

    return key
