"""Builtins, family by family, against expectations recorded from Nix 2.8.

Every case in `cases/<family>.txt` must print exactly what nix-instantiate
printed (golden/<family>.json, made by regen.py), or fail with the same
error message. `test_golden_is_still_the_oracle` re-asks Nix 2.8 for all
value cases of a family in one nix-instantiate call, so the goldens cannot
drift from the oracle. `cases/current.tsv` covers builtins newer than 2.8.

One known difference is tolerated: the texts of TOML syntax errors come from
the toml11 library inside Nix (with source excerpts); nixlite's parser words
them differently, so there only the error kind (`while parsing a TOML
string:`) must agree.
"""

from __future__ import annotations

import pytest

from primops_harness import golden_families, load_current, load_golden, nixlite_result, oracle_list

_TOML_SYNTAX_ERROR = "error: while parsing a TOML string: [error] toml::"


def agrees(actual: str, expected: str) -> bool:
    if expected.startswith(_TOML_SYNTAX_ERROR):
        return actual.startswith("error: while parsing a TOML string: ")
    return actual == expected


CASES = [(fam, i, expr, expected) for fam in golden_families() for i, (expr, expected) in enumerate(load_golden(fam))]


@pytest.mark.parametrize("family,index,expr,expected", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_builtin_case(family: str, index: int, expr: str, expected: str) -> None:
    actual = nixlite_result(expr)
    assert agrees(actual, expected), f"{expr}\n nixlite: {actual}\n nix:     {expected}"


@pytest.mark.parametrize("expr,expected", load_current(), ids=[f"current-{i}" for i in range(len(load_current()))])
def test_current_nix_case(expr: str, expected: str) -> None:
    assert nixlite_result(expr) == expected, expr


@pytest.mark.parametrize("family", golden_families())
def test_golden_is_still_the_oracle(family: str) -> None:
    values = [(e, r) for e, r in load_golden(family) if not r.startswith("error:")]
    expected = "[ " + " ".join(r for _, r in values) + " ]"
    assert oracle_list([e for e, _ in values]) == expected
