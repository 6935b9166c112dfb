"""Differential suite: derivations instantiated by nixlite and by nix-instantiate (Nix 2.8).

Every top-level attribute of diff/derivations.nix is a derivation (or a list
of them). For each, the drvPath, every output path and the .drv text of the
derivation and of all its input derivations must be identical. Nix writes its
.drv files into its own /nix/store (fine as root, as in CI); nixlite writes
into a fresh store under a temporary root. Then error cases: the same
message (and position, where Nix shows one) for invalid derivations.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest

from nixlite.eval.errors import NixError
from nixlite.eval.values import force

from tests.conftest import run_nix

HERE = os.path.dirname(os.path.abspath(__file__))
CASES_FILE = os.path.join(HERE, "diff", "derivations.nix")


def _case_names() -> list[str]:
    with open(CASES_FILE) as f:
        text = f.read()
    body = text[text.index("in rec {"):]
    return re.findall(r"^  ([A-Za-z0-9_]+) = ", body, re.M)


CASES = _case_names()

_ORACLE_EXPR = """
let drvInfo = d: { drvPath = d.drvPath; outputs = builtins.listToAttrs (map (o: { name = o; value = d.${o}.outPath; })
      (d.outputs or [ "out" ])) // { out = d.outPath; }; };
in builtins.mapAttrs (n: v: if builtins.isList v then map drvInfo v else [ (drvInfo v) ]) (import %s)
"""


@pytest.fixture(scope="module")
def oracle() -> dict[str, Any]:
    r = run_nix(["nix-instantiate", "--eval", "--strict", "--json", "--read-write-mode", "-E",
                 _ORACLE_EXPR % CASES_FILE], timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def ours(tmp_path_factory) -> tuple[Any, dict[str, Any]]:
    from nixlite.eval.state import EvalState
    from nixlite.store.store import Store

    state = EvalState(use_nix_path=False)
    state.store = Store(str(tmp_path_factory.mktemp("diffstore")))
    top = force(state.eval_file(CASES_FILE))
    results: dict[str, Any] = {}
    for name in CASES:
        try:
            v = force(top[name])
            drvs = [force(x) for x in v] if type(v) is list else [v]
            results[name] = [_drv_info(d) for d in drvs]
        except (NixError, Exception) as exc:  # reported per case below
            results[name] = exc
    return state.store, results


def _text(v: Any) -> str:
    v = force(v)
    return v if type(v) is str else v.s


def _drv_info(d: Any) -> dict[str, Any]:
    outputs = [_text(o) for o in force(d["outputs"])] if "outputs" in d and type(force(d["outputs"])) is list \
        else ["out"]
    info = {"drvPath": _text(d["drvPath"]),
            "outputs": {o: _text(force(d[o])["outPath"]) for o in outputs if o in d}}
    info["outputs"]["out"] = _text(d["outPath"])
    return info


def _closure_texts(read: Any, drv_path: str) -> dict[str, str]:
    """drv path -> ATerm text for a derivation and all input derivations."""
    from nixlite.store.derivation import Derivation

    texts: dict[str, str] = {}
    todo = [drv_path]
    while todo:
        p = todo.pop()
        if p in texts:
            continue
        texts[p] = read(p)
        todo.extend(Derivation.parse(texts[p]).input_drvs)
    return texts


def _read_nix(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


@pytest.mark.parametrize("name", CASES)
def test_same_derivation_as_nix(name: str, oracle: dict[str, Any], ours: tuple[Any, dict[str, Any]]) -> None:
    store, results = ours
    got = results[name]
    if isinstance(got, BaseException):
        raise got
    want = oracle[name]
    assert [g["drvPath"] for g in got] == [w["drvPath"] for w in want]
    assert [g["outputs"] for g in got] == [w["outputs"] for w in want]

    def read_ours(p: str) -> str:
        with open(store.physical(p), encoding="utf-8") as f:
            return f.read()

    for w in want:
        assert _closure_texts(read_ours, w["drvPath"]) == _closure_texts(_read_nix, w["drvPath"])


def test_suite_is_large_enough() -> None:
    assert len(CASES) >= 100


# --- errors: (expression, the message Nix 2.8 gives) -------------------------------------

_D = 'derivation { name = "x"; builder = "/bin/sh"; system = "x86_64-linux"; '
ERROR_CASES = [
    'derivation { builder = "b"; system = "s"; }',
    'derivation { name = "x"; }',
    'derivation { name = "x"; builder = "b"; }',
    'derivation { name = "x"; builder = ""; system = "s"; }',
    'derivation { name = "x.drv"; builder = "b"; system = "s"; }',
    'derivation { name = "x y"; builder = "b"; system = "s"; }',
    'derivation { name = ""; builder = "b"; system = "s"; }',
    'derivation { name = 1; builder = "b"; system = "s"; }',
    'derivation { name = "${derivation { name = "a"; builder = "b"; system = "s"; }}"; builder = "b"; system = "s"; }',
    _D + 'outputs = [ "drv" ]; }',
    _D + 'outputs = [ "a" "a" ]; }',
    _D + 'outputs = "out out"; }',
    _D + 'outputs = ""; }',
    _D + 'outputHash = "abc"; }',
    _D + 'outputHash = "abc"; outputHashAlgo = "sha256"; }',
    _D + 'outputHash = "sha256:abc"; }',
    _D + 'outputHash = "foo:abc"; }',
    _D + 'outputHash = "sha256-AAAA"; outputHashAlgo = "sha1"; }',
    _D + 'outputHash = "sha256-AAAA"; }',
    _D + 'outputHash = "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="; outputs = [ "out" "dev" ]; }',
    _D + 'outputHash = ""; }',
    _D + 'outputHashMode = "foo"; }',
    _D + 'outputHash = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"; outputHashAlgo = "sha256"; }',
    _D + 'x = {}; }',
    _D + 'x = (y: y); }',
    _D + 'x = [ {} ]; }',
    _D + 'args = "notalist"; }',
    _D + 'args = [ "ok" {} ]; }',
    _D + 'outputs = [ ]; }',
    _D + 'outputs = 1; }',
    _D + '__contentAddressed = "no"; }',
    _D + '__structuredAttrs = true; x = (y: y); }',
    'derivation { name = "x"; builder = "b"; __structuredAttrs = true; system = 1; }',
    _D + '__structuredAttrs = "yes"; }',
    _D + '__ignoreNulls = 1; }',
    _D + '__contentAddressed = true; }',
    'builtins.toFile "x" "${(derivation { name = "a"; builder = "b"; system = "s"; }).drvPath}"',
    'builtins.toFile "x" "${derivation { name = "a"; builder = "b"; system = "s"; }}"',
    'builtins.toFile "a b" "x"',
    'builtins.path { path = ./.; foo = 1; }',
    'builtins.path { name = "x"; }',
    'builtins.filterSource 1 ./.',
    'derivationStrict { }',
]


def _nix_error(expr: str, cwd: str) -> tuple[str, tuple[int, int] | None]:
    r = run_nix(["nix-instantiate", "--read-write-mode", "--eval", "--strict", "-E",
                 f"let v = ({expr}); in v.drvPath or v"], cwd=cwd)
    assert r.returncode != 0, f"Nix accepted {expr}"
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
    message = lines[0][len("error: "):]
    m = re.search(r"at «string»:(\d+):(\d+):", r.stderr)
    return message, (int(m.group(1)), int(m.group(2))) if m else None


@pytest.mark.parametrize("expr", ERROR_CASES)
def test_same_error_as_nix(expr: str, tmp_path) -> None:
    from nixlite.eval.state import EvalState
    from nixlite.store.store import Store

    want, want_pos = _nix_error(expr, str(tmp_path))
    state = EvalState(use_nix_path=False)
    state.store = Store(str(tmp_path / "store"))
    with pytest.raises(NixError) as err:
        v = force(state.eval_string(f"let v = ({expr}); in v.drvPath or v", base_dir=str(tmp_path)))
        force(v)
    assert err.value.message == want
    # Nix places a missing-attribute error at the set itself; nixlite's sets carry
    # no position of their own (only their attributes'), so that one is not compared.
    if want_pos is not None and "missing for call to" not in want:
        assert err.value.pos is not None and (err.value.pos.line, err.value.pos.col) == want_pos


# --- the examples: the prelude (builtins/) is plain Nix, so Nix itself can instantiate them ----

EXAMPLES = ["shell", "redis", "nginx", "multi"]
REPO = os.path.dirname(os.path.dirname(HERE))


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_images_instantiate_as_with_nix(example: str, tmp_path) -> None:
    from nixlite.eval.state import EvalState
    from nixlite.store.store import Store

    file = os.path.join(REPO, "examples", example, "default.nix")
    prelude = "nixpkgs=" + os.path.join(REPO, "builtins")
    r = run_nix(["nix-instantiate", "-I", prelude, file, "-A", "image"], timeout=300)
    assert r.returncode == 0, r.stderr
    want = r.stdout.strip()
    state = EvalState(search_path=[prelude], use_nix_path=False)
    state.store = Store(str(tmp_path / "store"))
    top = force(state.eval_file(file))
    from nixlite.commands.drv_selection import auto_call
    from nixlite.eval.values import Attrs

    image = force(force(auto_call(top, Attrs()))["image"])
    assert _text(image["drvPath"]) == want

    def read_ours(p: str) -> str:
        with open(state.store.physical(p), encoding="utf-8") as f:
            return f.read()

    assert _closure_texts(read_ours, want) == _closure_texts(_read_nix, want)


def test_non_utf8_attribute_bytes_as_nix(tmp_path) -> None:
    from nixlite.eval.state import EvalState
    from nixlite.store.store import Store

    file = os.path.join(HERE, "diff", "bytes.nix")
    want = run_nix(["nix-instantiate", file]).stdout.strip()
    state = EvalState(use_nix_path=False)
    state.store = Store(str(tmp_path / "store"))
    assert _text(force(state.eval_file(file))["drvPath"]) == want
    with open(want, "rb") as nix_drv, open(state.store.physical(want), "rb") as our_drv:
        assert our_drv.read() == nix_drv.read()
