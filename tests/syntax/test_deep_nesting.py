"""Deeply nested programs print and scope-check as Nix does, without deep Python recursion.

The printer and the scope check's first pass recurse, but only _MAX_DEPTH
levels at a time: deeper subtrees are handled afterwards (printer.py,
scope.py). These programs nest far deeper than that; each is handled under a
recursion limit only a little above the caller's depth, and compared with
`nix-instantiate --parse`.
"""

from __future__ import annotations

import sys

import pytest
from parse_oracle import oracle_parse_files

from nixlite.eval.errors import UndefinedVarError
from nixlite.syntax import parse_source, printer, scope, show

PRINTED = {
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

DEEP = 1500
SCOPED = {
    "bound_deep": "let x = 1; in " + "[ (x: " * DEEP + "x" + ") ]" * DEEP,
    "unbound_deep": "[ (x: " * DEEP + "y" + ") ]" * DEEP,
    "unbound_after_deep": "[ " + "[ " * DEEP + "1" + " ]" * DEEP + " z ]",
    "two_unbound": "[ " + "[ " * DEEP + "a" + " ]" * DEEP + " b ]",
    "rec_chain": "rec { a = 1; b = " * 800 + "a" + "; }" * 800,
    "rec_chain_unbound": "rec { a = 1; b = " * 800 + "c" + "; }" * 800,
    "let_chain_unbound": "let a = 1; in " * DEEP + "a + q",
    "under_with": "with { }; " + "[ (x: " * DEEP + "y" + ") ]" * DEEP,
    "with_env_unbound": "with " + "[ " * DEEP + "e" + " ]" * DEEP + "; 1",
    "select_default": "let s = { }; in " + "s.a or (" * 1000 + "u" + ")" * 1000,
    "dynamic_attrs": "{ ${" + "toString (" * 600 + "v" + ")" * 600 + "} = 1; }",
}


@pytest.fixture(scope="module")
def oracle(tmp_path_factory):
    """nix-instantiate --parse's result for each program, by name."""
    programs = {**PRINTED, **SCOPED}
    directory = tmp_path_factory.mktemp("deep")
    paths = []
    for name, text in programs.items():
        path = directory / f"{name}.nix"
        path.write_text(text)
        paths.append(str(path))
    return dict(zip(programs, oracle_parse_files(paths)))


def _with_low_recursion_limit(frames: int, function, *args):
    """function(*args) with room for only `frames` more Python frames (and a few)."""
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + frames + 50)
    try:
        return function(*args)
    finally:
        sys.setrecursionlimit(old_limit)


@pytest.mark.parametrize("name", PRINTED)
def test_deep_expression_prints_as_nix(name, oracle):
    assert oracle[name][0] == "ok", oracle[name]
    parsed = parse_source(PRINTED[name], "«string»", "/")
    # (two frames a level: a node's printer and `_expr`)
    printed = _with_low_recursion_limit(2 * printer._MAX_DEPTH, show, parsed.expr, parsed.symbols)
    assert printed == oracle[name][1]


def _scope_result(text: str) -> tuple:
    """("ok",) or ("error", message, "line:col"), checked under a low recursion limit."""
    parsed = parse_source(text, "«string»", "/", check_scope=False)
    try:
        _with_low_recursion_limit(scope._MAX_DEPTH, scope.check_scope, parsed.expr, scope.BASE_NAMES, parsed.symbols)
    except UndefinedVarError as err:
        return ("error", "error: " + err.message, f"{err.pos.line}:{err.pos.col}")
    return ("ok",)


@pytest.mark.parametrize("name", SCOPED)
def test_deep_scope_check_agrees_with_nix(name, oracle):
    expected = oracle[name]
    if expected[0] == "ok":
        expected = ("ok",)
    else:  # (the oracle's position is FILE:LINE:COL)
        expected = ("error", expected[1], expected[2].split(":", 1)[1])
    assert _scope_result(SCOPED[name]) == expected
