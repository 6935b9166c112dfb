"""Benchmarks of builtins-heavy expressions: nixlite eval vs nix-instantiate (Nix 2.8).

    python3 bench/primops_bench.py [--repeat N] [NAME…]

Each case runs `nix-instantiate --eval --strict -E EXPR` and
`nixlite eval --strict -E EXPR` in the same run; the best of N wall times of
each is printed with the ratio nixlite / Nix, in wall time and in CPU time
(user + system; steadier when the machine is shared). Outputs are compared too, so a
fast wrong answer does not count. No assertion on time: this is a report.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time

CASES: dict[str, str] = {
    "foldl-1M": "builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: x) 1000000)",
    "genList-length-1M": "builtins.length (builtins.genList (x: x) 1000000)",
    "map-filter-100k": "builtins.length (builtins.filter (x: x > 50000) (map (x: x * 2) (builtins.genList (x: x) 100000)))",
    "sort-100k": "builtins.elemAt (builtins.sort (a: b: a < b) (builtins.genList (x: (x * 7919) - (x / 13) * 101) 100000)) 500",
    "sort-lessThan-100k": "builtins.elemAt (builtins.sort builtins.lessThan (builtins.genList (x: (x * 7919) - (x / 13) * 101) 100000)) 500",
    "concatStringsSep-100k": "builtins.stringLength (builtins.concatStringsSep \",\" (map toString (builtins.genList (x: x) 100000)))",
    "replaceStrings-1MB": "builtins.stringLength (builtins.replaceStrings [ \"ab\" \"c\" ] [ \"x\" \"yy\" ] (builtins.concatStringsSep \"\" (builtins.genList (x: \"abcde\") 200000)))",
    "split-100k": "builtins.length (builtins.split \",\" (builtins.concatStringsSep \",\" (map toString (builtins.genList (x: x) 100000))))",
    "match-10k": "builtins.length (builtins.filter (s: builtins.match \"([a-z]+)-([0-9.]+)\" s != null) (builtins.genList (x: \"pkg-1.${toString x}\") 10000))",
    "listToAttrs-100k": "builtins.length (builtins.attrNames (builtins.listToAttrs (builtins.genList (x: { name = \"n${toString x}\"; value = x; }) 100000)))",
    "mapAttrs-100k": "builtins.length (builtins.attrValues (builtins.mapAttrs (n: v: v + 1) (builtins.listToAttrs (builtins.genList (x: { name = \"n${toString x}\"; value = x; }) 100000))))",
    "toJSON-fromJSON-100k": "builtins.length (builtins.fromJSON (builtins.toJSON (builtins.genList (x: { a = x; b = \"s${toString x}\"; }) 100000)))",
    "compareVersions-100k": "builtins.length (builtins.filter (x: builtins.compareVersions \"1.${toString x}.3pre\" \"1.5000.2\" > 0) (builtins.genList (x: x) 100000))",
    "hashString-20k": "builtins.length (builtins.genList (x: builtins.hashString \"sha256\" (toString x)) 20000) + builtins.stringLength (builtins.concatStringsSep \"\" (builtins.genList (x: builtins.hashString \"sha256\" (toString x)) 20000))",
}


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def best_time(cmd: list[str], repeat: int) -> tuple[float, float, str]:
    """Best wall time and best CPU time (user + system) of `repeat` runs, and the output."""
    best_wall = best_cpu = float("inf")
    out = ""
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), _child_cpu()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        best_wall = min(best_wall, time.perf_counter() - t0)
        best_cpu = min(best_cpu, _child_cpu() - c0)
        out = proc.stdout.strip() if proc.returncode == 0 else "error: " + proc.stderr.strip()[:80]
    return best_wall, best_cpu, out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    print(f"{'case':24} {'nix wall/cpu (s)':>17} {'nixlite wall/cpu (s)':>21} {'ratio wall':>10} {'ratio cpu':>9}  same")
    for name, expr in CASES.items():
        if args.names and name not in args.names:
            continue
        w_nix, c_nix, out_nix = best_time(["nix-instantiate", "--eval", "--strict", "-E", expr], args.repeat)
        w_lite, c_lite, out_lite = best_time([sys.executable, "-m", "nixlite.cli", "eval", "--strict", "-E", expr],
                                             args.repeat)
        same = "yes" if out_nix == out_lite else "NO: " + out_lite[:60]
        print(f"{name:24} {w_nix:8.3f}/{c_nix:<8.3f} {w_lite:10.3f}/{c_lite:<10.3f} {w_lite / w_nix:10.1f} "
              f"{c_lite / max(c_nix, 1e-3):9.1f}  {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
