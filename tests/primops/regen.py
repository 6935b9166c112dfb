"""Regenerate the golden expectations of the builtins tests from Nix 2.8.

    python3 tests/primops/regen.py            # all families
    python3 tests/primops/regen.py lists json # some

Each `cases/<family>.txt` holds one Nix expression per line (`#` starts a
comment line). Every expression is evaluated by `nix-instantiate --eval
--strict -E` in this directory; `golden/<family>.json` records, per
expression, the printed value or the first line of the error (`error: …`),
with this directory's path written as `@HERE@` (CI runs from another clone).
`cases/current.tsv` (builtins newer than 2.8) carries its expectations
inline and is not regenerated; its hashes were checked with
`nix-hash --to-base32` / `--to-base16` of Nix 2.8.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
GOLDEN = os.path.join(HERE, "golden")


def read_cases(family: str) -> list[str]:
    with open(os.path.join(CASES, family + ".txt"), encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#")]


def families() -> list[str]:
    return sorted(name[:-4] for name in os.listdir(CASES) if name.endswith(".txt"))


def oracle(expr: str) -> str:
    """What Nix 2.8 prints for `expr`: the value, or `error: …` (first line)."""
    proc = subprocess.run(["nix-instantiate", "--eval", "--strict", "-E", expr], cwd=HERE, capture_output=True, errors="surrogateescape",
                          text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
    if proc.returncode == 0:
        return proc.stdout.rstrip("\n").replace(HERE, "@HERE@")
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    first = lines[0] if lines else "error: " + proc.stderr.strip().splitlines()[-1]
    return first.replace(HERE, "@HERE@")


def regenerate(family: str) -> None:
    exprs = read_cases(family)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(oracle, exprs))
    os.makedirs(GOLDEN, exist_ok=True)
    with open(os.path.join(GOLDEN, family + ".json"), "w", encoding="utf-8") as f:
        json.dump([[e, r] for e, r in zip(exprs, results)], f, indent=0)
        f.write("\n")
    print(f"{family}: {len(exprs)} cases, {sum(r.startswith('error:') for r in results)} errors")


if __name__ == "__main__":
    for fam in sys.argv[1:] or families():
        regenerate(fam)
