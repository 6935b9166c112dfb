"""nixpkgs-style code written for the tests (fix/extends/overlays, callPackage via
functionArgs/intersectAttrs, a module-system-like option merge, a 1,000-package set),
evaluated by nixlite and by nix-instantiate; the printed results must be identical."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from nixlite.eval.printer import print_value
from nixlite.eval.state import EvalState
from nixlite.eval.strict import deep_force

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "realworld")


def _nixlite(path: str) -> str:
    # Deep package chains need a deep stack: run like the CLI does, in a big thread.
    result: list[str] = []

    def target() -> None:
        state = EvalState(use_nix_path=False)
        result.append(print_value(deep_force(state.eval_file(path))))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1_000_000))
    old = threading.stack_size(512 * 1024 * 1024)
    try:
        t = threading.Thread(target=target)
        t.start()
        t.join()
    finally:
        threading.stack_size(old)
    assert result, "evaluation failed"
    return result[0] + "\n"


def test_realworld_matches_nix():
    path = os.path.join(HERE, "realworld.nix")
    nix = subprocess.run(["nix-instantiate", "--eval", "--strict", path], capture_output=True, text=True,
                         env={**os.environ, "NIX_PATH": ""})
    assert nix.returncode == 0, nix.stderr
    assert _nixlite(path) == nix.stdout
