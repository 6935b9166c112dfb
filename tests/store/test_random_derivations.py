"""Randomised differential test: many generated derivations, one nix-instantiate run.

A seeded generator writes a Nix file of derivations with awkward attribute
names and values (quotes, backslashes, control characters, `${`, non-ASCII),
integers, lists, multiple outputs, fixed outputs in every hash form, and
dependencies on earlier derivations and their outputs. Nix instantiates them
all in one process; nixlite must give the same drvPath and .drv bytes for
each. CI runs seeds 1 and 2; NIXLITE_RANDOM_SEEDS="3 4 …" runs others.
"""

from __future__ import annotations

import json
import os
import random

import pytest

from nixlite.eval.values import force
from nixlite.store.hashes import Hash

from tests.conftest import run_nix

COUNT = 150
_CHARS = ["a", "Z", "0", " ", "-", "_", ".", '"', "\\", "\n", "\t", "\r", "$", "{", "}", "é", "✓", "日", "'", "\x01"]


def _nix_string(s: str) -> str:
    out = []
    for i, c in enumerate(s):
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif c == "\r":
            out.append("\\r")
        elif c == "$" and s[i + 1:i + 2] == "{":
            out.append("\\$")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _random_text(rng: random.Random, lo: int = 0, hi: int = 12) -> str:
    return "".join(rng.choice(_CHARS) for _ in range(rng.randint(lo, hi)))


def _value(rng: random.Random, earlier: list[str]) -> str:
    kind = rng.randrange(8)
    if kind == 0:
        return str(rng.randint(-10**12, 10**12))
    if kind == 1:
        return rng.choice(["true", "false", "null"])
    if kind == 2:
        return "[ " + " ".join(f"({_value(rng, earlier)})" for _ in range(rng.randint(0, 3))) + " ]"
    if kind == 3 and earlier:
        return rng.choice(earlier)
    if kind == 4 and earlier:
        return _nix_string("pre ") + " + " + f'"${{{rng.choice(earlier)}}}"'
    return _nix_string(_random_text(rng))


def _fixed(rng: random.Random) -> str:
    algo = rng.choice(["md5", "sha1", "sha256", "sha512"])
    h = Hash.of_bytes(algo, str(rng.random()).encode())
    form = rng.choice(["base16", "nix32", "base64", "sri"])
    text = h.format(form)
    mode = rng.choice(["flat", "recursive"])
    algo_attr = "" if form == "sri" and rng.random() < 0.5 else f'outputHashAlgo = "{algo}"; '
    return f'outputHashMode = "{mode}"; {algo_attr}outputHash = "{text}"; '


def generate(seed: int, count: int = COUNT) -> str:
    rng = random.Random(seed)
    lines = ["rec {"]
    earlier: list[str] = []
    for i in range(count):
        attrs = [f'name = "r{i}-{rng.choice(["x", "a.b", "c+d", "e_f", "g?h=i"])}";',
                 'system = "x86_64-linux";', 'builder = "/bin/sh";']
        for _ in range(rng.randint(0, 5)):
            key = rng.choice([f"k{rng.randrange(100)}", _nix_string(_random_text(rng, 1, 6))])
            if key.strip('"') in ("name", "system", "builder", "outputs", "args", "outputHash",
                                  "outputHashAlgo", "outputHashMode", "__structuredAttrs", "__ignoreNulls",
                                  "__contentAddressed", "__impure", "out", "dev", "bin"):
                continue
            attrs.append(f"{key} = {_value(rng, earlier)};")
        attrs = list(dict((a.split(" = ")[0], a) for a in attrs).values())  # no repeated names
        multi = False
        if rng.random() < 0.15:
            attrs.append(_fixed(rng))
        elif rng.random() < 0.3:
            attrs.append('outputs = [ "out" "dev" "bin" ];')
            multi = True
        if rng.random() < 0.3:
            attrs.append(f"args = [ {' '.join(f'({_value(rng, earlier)})' for _ in range(rng.randint(0, 3)))} ];")
        if rng.random() < 0.1:
            attrs.append("__structuredAttrs = true;")
        lines.append(f"  d{i} = derivation {{ {' '.join(attrs)} }};")
        earlier.append(f"d{i}")
        if multi:
            earlier.append(f"d{i}.dev")
    lines.append("}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", [int(s) for s in os.environ.get("NIXLITE_RANDOM_SEEDS", "1 2").split()])
def test_random_derivations_match_nix(seed: int, tmp_path) -> None:
    from nixlite.eval.state import EvalState
    from nixlite.store.store import Store

    file = tmp_path / "random.nix"
    file.write_text(generate(seed), encoding="utf-8")
    r = run_nix(["nix-instantiate", "--eval", "--strict", "--json", "--read-write-mode", "-E",
                 f"builtins.mapAttrs (n: d: d.drvPath) (import {file})"], timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    want = json.loads(r.stdout)
    state = EvalState(use_nix_path=False)
    state.store = Store(str(tmp_path / "store"))
    top = force(state.eval_file(str(file)))
    mismatched = []
    for name, drv_path in sorted(want.items()):
        got = force(force(top[name])["drvPath"])
        got = got if type(got) is str else got.s
        with open(drv_path, "rb") as f:
            nix_text = f.read()
        ours = open(state.store.physical(got), "rb").read() if got == drv_path else b""
        if got != drv_path or ours != nix_text:
            mismatched.append(name)
    assert not mismatched, f"{len(mismatched)} of {len(want)} differ: {mismatched[:10]}"
    assert len(want) == COUNT
