"""The scope check on deeply nested programs: the same verdict and position as Nix.

The check's first pass recurses only _MAX_DEPTH levels at a time (scope.py);
these programs nest far deeper, with and without an undefined variable, and
are checked under a recursion limit only a little above the caller's depth.
"""

from __future__ import annotations

import sys

import pytest
from parse_oracle import oracle_parse_files

from nixlite.eval.errors import UndefinedVarError
from nixlite.syntax import parse_source
from nixlite.syntax.scope import _MAX_DEPTH

DEEP = 1500
PROGRAMS = {
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
    directory = tmp_path_factory.mktemp("scope")
    paths = []
    for name, text in PROGRAMS.items():
        path = directory / f"{name}.nix"
        path.write_text(text)
        paths.append(str(path))
    return dict(zip(PROGRAMS, oracle_parse_files(paths)))


def _depth() -> int:
    frame, n = sys._getframe(), 0
    while frame is not None:
        frame, n = frame.f_back, n + 1
    return n


def _check(text: str):
    """("ok",) or ("error", message, "line:col") for `text`, checked under a low recursion limit."""
    parsed = parse_source(text, "«string»", "/", check_scope=False)
    from nixlite.syntax.scope import check_scope

    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_depth() + _MAX_DEPTH + 50)
    try:
        check_scope(parsed.expr, symbols=parsed.symbols)
    except UndefinedVarError as err:
        return ("error", "error: " + err.message, f"{err.pos.line}:{err.pos.col}")
    finally:
        sys.setrecursionlimit(old_limit)
    return ("ok",)


@pytest.mark.parametrize("name", PROGRAMS)
def test_deep_scope_check_agrees_with_nix(name, oracle):
    expected = oracle[name]
    got = _check(PROGRAMS[name])
    if expected[0] == "ok":
        assert got == ("ok",)
    else:
        assert got == (expected[0], expected[1], expected[2].rsplit(":", 2)[1] + ":" + expected[2].rsplit(":", 2)[2])
