"""`nixlite log` against `nix-store --read-log` / `nix log` of Nix 2.8, and the failure message's hint.

The same expressions are built by nix-build (--option sandbox false) and by
nixlite; derivation paths are equal, so the stored logs and the messages
can be compared line for line.
"""

from __future__ import annotations

import os
import subprocess
import sys

from oracle import AS_ROOT, NIX_OPTIONS

from nixlite.build.logs import log_file
from nixlite.store.store import Store

OK = """derivation { name = "log-ok"; system = builtins.currentSystem; builder = "/bin/sh";
  args = [ "-c" "echo hello from the build; echo to stderr >&2; echo x > $out" ]; }"""
FAILING = """derivation { name = "log-failing"; system = builtins.currentSystem; builder = "/bin/sh";
  args = [ "-c" "for i in 1 2 3; do echo line $i; done; exit 1" ]; }"""
NEVER_BUILT = """derivation { name = "log-never-built"; system = builtins.currentSystem; builder = "/bin/sh";
  args = [ "-c" "exit 1" ]; }"""


def nixlite(args: list[str], cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nixlite.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120, env={**os.environ, "NO_COLOR": "1"})


def nix(args: list[str], cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run([*AS_ROOT, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def _write(tmp_path, source: str) -> str:
    path = tmp_path / "f.nix"
    path.write_text(source)
    return str(path)


def test_log_of_derivation_output_and_result_link_equals_nix(tmp_path):
    file, root = _write(tmp_path, OK), str(tmp_path / "root")
    ours = nixlite(["build", file, "--store", root], str(tmp_path))
    assert ours.returncode == 0, ours.stderr
    out = ours.stdout.strip()
    theirs = nix(["nix-build", file, "--no-out-link", *NIX_OPTIONS], str(tmp_path))
    assert theirs.stdout.strip() == out
    drv_path = nix(["nix-store", "-q", "--deriver", out], str(tmp_path)).stdout.strip()
    nix_log = nix(["nix-store", "--read-log", drv_path], str(tmp_path))
    assert nix_log.stdout == "hello from the build\nto stderr\n"
    store = Store(root)
    for arg in (drv_path, out, "result", store.physical(out), store.physical(out) + "/"):
        shown = nixlite(["log", "--store", root, arg], str(tmp_path))
        assert (shown.returncode, shown.stdout, shown.stderr) == (0, nix_log.stdout, ""), arg


def test_failure_message_points_to_nixlite_log(tmp_path):
    file, root = _write(tmp_path, FAILING), str(tmp_path / "root")
    ours = nixlite(["build", file, "--store", root], str(tmp_path))
    theirs = nix(["nix-build", file, "--no-out-link", "-Q", *NIX_OPTIONS], str(tmp_path))
    assert (ours.returncode, theirs.returncode) == (100, 100)
    drv_path = theirs.stderr.split("'")[1]
    # Nix's last line, with the command renamed (and the store named: it is not the default one).
    expected = theirs.stderr.replace("'nix log ", f"'nixlite log --store {root} ")
    assert ours.stderr.splitlines()[-5:] == expected.splitlines()[-5:]
    shown = nixlite(["log", "--store", root, drv_path], str(tmp_path))
    assert shown.stdout == nix(["nix-store", "--read-log", drv_path], str(tmp_path)).stdout == "line 1\nline 2\nline 3\n"


def test_default_store_is_not_named_in_the_hint(tmp_path):
    file = _write(tmp_path, FAILING)
    env = {**os.environ, "NIXLITE_STORE": str(tmp_path / "root"), "NO_COLOR": "1"}
    ours = subprocess.run([sys.executable, "-m", "nixlite.cli", "build", file], capture_output=True, text=True,
                          cwd=str(tmp_path), timeout=120, env=env)
    drv_path = ours.stderr.split("'")[1]
    assert ours.stderr.endswith(f"       For full logs, run 'nixlite log {drv_path}'.\n")


def test_no_log_is_an_error_as_nix_log_words_it(tmp_path):
    file, root = _write(tmp_path, NEVER_BUILT), str(tmp_path / "root")
    drv_path = nixlite(["instantiate", file, "--store", root], str(tmp_path)).stdout.strip()
    assert nix(["nix-instantiate", file, *NIX_OPTIONS], str(tmp_path)).stdout.strip() == drv_path
    out = Store(root).read_derivation(drv_path).outputs["out"].path
    for arg in (drv_path, out, "/nix/store/" + "a" * 32 + "-x"):
        ours = nixlite(["log", "--store", root, arg], str(tmp_path))
        theirs = nix(["nix", "log", "--extra-experimental-features", "nix-command", *NIX_OPTIONS, arg],
                     str(tmp_path))
        assert (ours.returncode, theirs.returncode) == (1, 1)
        assert ours.stderr == theirs.stderr == f"error: build log of '{arg}' is not available\n"


def test_path_outside_the_store(tmp_path):
    ours = nixlite(["log", "--store", str(tmp_path / "root"), "/tmp"], str(tmp_path))
    theirs = nix(["nix-store", "--read-log", "/tmp"], str(tmp_path))
    assert (ours.returncode, ours.stderr) == (theirs.returncode, theirs.stderr) == (1, "error: path '/tmp' is not in the Nix store\n")


def test_compressed_log_is_read(tmp_path):
    import bz2

    store = Store(str(tmp_path / "root"))
    drv_path = "/nix/store/" + "b" * 32 + "-copied.drv"
    os.makedirs(os.path.dirname(log_file(store, drv_path)))
    with open(log_file(store, drv_path) + ".bz2", "wb") as f:
        f.write(bz2.compress(b"from a Nix log directory\n"))
    shown = nixlite(["log", "--store", store.root, drv_path], str(tmp_path))
    assert (shown.returncode, shown.stdout) == (0, "from a Nix log directory\n")
