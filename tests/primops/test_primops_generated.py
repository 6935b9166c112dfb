"""Generated builtin calls compared with Nix 2.8, a batch per family.

Random (but seeded, so reproducible) inputs for the builtins whose corner
cases are easiest to get wrong: regular expressions (match and split over
a small alphabet, with alternation, repetition and groups), substring and
replaceStrings (empty patterns, out-of-range bounds), version strings,
sort with arbitrary comparators (libstdc++'s stable_sort order),
toJSON/fromJSON/toXML of random values, and set/list builtins on random
sets and lists. Each batch is one list expression
evaluated once by nix-instantiate and once by nixlite, so a whole family
costs one oracle call.
"""

from __future__ import annotations

import random

import pytest

from primops_harness import nixlite_result, oracle_list

BATCH = 150


def _regex(rng: random.Random, depth: int = 0) -> str:
    def atom() -> str:
        choice = rng.random()
        if choice < 0.5:
            return rng.choice("ab")
        if choice < 0.6:
            return "."
        if choice < 0.75:
            return rng.choice(["[ab]", "[^a]", "[a-c]", "[[:alpha:]]"])
        if depth < 2:
            return "(" + _regex(rng, depth + 1) + ")"
        return "c"

    def piece() -> str:
        a = atom()
        q = rng.random()
        if q < 0.15:
            return a + "*"
        if q < 0.25:
            return a + "+"
        if q < 0.35:
            return a + "?"
        if q < 0.4:
            return a + "{1,2}"
        return a

    branches = ["".join(piece() for _ in range(rng.randint(1, 3))) for _ in range(rng.choice([1, 1, 2, 3]))]
    return "|".join(branches)


def _nix_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def _word(rng: random.Random, alphabet: str = "abc", most: int = 6) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, most)))


def regex_cases(rng: random.Random) -> list[str]:
    out = []
    for _ in range(BATCH):
        pattern = _nix_string(_regex(rng))
        subject = _nix_string(_word(rng, "abcab", 7))
        out.append(f"builtins.{rng.choice(['match', 'split'])} {pattern} {subject}")
    return out


def string_cases(rng: random.Random) -> list[str]:
    out = []
    for _ in range(BATCH):
        s = _nix_string(_word(rng, "aabé", 6))
        if rng.random() < 0.5:
            out.append(f"builtins.substring {rng.randint(0, 7)} ({rng.randint(-1, 7)}) {s}")
        else:
            n = rng.randint(0, 3)
            froms = " ".join(_nix_string(_word(rng, "ab", 2)) for _ in range(n))
            tos = " ".join(_nix_string(_word(rng, "xy", 2)) for _ in range(n))
            out.append(f"builtins.replaceStrings [ {froms} ] [ {tos} ] {s}")
    return out


def version_cases(rng: random.Random) -> list[str]:
    def version() -> str:
        parts = [rng.choice(["1", "2", "10", "0", "pre", "rc", "a", "b", "", "01"]) for _ in range(rng.randint(0, 4))]
        return "".join(p + rng.choice([".", "-", ""]) for p in parts)

    out = []
    for _ in range(BATCH):
        kind = rng.random()
        if kind < 0.6:
            out.append(f"builtins.compareVersions {_nix_string(version())} {_nix_string(version())}")
        elif kind < 0.8:
            out.append(f"builtins.splitVersion {_nix_string(version())}")
        else:
            out.append(f"builtins.parseDrvName {_nix_string(rng.choice(['foo', 'foo-bar', 'x']) + '-' + version())}")
    return out


