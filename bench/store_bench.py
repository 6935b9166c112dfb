"""Store benchmarks, as ratios to real Nix measured in the same run.

1. Instantiating a graph of N derivations (default 1,000): `nixlite
   instantiate` vs `nix-instantiate` on the same file (each derivation
   depends on up to three earlier ones and a shared toFile source), into a
   fresh nixlite store; then the same again with the .drv files already
   written (the warm case).
2. NAR hashing a large tree (default ~1 GiB: 960 files of 1 MiB, plus 20,000
   small files in nested directories): `nixlite.store.nar.nar_hash` vs
   `nix-hash --type sha256 --base32`. The file cache is warmed first so both
   read from memory.

    python3 bench/store_bench.py [--drvs N] [--nar-mib M] [--skip-nar] [--skip-instantiate]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def graph_expression(n: int, salt: str = "") -> str:
    """A Nix file defining n derivations d0…d(n-1) with dependencies on earlier ones.

    The salt makes every run's derivations new, so that Nix too has to write them.
    """
    lines = ["let", f'  src = builtins.toFile "bench-src" "shared source {salt}";',
             '  mk = name: deps: derivation { inherit name; system = "x86_64-linux"; builder = "/bin/sh";',
             '    args = [ "-c" "echo $deps > $out" ]; inherit deps src; };']
    for i in range(n):
        deps = " ".join(f"d{j}" for j in sorted({i // 2, i // 3, i - 1}) if 0 <= j < i)
        lines.append(f'  d{i} = mk "d{i}" [ {deps} ];')
    lines.append("in { top = mk \"top\" [ " + " ".join(f"d{i}" for i in range(max(0, n - 50), n)) + " ]; }")
    return "\n".join(lines) + "\n"


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    """(CPU seconds, user + system, of the child; stdout). CPU rather than wall time
    because the benchmark machine is shared: wall time measures the neighbours."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    r = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, **(env or {})})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"{argv[0]} failed:\n{r.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"    {os.path.basename(argv[0])} {' '.join(argv[1:3])}…: {cpu:.2f}s CPU, {wall:.2f}s wall")
    return cpu, r.stdout.strip()


def bench_instantiate(n: int) -> None:
    work = tempfile.mkdtemp(prefix="nixlite-bench-")
    try:
        path = os.path.join(work, "graph.nix")
        with open(path, "w") as f:
            f.write(graph_expression(n, salt=str(time.time())))
        store = os.path.join(work, "store")
        nixlite = [sys.executable, "-m", "nixlite.cli", "instantiate", path, "-A", "top", "--store", store]
        t_nix, out_nix = timed(["nix-instantiate", path, "-A", "top"])
        t_cold, out_cold = timed(nixlite)
        t_nix2, _ = timed(["nix-instantiate", path, "-A", "top"])
        t_warm, out_warm = timed(nixlite)
        same = out_nix == out_cold == out_warm
        print(f"instantiate {n + 1} derivations (CPU time): nix-instantiate {t_nix:.2f}s (again {t_nix2:.2f}s), "
              f"nixlite {t_cold:.2f}s fresh store, {t_warm:.2f}s with .drv files present")
        print(f"  ratio nixlite/nix: {t_cold / t_nix:.2f}x fresh, {t_warm / t_nix2:.2f}x warm; "
              f"same drvPath: {same}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def make_tree(root: str, mib: int) -> int:
    """Write the benchmark tree; returns the number of bytes of file content."""
    total = 0
    block = os.urandom(1 << 20)
    big = os.path.join(root, "big")
    os.makedirs(big)
    for i in range(int(mib * 0.94)):
        with open(os.path.join(big, f"f{i:05d}"), "wb") as f:
            f.write(block[i % 4096:] + block[: i % 4096])
        total += 1 << 20
    for i in range(20000):
        d = os.path.join(root, "small", f"d{i % 50}", f"e{i % 7}")
        os.makedirs(d, exist_ok=True)
        data = block[i: i + (i * 37) % 3000]
        with open(os.path.join(d, f"s{i}"), "wb") as f:
            f.write(data)
        total += len(data)
    return total


def bench_nar(mib: int) -> None:
    from nixlite.store import nix32
    from nixlite.store.nar import nar_hash

    work = tempfile.mkdtemp(prefix="nixlite-nar-")
    try:
        tree = os.path.join(work, "tree")
        os.makedirs(tree)
        size = make_tree(tree, mib)
        subprocess.run(["nix-hash", "--type", "sha256", "--base32", tree], capture_output=True)  # warm cache
        t_nix, h_nix = timed(["nix-hash", "--type", "sha256", "--base32", tree])
        start = time.process_time()
        digest, nar_size = nar_hash(tree)
        t_ours = time.process_time() - start
        same = nix32.encode(digest) == h_nix
        files = sum(len(f) for _, _, f in os.walk(tree))
        print(f"NAR hash of {size / (1 << 20):.0f} MiB in {files} files (NAR {nar_size / (1 << 20):.0f} MiB): "
              f"nix-hash {t_nix:.2f}s CPU, nixlite {t_ours:.2f}s CPU, ratio {t_ours / t_nix:.2f}x; same hash: {same}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--drvs", type=int, default=1000)
    ap.add_argument("--nar-mib", type=int, default=1024)
    ap.add_argument("--skip-nar", action="store_true")
    ap.add_argument("--skip-instantiate", action="store_true")
    args = ap.parse_args()
    if not args.skip_instantiate:
        bench_instantiate(args.drvs)
    if not args.skip_nar:
        bench_nar(args.nar_mib)


if __name__ == "__main__":
    main()
