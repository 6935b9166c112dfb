"""The base environment of the static scope check, against Nix 2.8."""

from __future__ import annotations

import pytest

from nixlite.eval.errors import UndefinedVarError
from nixlite.syntax import parse
from nixlite.syntax.scope import BASE_NAMES
from parse_oracle import oracle_parse_files, write_programs

NOT_GLOBAL = ["fetchurl", "attrNames", "lib", "pkgs", "currentSystem", "__curPosx", "sub", "lessThan"]


def test_base_names_are_nixs(tmp_path):
    names = sorted(BASE_NAMES)
    programs = ["[ " + " ".join(names) + " ]"] + NOT_GLOBAL
    results = oracle_parse_files(write_programs(str(tmp_path), programs))
    assert results[0][0] == "ok"
    assert [r[1] for r in results[1:]] == [f"error: undefined variable '{n}'" for n in NOT_GLOBAL]


@pytest.mark.parametrize("name", NOT_GLOBAL)
def test_not_global(name):
    with pytest.raises(UndefinedVarError):
        parse(name)


def test_base_names_parameter():
    assert parse("foo", base_names=frozenset({"foo"})).name == "foo"
    with pytest.raises(UndefinedVarError):
        parse("map", base_names=frozenset())


def test_with_and_builtins_selection():
    parse("with {}; anything")
    parse("builtins.anything")
    with pytest.raises(UndefinedVarError):
        parse("{ inherit (x) y; }")
