"""Evaluator benchmarks: nixlite against nix-instantiate (Nix 2.8), in the same run.

    python3 bench/eval_bench.py [--runs N] [--only NAME]

Each benchmark is a Nix file evaluated with `--eval --strict` by both; the
best CPU time (user + sys) of N runs is taken (start-up included),
outputs are checked to be identical, and the ratio nixlite/Nix is printed.
The bar is 10×, the aim 3×. Finally `nixlite eval -E 1` start-up time is
measured against the 150 ms budget.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REALWORLD = os.path.join(ROOT, "tests", "eval", "realworld", "realworld.nix")


def _deep_nesting(depth: int = 200, calls: int = 3000) -> str:
    """A function whose body is `depth` nested let/with scopes, called `calls` times."""
    lines = ["let f = i:"]
    for d in range(depth):
        if d % 2:
            lines.append(f"  with {{ w{d} = v{d - 1} + 1; }};")
        else:
            prev = f"w{d - 1}" if d else "i"
            lines.append(f"  let v{d} = {prev} + 1; in")
    lines.append(f"  v{depth - 2} + i;")
    lines.append(f"in builtins.foldl' (acc: i: acc + f i) 0 (builtins.genList (x: x) {calls})")
    return "\n".join(lines) + "\n"


BENCHMARKS: dict[str, str] = {
    "fib25": "let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in fib 25\n",
    "attrs100k": (
        "let s = builtins.listToAttrs (builtins.genList (i: { name = \"a${toString i}\"; value = i; }) 100000);\n"
        "in builtins.foldl' (acc: n: acc + s.${n}) 0 (builtins.attrNames s)\n"
    ),
    "strings100k": (
        "let items = builtins.genList (i: \"item-${toString i}\") 100000;\n"
        "    joined = builtins.concatStringsSep \",\" (map (s: \"<${s}>\") items);\n"
        "in builtins.stringLength joined + builtins.stringLength (toString items)\n"
    ),
    "mapfilterfold1M": (
        "let xs = builtins.genList (x: x) 1000000;\n"
        "    ys = builtins.filter (x: builtins.bitAnd x 1 == 0) (map (x: x * 3) xs);\n"
        "in builtins.foldl' (a: b: a + b) 0 ys\n"
    ),
    "letwith": _deep_nesting(),
    "packages1000": None,  # tests/eval/realworld/realworld.nix
}


def _time(cmd: list[str], runs: int, cwd: str) -> tuple[float, str]:
    """Best CPU time (user + sys of the child) over `runs` runs, and the output.

    CPU time rather than wall time: the machines this runs on are shared, and
    wall time mostly measures the other tenants.
    """
    best, out = float("inf"), ""
    # Bytecode caching on (as for an installed package), kept outside the tree.
    env = {**os.environ, "NIX_PATH": "", "NO_COLOR": "1", "PYTHONPYCACHEPREFIX": os.path.join(tempfile.gettempdir(), "nixlite-bench-pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        elapsed = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if r.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stderr}")
        best, out = min(best, elapsed), r.stdout
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", action="append")
    args = parser.parse_args()
    nixlite = [sys.executable, "-m", "nixlite.cli", "eval", "--strict"]
    nix = ["nix-instantiate", "--eval", "--strict"]
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'benchmark (cpu)':<18}{'nix':>10}{'nixlite':>10}{'ratio':>8}")
        for name, text in BENCHMARKS.items():
            if args.only and name not in args.only:
                continue
            path = REALWORLD
            if text is not None:
                path = os.path.join(tmp, name + ".nix")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
            t_nix, out_nix = _time(nix + [path], args.runs, tmp)
            t_ours, out_ours = _time(nixlite + [path], args.runs, tmp)
            same = "" if out_nix == out_ours else "  OUTPUT DIFFERS"
            print(f"{name:<18}{t_nix * 1000:>8.0f}ms{t_ours * 1000:>8.0f}ms{t_ours / t_nix:>7.1f}x{same}", flush=True)
        t_start, _ = _time([sys.executable, "-m", "nixlite.cli", "eval", "-E", "1"], max(args.runs, 5), tmp)
        t_py, _ = _time([sys.executable, "-c", "pass"], max(args.runs, 5), tmp)
        t_nix1, _ = _time(["nix-instantiate", "--eval", "-E", "1"], max(args.runs, 5), tmp)
        print(f"start-up: nixlite eval -E 1 {t_start * 1000:.0f} ms (budget 150 ms; bare python {t_py * 1000:.0f} ms;"
              f" nix-instantiate {t_nix1 * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
