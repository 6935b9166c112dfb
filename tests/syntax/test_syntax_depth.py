"""Deep nesting: "memory exhausted" where Nix 2.8's parser runs out of stack (bison_depth.py).

Every expected column below was read from `nix-instantiate --parse` (Nix
2.8) on the same text: `prefix * 10000 + "1" + suffix * 10000`, one line.
They differ between constructs because Nix's grammar spends a different
number of stack items per level (an empty `binds` after each `{` or `let`,
an empty list after `[`, a split stack after a `{` that may open formals).
"""

import pytest

from nixlite.eval.errors import ParseError
from nixlite.syntax import parse

CASES = [
    ("{a=", ";}", 7491),
    ("rec {a=", ";}", 13998),
    ("let {body=", ";}", 19995),
    ("let a=", "; in a", 14999),
    ("let in ", "", 23329),
    ("{ a ? ", "}: 1", 19985),
    ("x@{ a ? ", "}: 1", 15995),
    ("{ a }: ", "", 17477),
    ("{ a, }: ", "", 19980),
    ("{}: ", "", 6655),  # the set reading of each `{}` reduces all enclosing functions again
    ('"${', '}"', 14996),
    ('"a${', '}"', 13330),
    ("''${", "}''", 13329),
    ("./${", "}", 19995),
    ("(", ")", 9998),
    ("f (", ")", 14997),
    ("x: ", "", 14996),
    ("[", "]", 4999),
    ("[a ", "]", 14995),
    ('["a" ', "]", 24988),
    ("[./a ", "]", 24987),
    ("{ a = [", "];}", 11663),
    ('{ "a" = ', ";}", 19995),
    ("{ ${a} = ", ";}", 22494),
    ("{ a.b.c = ", ";}", 24964),
    ("{ a = {}; b = ", ";}", 34911),
    ("{ inherit a; b = ", ";}", 42486),
    ("{ inherit (a) b; c = ", ";}", 52471),
    ("let { a = 1; body = ", ";}", 39985),
    ("{ } // ", "", 34987),
    ("rec { } // ", "", 54974),
    ("if a then ", " else 1", 33324),
    ("with a; ", "", 26662),
    ("! ", "", 19995),
]


@pytest.mark.parametrize("prefix,suffix,col", CASES)
def test_memory_exhausted_where_nix_says(prefix, suffix, col):
    text = prefix * 10000 + "1" + suffix * 10000
    with pytest.raises(ParseError) as info:
        parse(text, check_scope=False)
    assert info.value.message == "memory exhausted"
    assert (info.value.pos.line, info.value.pos.col) == (1, col)


def test_mixed_nesting():
    # nix-instantiate --parse: memory exhausted at 1:12768
    pairs = [("{a=", ";}"), ("[(", ")]"), ("let a=", "; in a"), ('"${', '}"'), ("x: ", ""), ("{ a ? ", "}: 1")]
    levels = [pairs[i % len(pairs)] for i in range(5000)]
    text = "".join(o for o, _ in levels) + "1" + "".join(c for _, c in reversed(levels))
    with pytest.raises(ParseError) as info:
        parse(text, check_scope=False)
    assert (info.value.message, info.value.pos.line, info.value.pos.col) == ("memory exhausted", 1, 12768)


def test_deep_but_within_the_limit_parses():
    # (nix-instantiate --parse prints it)
    text = "{a=" * 2400 + "1" + ";}" * 2400
    assert parse(text, check_scope=False).pos.col == 1
