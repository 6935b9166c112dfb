"""`nixlite build` end to end, against `nix-build --option sandbox false` on the same files."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from oracle import AS_ROOT, NIX_OPTIONS, nar_hash_of, nix_build

from nixlite.store import nix32
from nixlite.store.store import Store

HERE = os.path.dirname(__file__)
CASES = os.path.join(HERE, "cases", "equivalence.nix")


def nixlite_build(args: list[str], cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nixlite.cli", "build", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=180, env={**os.environ, "NO_COLOR": "1"})


def test_same_output_paths_and_nar_hashes_as_nix_build(tmp_path):
    root = str(tmp_path / "root")
    ours = nixlite_build([CASES, "--store", root, "-j", "2", "--no-out-link"], str(tmp_path))
    assert ours.returncode == 0, ours.stderr
    theirs = nix_build(CASES)
    assert ours.stdout.split() == theirs
    store = Store(root)
    for path in theirs:
        info = store.query_path_info(path)
        assert info is not None
        assert "sha256:" + nix32.encode(info.nar_hash) == nar_hash_of(path), path
    again = nixlite_build([CASES, "--store", root, "--no-out-link"], str(tmp_path))
    assert (again.returncode, again.stdout, again.stderr) == (0, ours.stdout, "")


def test_result_links_are_gc_roots(tmp_path):
    root = str(tmp_path / "root")
    ours = nixlite_build([CASES, "--store", root, "-A", "multi", "-A", "multi.dev", "-A", "text"], str(tmp_path))
    assert ours.returncode == 0, ours.stderr
    out, dev, text = ours.stdout.split()
    assert dev.endswith("-multi-dev")
    store = Store(root)
    links = {name: os.readlink(tmp_path / name) for name in ("result", "result-dev", "result-2")}
    assert links == {"result": store.physical(out), "result-dev": store.physical(dev), "result-2": store.physical(text)}
    deleted = store.gc()
    assert all(store.is_valid(p) for p in (out, dev, text))
    assert deleted  # the other equivalence derivations' .drv files, unreachable
    os.unlink(tmp_path / "result-2")
    store.gc()
    assert not store.is_valid(text) and not os.path.exists(store.physical(text))
    assert store.is_valid(out)
    assert store.verify() == []


def test_existing_file_is_not_replaced_by_result_link(tmp_path):
    (tmp_path / "result").write_text("mine")
    ours = nixlite_build([CASES, "--store", str(tmp_path / "root"), "-A", "text"], str(tmp_path))
    assert ours.returncode == 1
    assert ours.stderr.endswith(f"error: cannot create symlink '{tmp_path}/result'; already exists\n")


FAILING = """
let f = derivation { name = "failing-dep"; system = builtins.currentSystem; builder = "/bin/sh";
                     args = [ "-c" "for i in 1 2 3; do echo line $i; done; exit 1" ]; };
in derivation { name = "top"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo ${f} > $out" ]; }
"""
MISMATCH = """
derivation { name = "fod"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo hi > $out" ];
             outputHash = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="; outputHashAlgo = "sha256"; }
"""


def _error_lines(stderr: str) -> list[str]:
    """The error messages, without nixlite's log-file hint and Nix's `nix log` hint."""
    return [line for line in stderr.splitlines() if not line.lstrip().startswith("For full logs")
            and not line.startswith(("building '", "these ", "this ", "  /nix/store"))]


@pytest.mark.parametrize("source, status", [(FAILING, 100), (MISMATCH, 102)])
def test_failures_as_nix_reports_them(tmp_path, source, status):
    file = tmp_path / "f.nix"
    file.write_text(source)
    ours = nixlite_build([str(file), "--store", str(tmp_path / "root")], str(tmp_path))
    theirs = subprocess.run([*AS_ROOT, "nix-build", str(file), "--no-out-link", "-Q", *NIX_OPTIONS],
                            capture_output=True, text=True, timeout=120)
    assert (ours.returncode, theirs.returncode) == (status, status)
    assert _error_lines(ours.stderr) == _error_lines(theirs.stderr)
    assert not os.path.lexists(tmp_path / "result")
    assert Store(str(tmp_path / "root")).verify() == []


def test_building_a_store_derivation(tmp_path):
    root = str(tmp_path / "root")
    inst = subprocess.run([sys.executable, "-m", "nixlite.cli", "instantiate", CASES, "-A", "multi", "--store", root],
                          capture_output=True, text=True, timeout=120)
    drv_path = inst.stdout.strip()
    ours = nixlite_build([drv_path, "--store", root], str(tmp_path))
    assert ours.returncode == 0, ours.stderr
    # As nix-build 2.8 does for a .drv argument: the default output, one link.
    assert ours.stdout == Store(root).read_derivation(drv_path).outputs["out"].path + "\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("result")) == ["result"]
