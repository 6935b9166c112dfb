"""Golden tests: golden/*.nix printed by nixlite equal golden/*.exp (from the oracle, see regen.py)."""

from __future__ import annotations

import os

import pytest

from parse_oracle import nixlite_parse_file
from regen import GOLDEN, expectation, with_placeholders

CASES = sorted(n[:-4] for n in os.listdir(GOLDEN) if n.endswith(".nix"))


@pytest.mark.parametrize("name", CASES)
def test_golden(name):
    with open(os.path.join(GOLDEN, name + ".exp"), encoding="utf-8") as f:
        expected = f.read()
    got = with_placeholders(expectation(nixlite_parse_file(os.path.join(GOLDEN, name + ".nix"))))
    assert got == expected


def test_every_construct_has_a_golden_file():
    assert len(CASES) >= 30
