"""Evaluating the prelude: nixlite vs Nix 2.8 on the examples and the lib cases.

Prints, per workload, the best-of-N wall time of `nixlite eval` and of
`nix-instantiate --eval` (both with the prelude as <nixpkgs>, the same
expression, the same output) and their ratio. A ratio above 1 means nixlite
is slower. Run: python3 bench/prelude_eval_bench.py [repeats]
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.prelude.lib_cases import LIB_CASES  # noqa: E402

PRELUDE = os.path.join(ROOT, "builtins")
EXAMPLES = ("shell", "redis", "nginx", "multi")

WORKLOADS = {
    "examples' drvPaths": "[ " + " ".join(
        f"(import {ROOT}/examples/{e} {{ }}).image.drvPath" for e in EXAMPLES) + " ]",
    "lib cases": "let lib = (import <nixpkgs> { }).lib; in [ "
                 + " ".join(f"({expr})" for expr, _ in LIB_CASES.values()) + " ]",
}


def best_time(argv: list[str], repeats: int) -> tuple[float, str]:
    best, output = float("inf"), ""
    for _ in range(repeats):
        start = time.perf_counter()
        result = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
        best = min(best, time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"{argv[0]} failed: {result.stderr}")
        output = result.stdout
    return best, output


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    for name, expr in WORKLOADS.items():
        common = ["--eval", "--strict", "--json", "-I", f"nixpkgs={PRELUDE}", "-E", expr]
        nix_time, nix_out = best_time(["nix-instantiate", *common], repeats)
        lite_time, lite_out = best_time([sys.executable, "-m", "nixlite.cli", "eval", *common[1:]], repeats)
        same = "same output" if nix_out == lite_out else "OUTPUT DIFFERS"
        print(f"{name:20s} nix {nix_time:6.3f}s  nixlite {lite_time:6.3f}s  ratio {lite_time / nix_time:5.1f}x  ({same})")


if __name__ == "__main__":
    main()
