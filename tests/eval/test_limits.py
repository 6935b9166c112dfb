"""Deep recursion and long lists through the real command (a thread with a big stack).

A non-tail recursion 10,000 calls deep works; deeper than Nix's max-call-depth
(10,000) fails with current Nix's `stack overflow; max-call-depth exceeded`,
never a Python RecursionError or a crash; foldl' over 1,000,000 elements and
genList of 1,000,000 elements work.
"""

from __future__ import annotations

import os
import subprocess
import sys

ENV = {**os.environ, "NO_COLOR": "1", "NIX_PATH": ""}


def nixlite_eval(expr: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nixlite.cli", "eval", "--strict", "-E", expr],
                          capture_output=True, text=True, env=ENV, timeout=300)


def test_recursion_9999_deep_works():
    r = nixlite_eval("let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 9999")
    assert (r.returncode, r.stdout, r.stderr) == (0, "9999\n", "")


def test_recursion_beyond_max_call_depth_is_nix_error():
    r = nixlite_eval("let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 100000")
    assert r.returncode == 1
    assert r.stderr.startswith("error: stack overflow; max-call-depth exceeded\n\n       at «string»:1:38:")
    assert "Traceback" not in r.stderr and "RecursionError" not in r.stderr


def test_infinite_recursion_through_functions_is_reported():
    r = nixlite_eval("let f = n: f (n + 1) + 1; in f 0")
    assert r.returncode == 1 and r.stderr.startswith("error: stack overflow; max-call-depth exceeded")


def test_foldl_and_genlist_over_a_million():
    r = nixlite_eval("builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: x) 1000000)")
    assert (r.returncode, r.stdout) == (0, "499999500000\n")


def test_deeply_nested_value_prints():
    r = nixlite_eval("builtins.length (builtins.foldl' (acc: x: [ acc ]) [ ] (builtins.genList (x: x) 100000))")
    assert (r.returncode, r.stdout) == (0, "1\n")
