"""Real Nix as the oracle for builds: nix-build without sandbox, and its .drv files imported.

`nix_build(file)` builds with Nix 2.8 (`--option sandbox false`, no
substituters, `build-users-group ''` so that no nixbld users are needed;
through `sudo -n` when not root) and returns the output paths. `nar_hash_of(path)` asks Nix for the
NAR hash it registered. `import_derivation(store, drv_path)` copies a .drv
Nix wrote, with its input closure of .drv files and sources, into a nixlite
store, checking that nixlite computes the same paths, so the builder layer
can be compared with Nix's on the very same derivations.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from nixlite.store.derivation import Derivation
from nixlite.store.paths import base_name, make_text_path
from nixlite.store.store import Store

# Nix source: `sh NAME SCRIPT`, a derivation running /bin/sh -c SCRIPT (prefix an expression with it).
SH_LET = """let sh = name: script: derivation { inherit name; system = builtins.currentSystem; builder = "/bin/sh";
                                    args = [ "-c" script ]; }; in"""
NIX_OPTIONS = ["--option", "sandbox", "false", "--option", "substituters", "", "--option", "build-users-group", ""]
# Nix 2.8 without a daemon must own /nix: as an ordinary user (CI may run as
# one, with password-less sudo) the oracle commands run through `sudo -n`.
AS_ROOT: list[str] = [] if os.geteuid() == 0 or not shutil.which("sudo") else ["sudo", "-n"]


def _run(args: list[str]) -> str:
    proc = subprocess.run(AS_ROOT + args, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{proc.stderr}")
    return proc.stdout


def nix_instantiate(file: str, attr: str | None = None) -> list[str]:
    args = ["nix-instantiate", file, *NIX_OPTIONS] + (["-A", attr] if attr else [])
    return [line.split("!")[0] for line in _run(args).split()]


def nix_build(file: str, attr: str | None = None) -> list[str]:
    args = ["nix-build", file, "--no-out-link", *NIX_OPTIONS] + (["-A", attr] if attr else [])
    return _run(args).split()


def nar_hash_of(path: str) -> str:
    """The NAR hash Nix registered for a valid path, as `sha256:<nix32>`."""
    return _run(["nix-store", "-q", "--hash", path]).strip()


def references_of(path: str) -> set[str]:
    return set(_run(["nix-store", "-q", "--references", path]).split())


def import_derivation(store: Store, drv_path: str) -> None:
    """Copy `drv_path` and its .drv/source closure from /nix/store into `store`."""
    closure = _run(["nix-store", "-q", "--requisites", drv_path]).split()
    for path in closure:  # references first, as nix-store lists them
        if path.endswith(".drv"):
            with open(path, encoding="utf-8") as f:
                drv = Derivation.parse(f.read(), base_name(path)[33:-4])
            written = store.write_derivation(drv)
        else:
            written = _import_source(store, path)
        assert written == path, f"nixlite stores {path} as {written}"


def _import_source(store: Store, path: str) -> str:
    """A source: a text path (builtins.toFile, with references) or a NAR-hashed copy."""
    name = base_name(path)[33:]
    if os.path.isfile(path) and not os.path.islink(path):
        refs = references_of(path) - {path}
        with open(path, "rb") as f:
            text = f.read()
        if make_text_path(name, text, refs) == path:
            return store.add_text(name, text, refs)
    return store.add_path(path, name=name)
