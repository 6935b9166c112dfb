"""Evaluating test expressions with nixlite (in-process) and with the Nix 2.8 oracle.

`nixlite_result(expr)` prints what `nixlite eval --strict -E expr` prints,
or `error: <message>` — the same shape as the golden files, so a case is one
string comparison. Evaluation happens in this process (a fresh EvalState
per case) to keep hundreds of cases fast; the CLI path is exercised by
tests/eval.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
GOLDEN = os.path.join(HERE, "golden")


def load_golden(family: str) -> list[tuple[str, str]]:
    with open(os.path.join(GOLDEN, family + ".json"), encoding="utf-8") as f:
        return [(e, r.replace("@HERE@", HERE)) for e, r in json.load(f)]


def golden_families() -> list[str]:
    return sorted(name[:-5] for name in os.listdir(GOLDEN) if name.endswith(".json"))


def load_current() -> list[tuple[str, str]]:
    """Cases for builtins newer than 2.8: `expr<TAB>expected` lines."""
    out = []
    with open(os.path.join(CASES, "current.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                expr, expected = line.rstrip("\n").split("\t")
                out.append((expr, expected))
    return out


def nixlite_result(expr: str) -> str:
    from nixlite.eval.errors import NixError
    from nixlite.eval.printer import print_value
    from nixlite.eval.state import EvalState
    from nixlite.eval.strict import deep_force

    state = EvalState(use_nix_path=False)
    try:
        value: Any = state.eval_string(expr, "«string»", HERE)
        deep_force(value)
        return print_value(value)
    except NixError as err:
        return "error: " + err.message.split("\n")[0]
    except RecursionError:
        return "error: Python recursion limit (nixlite bug)"


def oracle_list(exprs: list[str]) -> str:
    """Nix 2.8's printing of `[ (e1) (e2) … ]`, evaluated strictly here."""
    text = "[ " + " ".join(f"({e})" for e in exprs) + " ]"
    proc = subprocess.run(["nix-instantiate", "--eval", "--strict", "-E", text], cwd=HERE, capture_output=True,
                          errors="surrogateescape", timeout=300, env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.rstrip("\n")