def sort_cases(rng: random.Random) -> list[str]:
    comparators = ["a: b: a < b", "a: b: a <= b", "a: b: true", "a: b: false", "a: b: a / 4 < b / 4",
                   "a: b: builtins.bitAnd (a + b) 1 == 0", "a: b: a - b > 2", "builtins.lessThan"]
    out = []
    for _ in range(BATCH // 3):
        xs = " ".join(str(rng.randint(0, 15)) for _ in range(rng.randint(0, 40)))
        out.append(f"builtins.sort ({rng.choice(comparators)}) [ {xs} ]")
    return out


def _value(rng: random.Random, depth: int = 0) -> str:
    kind = rng.random()
    if depth < 3 and kind < 0.2:
        return "[ " + " ".join(_value(rng, depth + 1) for _ in range(rng.randint(0, 3))) + " ]"
    if depth < 3 and kind < 0.4:
        names = {_word(rng, "abz", 3) or "n" for _ in range(rng.randint(0, 3))}
        return "{ " + " ".join(f'"{n}" = {_value(rng, depth + 1)};' for n in sorted(names)) + " }"
    return rng.choice([f"({rng.randint(-100, 100)})", rng.choice(["1.5", "0.1", "100.0", "(-2.25)", "1.0e10"]),
                       "null", "true", "false", _nix_string(_word(rng, "a\"\\\n<&é", 4))])


def data_cases(rng: random.Random) -> list[str]:
    out = []
    for _ in range(BATCH // 2):
        v = _value(rng)
        fn = rng.choice(["builtins.toJSON", "builtins.toXML", "(x: builtins.fromJSON (builtins.toJSON x))"])
        out.append(f"{fn} {v}")
    return out


def collection_cases(rng: random.Random) -> list[str]:
    def aset() -> str:
        names = sorted({rng.choice("abcdef") for _ in range(rng.randint(0, 5))}, key=lambda _: rng.random())
        return "{ " + " ".join(f"{n} = {rng.randint(0, 9)};" for n in names) + " }"

    def names() -> str:
        return "[ " + " ".join(f'"{rng.choice("abcdefg")}"' for _ in range(rng.randint(0, 4))) + " ]"

    def ints() -> str:
        return "[ " + " ".join(str(rng.randint(0, 9)) for _ in range(rng.randint(0, 8))) + " ]"

    ops = [
        lambda: f"removeAttrs {aset()} {names()}",
        lambda: f"builtins.intersectAttrs {aset()} {aset()}",
        lambda: f"builtins.listToAttrs (map (n: {{ name = n; value = n + n; }}) {names()})",
        lambda: f"builtins.zipAttrsWith (n: v: [ n ] ++ v) [ {aset()} {aset()} {aset()} ]",
        lambda: f"builtins.groupBy (x: toString (builtins.bitAnd x 3)) {ints()}",
        lambda: f"builtins.partition (x: x > 4) {ints()}",
        lambda: f"builtins.concatMap (x: builtins.genList (i: x) (builtins.bitAnd x 3)) {ints()}",
        lambda: (f"builtins.genericClosure {{ startSet = map (k: {{ key = k; }}) {ints()}; "
                 "operator = x: if x.key > 2 then [ { key = x.key - 3; } ] else [ ]; }"),
        lambda: f"builtins.catAttrs \"{rng.choice('abc')}\" [ {aset()} {aset()} ]",
        lambda: f"builtins.attrValues (builtins.mapAttrs (n: v: n + toString v) {aset()})",
        lambda: f"builtins.elem {rng.randint(0, 9)} {ints()}",
        lambda: f"builtins.foldl' (a: b: a * 2 + b) 0 {ints()}",
        lambda: f"toString {ints()}",
        lambda: f"{aset()} == {aset()}",
        lambda: f"{ints()} < {ints()}",
    ]
    return [rng.choice(ops)() for _ in range(BATCH)]


GENERATORS = {"collections": collection_cases, "regex": regex_cases, "strings": string_cases, "versions": version_cases, "sort": sort_cases,
              "data": data_cases}


@pytest.mark.parametrize("family", sorted(GENERATORS))
def test_generated_cases_agree_with_nix(family: str) -> None:
    exprs = GENERATORS[family](random.Random(f"nixlite-{family}"))
    expected = oracle_list(exprs)
    actual = nixlite_result("[ " + " ".join(f"({e})" for e in exprs) + " ]")
    if actual != expected:  # find the first case that differs, for a readable failure
        for e in exprs:
            one_nix, one_lite = oracle_list([e]), nixlite_result(f"[ ({e}) ]")
            assert one_lite == one_nix, e
    assert actual == expected
