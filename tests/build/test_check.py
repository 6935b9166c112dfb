"""`nixlite build --check` against `nix-build --check` (Nix 2.8, --option sandbox false).

Both build the same expressions, then rebuild them with --check: the
announcements, errors and exit codes must be the same. Nix names a
differing output where its files are (toRealPath); nixlite does the same,
so its paths are compared with the physical store directory put back to
/nix/store. The valid output is never replaced, and with -K the differing
one is left beside it as `<path>.check`, unregistered.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from drvs import make_drv, output_path
from oracle import AS_ROOT, NIX_OPTIONS, SH_LET

from nixlite.build.python_builders import BuildContext, python_builder
from nixlite.build.scheduler import BuildFailure
from nixlite.store.store import Store

CASES = SH_LET + """ rec {
  det = sh "check-det" "echo same > $out";
  nondet = sh "check-nondet" "echo building; /bin/cat /proc/sys/kernel/random/uuid > $out";
  multi = derivation { name = "check-multi"; outputs = [ "out" "dev" ]; system = builtins.currentSystem;
    builder = "/bin/sh"; args = [ "-c" "echo same > $out; /bin/cat /proc/sys/kernel/random/uuid > $dev" ]; };
  top = sh "check-top" "echo ${nondet} > $out";
}
"""
UNBUILT = """derivation { name = "check-never-built"; system = builtins.currentSystem; builder = "/bin/sh";
  args = [ "-c" "echo > $out" ]; }"""


@pytest.fixture
def built(tmp_path):
    """The cases file, built by nixlite (in tmp_path/root) and by Nix."""
    cases = tmp_path / "cases.nix"
    cases.write_text(CASES)
    ours, theirs = _both(str(cases), tmp_path, [])
    assert ours[0] == theirs[0] == 0, (ours, theirs)
    return str(cases)


def _both(file: str, tmp_path, args: list[str]) -> tuple[tuple[int, list[str], str], tuple[int, list[str], str]]:
    """(exit code, stderr lines, stdout) of nixlite and of nix-build, run side by side."""
    root = str(tmp_path / "root")
    ours = subprocess.Popen([sys.executable, "-m", "nixlite.cli", "build", file, "--store", root, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(tmp_path),
                            env={**os.environ, "NO_COLOR": "1"})
    theirs = subprocess.Popen([*AS_ROOT, "nix-build", file, "--no-out-link", "-Q", *NIX_OPTIONS, *args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    (ours_out, ours_err), (theirs_out, theirs_err) = ours.communicate(timeout=120), theirs.communicate(timeout=120)
    physical = Store(root).real_store_dir
    return ((ours.returncode, ours_err.replace(physical, "/nix/store").splitlines(), ours_out),
            (theirs.returncode, theirs_err.splitlines(), theirs_out))


def test_check_reports_what_nix_reports(built, tmp_path):
    ours, theirs = _both(built, tmp_path, ["--check"])
    assert ours[:2] == theirs[:2]
    assert ours[0] == 104
    assert any("may not be deterministic: output '" in line and line.endswith("-check-multi-dev' differs")
               for line in ours[1])


def test_deterministic_derivation_passes_the_check(built, tmp_path):
    ours, theirs = _both(built, tmp_path, ["--check", "-A", "det", "-A", "top"])
    assert ours == theirs
    assert ours[0] == 0 and len(ours[2].split()) == 2
    # Only the selected derivations are checked, not their inputs (nondet, here).
    assert [line for line in ours[1] if line.startswith("checking")] == [
        f"checking outputs of '{path}'..." for path in _drv_paths(tmp_path, ours[2].split())]
    assert os.path.islink(tmp_path / "result") and os.path.islink(tmp_path / "result-2")


def _drv_paths(tmp_path, outputs: list[str]) -> list[str]:
    store = Store(str(tmp_path / "root"))
    return sorted((store.query_path_info(p).deriver for p in outputs),
                  key=lambda d: d.split("-", 1)[1])  # Nix's goal order: by name


def test_differing_output_is_kept_as_dot_check_with_keep_failed(built, tmp_path):
    store = Store(str(tmp_path / "root"))
    before = {p: store.query_path_info(p) for p in store.valid_paths()}
    ours, theirs = _both(built, tmp_path, ["--check", "-K", "-A", "nondet"])
    assert (ours[0], theirs[0]) == (104, 104)
    assert [line for line in ours[1] if line.startswith("error")] == \
        [line for line in theirs[1] if line.startswith("error")]
    error = next(line for line in ours[1] if line.startswith("error"))
    out = error.split("'")[3]
    assert error.endswith(f"' differs from '{out}.check'")
    kept = store.physical(out) + ".check"
    with open(kept) as f, open(store.physical(out)) as g:
        assert f.read() != g.read()
    assert not store.is_valid(out + ".check")
    assert {p: store.query_path_info(p) for p in store.valid_paths()} == before  # nothing replaced or added
    assert store.verify() == []
    assert any(line.startswith("note: keeping build directory '") for line in ours[1])


def test_check_without_keep_failed_leaves_nothing(built, tmp_path):
    store = Store(str(tmp_path / "root"))
    listing = sorted(os.listdir(store.real_store_dir))
    ours = _both(built, tmp_path, ["--check", "-A", "nondet"])[0]
    assert ours[0] == 104
    assert sorted(os.listdir(store.real_store_dir)) == listing
    assert store.verify() == []


def test_checking_what_was_never_built(tmp_path):
    file = tmp_path / "unbuilt.nix"
    file.write_text(UNBUILT)
    ours, theirs = _both(str(file), tmp_path, ["--check"])
    assert ours == theirs
    assert ours[0] == 1
    assert ours[1][-1].startswith("error: some outputs of '") and ours[1][-1].endswith(
        "' are not valid, so checking is not possible")


COUNT = [0]


@python_builder("test-check-counter")
def counter(ctx: BuildContext) -> None:
    """A non-deterministic Python builder: each build writes the next number."""
    COUNT[0] += 1
    with open(ctx.outputs["out"], "w") as f:
        f.write(f"{COUNT[0]}\n")


@python_builder("test-check-constant")
def constant(ctx: BuildContext) -> None:
    with open(ctx.outputs["out"], "w") as f:
        f.write("constant\n")


def test_check_of_python_builders(store, build):
    varying = make_drv(store, "varying", builder="builtin:test-check-counter", args=[])
    fixed = make_drv(store, "constant", builder="builtin:test-check-constant", args=[])
    build(varying, fixed)
    out = output_path(store, varying)
    info = store.query_path_info(out)
    assert build(fixed, check=True) == f"checking outputs of '{fixed}'...\n"
    with pytest.raises(BuildFailure) as failure:
        build(varying, fixed, check=True, keep_going=True)
    assert [e.message for e in failure.value.errors] == [
        f"derivation '{varying}' may not be deterministic: output '{store.physical(out)}' differs"]
    assert failure.value.exit_status == 104
    assert store.query_path_info(out) == info
    with open(store.physical(out)) as f:
        assert f.read() == "1\n"
