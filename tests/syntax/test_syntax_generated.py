"""Property test: randomly generated programs parse as nix-instantiate --parse says.

Hypothesis builds Nix source text from a small recursive grammar mixing
every operator (so precedence, associativity and prefix operators meet in
all orders), selections, calls, sets, lets, strings and lambdas. Each
program is written to a file and compared with the oracle: same printout,
or the same error at the same place.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parse_oracle import nixlite_parse_file, oracle_parse_files

BINARY = ["+", "-", "*", "/", "++", "//", "==", "!=", "<", ">", "<=", ">=", "&&", "||", "->"]
NAMES = ["a", "b", "c", "f", "or", "d"]  # d is unbound, `or` is a keyword

atoms = st.one_of(
    st.sampled_from(["a", "b", "c", "f", "1", "2.5", '"s"', "./p", "<q>", "true", "null", "[ ]", "{ }",
                     "__curPos", '"x${a}y"', "''\n  i ${b}\n''", "http://u.rl", "d"]),
)


def _extend(inner):
    return st.one_of(
        st.tuples(inner, st.sampled_from(BINARY), inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.tuples(st.sampled_from(["!", "-"]), inner).map(lambda t: t[0] + t[1]),
        inner.map(lambda e: f"({e})"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]} {t[1]}"),
        st.tuples(inner, st.sampled_from(["x", "x.y", '"z"', "${a}"])).map(lambda t: f"{t[0]}.{t[1]}"),
        st.tuples(inner, st.sampled_from(["x", "x.y", "${b}"]), inner).map(lambda t: f"{t[0]}.{t[1]} or {t[2]}"),
        st.tuples(inner, st.sampled_from(["x", "x.y"])).map(lambda t: f"{t[0]} ? {t[1]}"),
        st.lists(inner, max_size=3).map(lambda xs: "[ " + " ".join(xs) + " ]"),
        st.tuples(st.sampled_from(NAMES), inner, st.sampled_from(NAMES), inner).map(
            lambda t: f"{{ {t[0]} = {t[1]}; {t[2]}.k = {t[3]}; }}"),
        st.tuples(st.sampled_from(NAMES), inner, inner).map(lambda t: f"let {t[0]} = {t[1]}; in {t[2]}"),
        st.tuples(inner, inner, inner).map(lambda t: f"if {t[0]} then {t[1]} else {t[2]}"),
        st.tuples(st.sampled_from(NAMES), inner).map(lambda t: f"{t[0]}: {t[1]}"),
        st.tuples(inner, inner).map(lambda t: f"with {t[0]}; {t[1]}"),
        st.tuples(inner, inner).map(lambda t: f"assert {t[0]}; {t[1]}"),
        inner.map(lambda e: f'"pre ${{{e}}} post"'),
    )


programs = st.recursive(atoms, _extend, max_leaves=8).map(lambda e: "a: b: c: f: " + e)


def _same(got: tuple, expected: tuple, path: str) -> bool:
    if got == expected:
        return True
    if expected[0] == "ok" and got[0] == "ok":
        # Only a `let`/formals order may differ (symbol_order.py): compare by name.
        from nixlite.syntax import parse, show

        return show(parse(got[1], path, "/", False), "by-name") == show(parse(expected[1], path, "/", False), "by-name")
    return False


# Programs are checked in batches so that nix-instantiate runs a few times per batch.
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.data_too_large, HealthCheck.too_slow])
@given(batch=st.lists(programs, min_size=40, max_size=40))
def test_generated_programs_agree_with_nix(batch, tmp_path):
    paths = []
    for i, program in enumerate(batch):
        path = os.path.join(str(tmp_path), f"gen{i}.nix")
        with open(path, "w", encoding="utf-8") as f:
            f.write(program)
        paths.append(path)
    for program, path, expected in zip(batch, paths, oracle_parse_files(paths)):
        got = nixlite_parse_file(path)
        assert _same(got, expected, path), (program, expected, got)
