"""Property-based differential tests: random well-typed expressions, nixlite vs nix-instantiate.

A hypothesis strategy builds expressions by type (int, bool, string, list,
set) from literals, operators, let/with/rec/if, lambdas and common builtins,
so that every expression evaluates (integers stay small: no overflow, where
Nix 2.8 and current Nix differ). Each example is a batch of expressions sent
to the oracle in one call (see eval_oracle).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eval_oracle import nixlite_batch, oracle_batch

NAMES = st.sampled_from(["a", "b", "c", "x1", "y-z", "foo_bar"])
WORDS = st.sampled_from(["", "x", "hello", "a b", "quote\\\"", "tab\\t", "nl\\n", "dollar$", "é"])


def ints(depth: int) -> st.SearchStrategy[str]:
    leaf = st.integers(-50, 50).map(lambda n: str(n) if n >= 0 else f"(0 - {-n})")
    if depth <= 0:
        return leaf
    sub = ints(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(sub, sub).map(lambda t: f"({t[0]} + {t[1]})"),
        st.tuples(sub, sub).map(lambda t: f"({t[0]} - {t[1]})"),
        st.tuples(sub, st.integers(0, 3)).map(lambda t: f"({t[0]} * {t[1]})"),
        st.tuples(sub, st.integers(1, 5)).map(lambda t: f"({t[0]} / {t[1]})"),
        st.tuples(bools(depth - 1), sub, sub).map(lambda t: f"(if {t[0]} then {t[1]} else {t[2]})"),
        st.tuples(sub, sub).map(lambda t: f"(let v = {t[0]}; in v + {t[1]})"),
        st.tuples(sub, sub).map(lambda t: f"((x: x - {t[1]}) {t[0]})"),
        st.tuples(sub, sub).map(lambda t: f"({{ p = {t[0]}; q = {t[1]}; }}.q)"),
        st.tuples(sub, sub).map(lambda t: f"(with {{ w = {t[0]}; }}; w * 2 + {t[1]})"),
        st.tuples(sub, sub).map(lambda t: f"(rec {{ r = {t[0]}; s = r + {t[1]}; }}.s)"),
        lists(depth - 1).map(lambda l: f"(builtins.length {l})"),
        st.tuples(sub, sub).map(lambda t: f"(({{ m, n ? {t[1]} }}: m + n) {{ m = {t[0]}; }})"),
        st.tuples(sub, lists(depth - 1)).map(lambda t: f"(builtins.foldl' (a: b: a + builtins.length [b]) {t[0]} {t[1]})"),
        strings(depth - 1).map(lambda s: f"(builtins.stringLength {s})"),
    )


def bools(depth: int) -> st.SearchStrategy[str]:
    leaf = st.sampled_from(["true", "false"])
    if depth <= 0:
        return leaf
    i = ints(depth - 1)
    b = bools(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(i, i).map(lambda t: f"({t[0]} < {t[1]})"),
        st.tuples(i, i).map(lambda t: f"({t[0]} >= {t[1]})"),
        st.tuples(i, i).map(lambda t: f"({t[0]} == {t[1]})"),
        st.tuples(b, b).map(lambda t: f"({t[0]} && {t[1]})"),
        st.tuples(b, b).map(lambda t: f"({t[0]} || !{t[1]})"),
        st.tuples(b, b).map(lambda t: f"({t[0]} -> {t[1]})"),
        st.tuples(attrsets(depth - 1), NAMES).map(lambda t: f"({t[0]} ? \"{t[1]}\")"),
        st.tuples(strings(depth - 1), strings(depth - 1)).map(lambda t: f"({t[0]} < {t[1]})"),
        st.tuples(lists(depth - 1), lists(depth - 1)).map(lambda t: f"({t[0]} == {t[1]})"),
    )


def strings(depth: int) -> st.SearchStrategy[str]:
    leaf = WORDS.map(lambda w: f"\"{w}\"")
    if depth <= 0:
        return leaf
    s = strings(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(s, s).map(lambda t: f"({t[0]} + {t[1]})"),
        st.tuples(s, ints(depth - 1)).map(lambda t: f"\"<${{{t[0]}}}|${{toString {t[1]}}}>\""),
        st.tuples(s, st.integers(0, 4), st.integers(0, 4)).map(lambda t: f"(builtins.substring {t[1]} {t[2]} {t[0]})"),
        lists(depth - 1).map(lambda l: f"(builtins.concatStringsSep \",\" (map toString {l}))"),
        st.tuples(bools(depth - 1), s, s).map(lambda t: f"(if {t[0]} then {t[1]} else {t[2]})"),
    )


def lists(depth: int) -> st.SearchStrategy[str]:
    if depth <= 0:
        return st.lists(st.integers(-9, 9), max_size=4).map(lambda xs: "[ " + " ".join(f"({x})" for x in xs) + " ]")
    i = ints(depth - 1)
    l = lists(depth - 1)
    return st.one_of(
        st.lists(i, max_size=4).map(lambda xs: "[ " + " ".join(xs) + " ]"),
        st.tuples(l, l).map(lambda t: f"({t[0]} ++ {t[1]})"),
        l.map(lambda x: f"(map (e: e * 2) {x})"),
        l.map(lambda x: f"(builtins.filter (e: e > 0) {x})"),
        l.map(lambda x: f"(builtins.sort builtins.lessThan {x})"),
        st.integers(0, 5).map(lambda n: f"(builtins.genList (k: k * k - 3) {n})"),
        l.map(lambda x: f"(builtins.concatMap (e: [ e e ]) {x})"),
    )


def attrsets(depth: int) -> st.SearchStrategy[str]:
    if depth <= 0:
        return st.dictionaries(NAMES, st.integers(0, 9), max_size=3).map(
            lambda d: "{ " + "".join(f"\"{k}\" = {v}; " for k, v in d.items()) + "}")
    a = attrsets(depth - 1)
    return st.one_of(
        st.dictionaries(NAMES, ints(depth - 1), max_size=3).map(
            lambda d: "{ " + "".join(f"\"{k}\" = {v}; " for k, v in d.items()) + "}"),
        st.tuples(a, a).map(lambda t: f"({t[0]} // {t[1]})"),
        a.map(lambda x: f"(builtins.mapAttrs (n: v: v + builtins.stringLength n) {x})"),
        a.map(lambda x: f"(builtins.removeAttrs {x} [ \"a\" ])"),
    )


def any_value(depth: int) -> st.SearchStrategy[str]:
    return st.one_of(ints(depth), bools(depth), strings(depth), lists(depth), attrsets(depth))


@settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.lists(any_value(3), min_size=40, max_size=60))
def test_generated_expressions_match_nix(tmp_path_factory, exprs):
    workdir = str(tmp_path_factory.getbasetemp())
    expected = oracle_batch(exprs, workdir)
    got = nixlite_batch(exprs, workdir)
    for expr, e, g in zip(exprs, expected, got):
        assert g == e, f"{expr}\n  nix:     {e}\n  nixlite: {g}"
