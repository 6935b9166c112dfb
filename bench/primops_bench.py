"""Benchmarks of builtins-heavy expressions: nixlite eval vs nix-instantiate (Nix 2.8).

    python3 bench/primops_bench.py [--repeat N] [NAME…]

Each case runs `nix-instantiate --eval --strict -E EXPR` and
`nixlite eval --strict -E EXPR` in the same run; the best of N wall times of
each is printed with the ratio nixlite / Nix. Outputs are compared too, so a
fast wrong answer does not count. No assertion on time: this is a report.
"""

from __future__ import annotations

import argparse
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


def best_time(cmd: list[str], repeat: int) -> tuple[float, str]:
    best = float("inf")
    out = ""
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        best = min(best, time.perf_counter() - t0)
        out = proc.stdout.strip() if proc.returncode == 0 else "error: " + proc.stderr.strip()[:80]
    return best, out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    print(f"{'case':24} {'nix (s)':>9} {'nixlite (s)':>12} {'ratio':>7}  same output")
    for name, expr in CASES.items():
        if args.names and name not in args.names:
            continue
        t_nix, out_nix = best_time(["nix-instantiate", "--eval", "--strict", "-E", expr], args.repeat)
        t_lite, out_lite = best_time([sys.executable, "-m", "nixlite.cli", "eval", "--strict", "-E", expr], args.repeat)
        print(f"{name:24} {t_nix:9.3f} {t_lite:12.3f} {t_lite / t_nix:7.1f}  {'yes' if out_nix == out_lite else 'NO: ' + out_lite[:60]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
