"""Helpers for the prelude tests: evaluating with Nix 2.8 and with nixlite."""

from __future__ import annotations

import json
import os

from tests.conftest import ROOT, run_nix, run_nixlite

PRELUDE = os.path.join(ROOT, "builtins")
SEARCH_PATH = ["-I", f"nixpkgs={PRELUDE}"]


def eval_json_nix(expr: str) -> object:
    result = run_nix(["nix-instantiate", "--eval", "--strict", "--json", *SEARCH_PATH, "-E", expr], cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def eval_json_nixlite(expr: str) -> object:
    result = run_nixlite(["eval", "--strict", "--json", *SEARCH_PATH, "-E", expr], cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
