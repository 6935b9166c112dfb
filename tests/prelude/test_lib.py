"""The prelude's `lib` against Nix 2.8 and, where nixlite evaluates, nixlite against Nix 2.8.

All cases are evaluated in one process per evaluator (an attribute set of
cases, `--strict --json`), so the whole file takes a few seconds.
"""

from __future__ import annotations

import json

import pytest

from tests.prelude.helpers import PRELUDE, eval_json_nix, eval_json_nixlite
from tests.prelude.lib_cases import LIB_CASES


def _cases_expression() -> str:
    body = "".join(f"  {json.dumps(name)} = {expr};\n" for name, (expr, _) in LIB_CASES.items())
    return f"let lib = (import {PRELUDE} {{ }}).lib; in {{\n{body}}}"


@pytest.fixture(scope="module")
def oracle_values() -> dict:
    return eval_json_nix(_cases_expression())


@pytest.mark.parametrize("name", sorted(LIB_CASES))
def test_lib_function_matches_nixpkgs_semantics_under_nix(oracle_values, name):
    assert oracle_values[name] == LIB_CASES[name][1]


def test_lib_values_equal_between_nixlite_and_nix(oracle_values):
    assert eval_json_nixlite(_cases_expression()) == oracle_values
