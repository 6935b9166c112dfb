"""`nixlite eval` against `nix-instantiate --eval` as whole commands: exit code, stdout and stderr.

Each case is (flags, expression); the oracle runs at test time and nixlite
runs in-process through the CLI entry point, in the same empty directory.
These are the places where the printed form, not only the value, matters:

- functions: `derivation` (a variable of the base environment, which Nix
  evaluates while creating it) prints `<LAMBDA>` even unforced, while
  `builtins.derivation` (a selection, so a thunk) prints `<CODE>`; primops
  print `<PRIMOP>`, partial applications `<PRIMOP-APP>`. (Current Nix's
  nix-instantiate still prints these markers; only `nix eval` prints `«lambda …»`.)
- `--json` without `--strict` does not force anything: a value not yet
  evaluated is the error `cannot convert a thunk to JSON` (Nix 2.8).
- on a `--json` error, Nix 2.8 has already printed the JSON before the failing
  value, with its open brackets closed (`{"a":1,"b":}`), and no newline.
  Followed as the oracle shows it; the Nix manual says nothing of it (current
  Nix, to our knowledge, builds the JSON in memory and prints nothing then).
- the 2.8 trace frame `message for the trace` of JSON conversion errors,
  which is why Nix mentions `--show-trace` after them.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from nixlite import cli

sys.setrecursionlimit(max(sys.getrecursionlimit(), 200_000))
NIX_ENV = {**os.environ, "NO_COLOR": "1", "NIX_PATH": ""}

PRINTING = [
    "builtins.derivation",
    "derivation",
    "{ a = builtins.derivation; b = derivation; c = builtins.add 1; d = builtins.add; e = x: x; f = map; }",
    "[ derivation builtins.derivation builtins.map (builtins.map (x: x)) ]",
    "with builtins; { a = derivation; b = map; c = add; }",
    "rec { a = derivation; b = a; }",
    "{ d = derivation; }.d",
    "builtins.derivationStrict",
    "import",
    "builtins.add 1",
    "(builtins.getAttr \"derivation\" builtins)",
    "builtins.attrNames { inherit derivation; }",
]

JSON = [
    "{ a = 1; b = \"x\"; c = [ 1 2 ]; }",
    "{ a = 1 + 1; }",
    "[ 1 (1 + 1) ]",
    "{ a = { b = 1; }; c = [ { d = 2; } ]; }",
    "{ a = x: x; }",
    "[ (x: x) ]",
    "{ a = { b = map; }; }",
    "{ a = 1; b = throw \"x\"; c = 2; }",
    "[ 1 (throw \"x\") 3 ]",
    "{ a = [ 1 { b = [ (throw \"deep\") ]; } ]; }",
    "{ a = { outPath = throw \"op\"; }; }",
    "{ a = { outPath = \"/x\"; }; b = 1; }",
    "x: x",
    "builtins.map",
    "builtins.add 1",
    "builtins.toJSON (x: x)",
    "builtins.toJSON { a = map; }",
    "builtins.toJSON [ map ]",
    "derivation",
    "{ a = derivation; }",
    "{ a = 1; b = let x = 2; in x; }",
    "{ a = \"s\"; c = null; d = true; e = 1.5; f = -3; }",
    "[ [ ] { } ]",
    "throw \"top\"",
    "{ z = throw \"z\"; a = throw \"a\"; }",
    "{ a = [ 1 2 ]; b = { c = [ { d = throw \"inner\"; } ]; }; }",
    "[ { } [ { a = [ ]; b = x: x; } ] ]",
]

CASES = ([([], e) for e in PRINTING] + [(["--strict"], e) for e in PRINTING]
         + [(["--json"], e) for e in JSON] + [(["--json", "--strict"], e) for e in JSON]
         + [(["--json", "--strict", "--show-trace"], e) for e in JSON[4:10]])


def _oracle(flags: list[str], expr: str, cwd: str) -> tuple[int, str, str]:
    r = subprocess.run(["nix-instantiate", "--eval", *flags, "-E", expr], capture_output=True, text=True,
                       errors="surrogateescape", cwd=cwd, env=NIX_ENV, timeout=60)
    return r.returncode, r.stdout, r.stderr


@pytest.mark.parametrize("flags,expr", CASES, ids=[" ".join(f) + " " + e for f, e in CASES])
def test_output_is_nix_output(flags, expr, tmp_path, capsys, monkeypatch):
    expected = _oracle(flags, expr, str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NIX_PATH", "")
    monkeypatch.setenv("NO_COLOR", "1")
    rc = cli._run(["eval", *flags, "-E", expr])
    out, err = capsys.readouterr()
    assert (rc, out, err) == expected
