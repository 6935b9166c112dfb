"""Build derivations that Nix 2.8 instantiated, with nixlite's builder machinery.

Until nixlite evaluates the prelude itself, this is how the prelude's shell
scripts (stdenv setup, writeTextFile, symlinkJoin, …) and the host-tools
builder are exercised: the oracle writes the .drv files, they and their
input sources are copied into a temporary nixlite store (checking that the
store paths come out the same), and nixlite realises them.
"""

from __future__ import annotations

import io
import os
import subprocess

from nixlite.build.scheduler import realise_derivations
from nixlite.store.derivation import Derivation
from nixlite.store.store import Store
from tests.conftest import ROOT, run_nix
from tests.prelude.helpers import SEARCH_PATH


def instantiate(expr: str) -> str:
    """The .drv path Nix 2.8 writes for `expr` (with `pkgs` the prelude)."""
    result = run_nix(["nix-instantiate", *SEARCH_PATH, "-E",
                      f"let pkgs = import <nixpkgs> {{ }}; in {expr}"], cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def import_closure(store: Store, drv_path: str) -> None:
    """Copy the .drv closure of drv_path (derivations and sources) from Nix's store into `store`."""
    closure = subprocess.run(["nix-store", "--query", "--requisites", drv_path],
                             capture_output=True, text=True, check=True).stdout.split()
    for path in closure:  # dependencies come first
        name = os.path.basename(path)[33:]
        if path.endswith(".drv"):
            with open(path, encoding="utf-8") as f:
                copied = store.write_derivation(Derivation.parse(f.read(), name[:-4]))
        else:
            copied = store.add_path(path, name)
        assert copied == path, f"{path} copied as {copied}"


def build(store: Store, expr: str) -> str:
    """Instantiate expr with Nix, build it with nixlite; return the physical output path."""
    drv_path = instantiate(expr)
    import_closure(store, drv_path)
    realise_derivations(store, [(drv_path, None)], stream=io.StringIO())
    return store.physical(store.read_derivation(drv_path).outputs["out"].path)
