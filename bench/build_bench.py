"""Benchmark: instantiating and (re)building a 1,000-derivation graph, nixlite against Nix.

    python3 bench/build_bench.py [--jobs N] [--repeat N]

Uses bench/build_graph.nix (999 tree nodes + one top derivation) with a new
`salt` per run, so both tools start from derivations they have never seen:

1. instantiate: `nix-instantiate` vs `nixlite instantiate` (fresh store);
2. first build, `-j N`: `nix-build --option sandbox false` vs `nixlite build`
   (nixlite runs every builder in bubblewrap);
3. no-op rebuild, everything valid: `nix-build` vs `nixlite build`, best of
   `--repeat` (the bar: under 1 s for nixlite);
4. the build stage alone on the no-op: planning all 1,000 derivation paths
   as targets in-process (evaluation excluded).

Prints seconds and nixlite/Nix ratios. Needs nix-bin (and root, or Nix's
build users, for nix-build).

nixlite runs as an installed Python program does, with its bytecode cached
(here in a private PYTHONPYCACHEPREFIX, warmed before timing): a shell with
PYTHONDONTWRITEBYTECODE=1 otherwise compiles, on every run, each imported
module that has no .pyc beside it. The no-op rebuild run that way is
printed too.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time

GRAPH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "build_graph.nix")
NIX_OPTIONS = ["--option", "sandbox", "false", "--option", "substituters", "", "--option", "build-users-group", ""]


# The environment nixlite runs in: bytecode cached under the benchmark's temporary directory.
NIXLITE_ENV: dict[str, str] = dict(os.environ)


def use_bytecode_cache(directory: str) -> None:
    NIXLITE_ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    NIXLITE_ENV["PYTHONPYCACHEPREFIX"] = directory


def timed(args: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True,
                          env=env if env is not None else (NIXLITE_ENV if args[0] == sys.executable else None))
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return elapsed, proc.stdout


def nixlite(*args: str) -> list[str]:
    return [sys.executable, "-m", "nixlite.cli", *args]


def best(args: list[str], repeat: int, env: dict[str, str] | None = None) -> float:
    return min(timed(args, env)[0] for _ in range(repeat))


def build_stage_noop(store_root: str, drv_paths: list[str]) -> float:
    """Seconds for realise_derivations to find all 1,000 derivations valid (in-process)."""
    from nixlite.build.scheduler import realise_derivations
    from nixlite.store.store import Store

    store = Store(store_root)
    start = time.perf_counter()
    realise_derivations(store, [(p, None) for p in drv_paths], stream=io.StringIO())
    return time.perf_counter() - start


def all_drv_paths(store_root: str, top: str) -> list[str]:
    from nixlite.store.store import Store

    store = Store(store_root)
    return sorted(p for p in store.closure([top]) if p.endswith(".drv"))


def report(label: str, ours: float, theirs: float) -> None:
    print(f"{label:<34} nixlite {ours:7.3f} s   nix {theirs:7.3f} s   ratio {ours / theirs:6.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    salt = f"bench-{os.getpid()}-{int(time.time())}"
    common = [GRAPH, "--argstr", "salt", salt]
    with tempfile.TemporaryDirectory(prefix="nixlite-bench-") as tmp:
        root = os.path.join(tmp, "store")
        store_opts = ["--store", root]
        use_bytecode_cache(os.path.join(tmp, "pycache"))
        timed(nixlite("instantiate", "-E", "derivation { name = \"warm\"; system = \"x\"; builder = \"/bin/sh\"; }",
                      "--store", os.path.join(tmp, "warm-store")))
        nix_inst, _ = timed(["nix-instantiate", *common, *NIX_OPTIONS])
        our_inst, out = timed(nixlite("instantiate", *common, *store_opts))
        report("instantiate (1,000 derivations)", our_inst, nix_inst)
        jobs = ["-j", str(args.jobs)]
        nix_build, _ = timed(["nix-build", *common, "--no-out-link", *jobs, *NIX_OPTIONS])
        our_build, _ = timed(nixlite("build", *common, *store_opts, "--no-out-link", *jobs))
        report(f"first build, -j {args.jobs}", our_build, nix_build)
        nix_noop = best(["nix-build", *common, "--no-out-link", *NIX_OPTIONS], args.repeat)
        our_noop = best(nixlite("build", *common, *store_opts, "--no-out-link"), args.repeat)
        report("no-op rebuild (all valid)", our_noop, nix_noop)
        print(f"  bar: nixlite no-op rebuild under 1 s: {'met' if our_noop < 1 else 'NOT met'} ({our_noop:.3f} s)")
        no_cache = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
        uncached = best(nixlite("build", *common, *store_opts, "--no-out-link"), args.repeat,
                        {**no_cache, "PYTHONDONTWRITEBYTECODE": "1"})
        print(f"  no-op rebuild with PYTHONDONTWRITEBYTECODE=1 (modules without a .pyc beside them "
              f"compiled on every run): {uncached:.3f} s")
        drv_paths = all_drv_paths(root, out.split()[0])
        stage = min(build_stage_noop(root, drv_paths) for _ in range(args.repeat))
        print(f"  build stage alone on the no-op ({len(drv_paths)} targets, no evaluation): {stage:.3f} s")


if __name__ == "__main__":
    main()
