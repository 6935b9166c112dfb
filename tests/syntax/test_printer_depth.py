"""Deeply nested expressions print as Nix prints them, without deep Python recursion.

The printer recurses, but only _MAX_DEPTH levels at a time: deeper subtrees
are printed afterwards and spliced in (printer.py). These expressions nest
far deeper than that; each is printed under a recursion limit only a little
above the caller's depth, and compared with `nix-instantiate --parse`.
"""

from __future__ import annotations

import sys

import pytest
from parse_oracle import oracle_parse_files

from nixlite.syntax import parse_source, show
from nixlite.syntax.printer import _MAX_DEPTH

DEEP_PROGRAMS = {
    "lists": "[" * 2000 + "]" * 2000,
    "parens": "(" * 3000 + "1" + ")" * 3000,
    "plus": "let x = 1; in " + "(x + " * 1200 + "x" + ")" * 1200,
    "sets": "{ a = " * 1200 + "1" + "; }" * 1200,
    "rec_sets": "rec { b = 2; a = " * 600 + "b" + "; }" * 600,
    "lambdas": "x: " * 2000 + "x",
    "formals": "{ a, b ? 1, ... }: " * 800 + "a",
    "lets": "let a = 1; in " * 1000 + "a",
    "dynamic_select": "let x = { }; in " + "x.${" * 1000 + '"a"' + "}" * 1000,
    "has_attr": "let x = { }; in " + "x ? ${" * 1000 + '"a"' + "}" * 1000,
    "ifs": "if true then " * 1200 + "1" + " else 2" * 1200,
    "nots": "!" * 2000 + "true",
    "updates": "{ } // " * 2000 + "{ }",
    "negations": "- " * 2000 + "1",
    "strings": '"${' * 800 + '"s"' + '}"' * 800,
    "withs": "with { }; " * 2000 + "1",
    "asserts": "assert true; " * 2000 + "1",
    "calls": "let f = x: x; in " + "f (" * 1200 + "1" + ")" * 1200,
    "selects_or": "let x = { }; in " + "x.a or (" * 1000 + "1" + ")" * 1000,
}


@pytest.fixture(scope="module")
def oracle(tmp_path_factory):
    directory = tmp_path_factory.mktemp("deep")
    paths = []
    for name, text in DEEP_PROGRAMS.items():
        path = directory / f"{name}.nix"
        path.write_text(text)
        paths.append(str(path))
    return dict(zip(DEEP_PROGRAMS, oracle_parse_files(paths)))


def _depth() -> int:
    frame, n = sys._getframe(), 0
    while frame is not None:
        frame, n = frame.f_back, n + 1
    return n


@pytest.mark.parametrize("name", DEEP_PROGRAMS)
def test_deep_expression_prints_as_nix(name, oracle):
    assert oracle[name][0] == "ok", oracle[name]
    parsed = parse_source(DEEP_PROGRAMS[name], "«string»", "/")
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_depth() + 2 * _MAX_DEPTH + 50)  # two frames a level, and some room
    try:
        printed = show(parsed.expr, parsed.symbols)
    finally:
        sys.setrecursionlimit(old_limit)
    assert printed == oracle[name][1]
