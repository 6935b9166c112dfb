"""`nixlite build --timeout / --max-silent-time`, and Nix's exit codes, against nix-build 2.8.

Each expression is built by nixlite and by `nix-build --option sandbox false`
at the same time (the builds sleep for a second or two). Derivation paths
are equal, so the error lines must be identical, and so must the exit codes.
A timed-out build must leave nothing: no process of its sandbox, no output,
no staging directory.
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
import sys
import time

import pytest
from drvs import make_drv, output_path, processes_with
from oracle import AS_ROOT, NIX_OPTIONS, SH_LET

from nixlite.build.errors import (
    DEPENDENCY_FAILED, HASH_MISMATCH, NOT_DETERMINISTIC, OUTPUT_REJECTED, PERMANENT_FAILURE, TIMED_OUT,
    BuildError, exit_status,
)
from nixlite.build.logs import read_build_log
from nixlite.build.python_builders import BuildContext, python_builder
from nixlite.build.realise import STAGE_GLOB
from nixlite.build.scheduler import BuildFailure
from nixlite.store.store import Store

CASES = SH_LET + """ rec {
  silent = sh "timeout-silent" "echo started; /bin/sleep 30; echo x > $out";
  chatty = sh "timeout-chatty" "for i in 1 2 3 4 5 6 7 8 9 10; do echo tick $i; /bin/sleep 0.4; done; echo x > $out";
  talks-in-time = sh "timeout-talks-in-time" "for i in 1 2 3 4; do echo tick $i; /bin/sleep 0.4; done; echo x > $out";
  multi = derivation { name = "timeout-multi"; outputs = [ "out" "dev" ]; system = builtins.currentSystem;
                       builder = "/bin/sh"; args = [ "-c" "/bin/sleep 30" ]; };
  top = sh "timeout-top" "echo ${multi.dev} > $out";
  fails = sh "timeout-fails" "exit 3";
  mismatch = derivation { name = "timeout-fod"; system = builtins.currentSystem; builder = "/bin/sh";
    args = [ "-c" "echo hi > $out" ]; outputHashAlgo = "sha256";
    outputHash = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="; };
  no-output = sh "timeout-no-output" "echo hi";
  lingering = sh "timeout-lingering" "/bin/sleep 29.5123 & echo started; /bin/sleep 30";
}
"""


@pytest.fixture
def cases(tmp_path):
    path = tmp_path / "cases.nix"
    path.write_text(CASES)
    return str(path)


def _start_both(cases: str, tmp_path, args: list[str]) -> tuple[subprocess.Popen, subprocess.Popen]:
    ours = subprocess.Popen([sys.executable, "-m", "nixlite.cli", "build", cases, "--store", str(tmp_path / "root"),
                             "--no-out-link", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "NO_COLOR": "1"})
    theirs = subprocess.Popen([*AS_ROOT, "nix-build", cases, "--no-out-link", "-Q", *NIX_OPTIONS, *args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return ours, theirs


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def both(cases: str, tmp_path, args: list[str]) -> tuple[tuple[int, list[str]], tuple[int, list[str]]]:
    """(exit code, error lines) of nixlite and of nix-build for the same arguments."""
    ours, theirs = _start_both(cases, tmp_path, args)
    ours_err, theirs_err = ours.communicate(timeout=120)[1], theirs.communicate(timeout=120)[1]
    return (ours.returncode, _errors(ours_err)), (theirs.returncode, _errors(theirs_err))


@pytest.mark.parametrize("args", [
    ["-A", "silent", "--max-silent-time", "1"],
    ["-A", "chatty", "--timeout", "1"],
    ["-A", "top", "--timeout", "1"],  # the input's goal is named after the output `top` needs: !dev
    ["-A", "multi", "-A", "multi.dev", "--timeout", "1"],  # named after the first selection: !out
])
def test_timeouts_as_nix_reports_them(cases, tmp_path, args):
    ours, theirs = both(cases, tmp_path, args)
    assert ours == theirs
    assert ours[0] == 101
    assert "timed out after" in ours[1][0]


def test_output_keeps_silence_from_timing_out(cases, tmp_path):
    ours, theirs = both(cases, tmp_path, ["-A", "talks-in-time", "--max-silent-time", "1"])
    assert ours == theirs == (0, [])


@pytest.mark.parametrize("attrs, status", [
    (["fails", "silent"], 101),  # a failure and a timeout: 0x60 | 0x04 | 0x01
    (["mismatch", "silent"], 103),  # a hash mismatch and a timeout: 0x60 | 0x04 | 0x02 | 0x01
    (["no-output"], 1),  # an output rejected is not a build failure for the exit code
])
def test_exit_codes_combine_as_nix_combines_them(cases, tmp_path, attrs, status):
    args = ["-k", "-j", "2", "--max-silent-time", "1"] + [a for attr in attrs for a in ("-A", attr)]
    (ours_status, ours_errors), (theirs_status, theirs_errors) = both(cases, tmp_path, args)
    assert ours_status == theirs_status == status
    assert sorted(e for e in ours_errors if not e.startswith("error: builder for")) == \
        sorted(e for e in theirs_errors if not e.startswith("error: builder for"))


def test_timeout_kills_the_whole_sandbox_and_leaves_nothing(cases, tmp_path):
    root = str(tmp_path / "root")
    start = time.monotonic()
    ours = subprocess.run([sys.executable, "-m", "nixlite.cli", "build", cases, "-A", "lingering", "--store", root,
                           "--timeout", "1"], capture_output=True, text=True, timeout=60)
    assert time.monotonic() - start < 10
    assert ours.returncode == 101, ours.stderr
    assert processes_with("29.5123") == []  # the builder's background child died with it
    store = Store(root)
    drv_path = ours.stderr.split("'")[1]
    out = store.read_derivation(drv_path).outputs["out"].path
    assert not store.is_valid(out) and not os.path.lexists(store.physical(out))
    assert fnmatch.filter(os.listdir(store.real_store_dir), STAGE_GLOB) == []
    assert not os.path.lexists(tmp_path / "result")
    assert store.verify() == []
    assert read_build_log(store, drv_path) == b"started\n"  # the log of a timed-out build is kept


def test_exit_status_bits():
    def status(*kinds: str) -> int:
        return exit_status([BuildError("x", kind=k) for k in kinds])

    assert status(PERMANENT_FAILURE) == 100
    assert status(TIMED_OUT) == 101
    assert status(HASH_MISMATCH) == 102
    assert status(TIMED_OUT, HASH_MISMATCH, DEPENDENCY_FAILED) == 103
    assert status(NOT_DETERMINISTIC) == 104
    assert status(NOT_DETERMINISTIC, PERMANENT_FAILURE) == 108
    assert status(OUTPUT_REJECTED) == status(DEPENDENCY_FAILED) == 1


@python_builder("test-timeout-sandboxed-sleep")
def sandboxed_sleep(ctx: BuildContext) -> None:
    """A Python builder whose sandboxed command hangs."""
    assert ctx.run_sandboxed is not None
    ctx.run_sandboxed(["/bin/sh", "-c", "echo waiting; /bin/sleep 29.6123"], cwd="/", env={})
    with open(ctx.outputs["out"], "w") as f:
        f.write("never\n")


@python_builder("test-timeout-python-sleep")
def python_sleep(ctx: BuildContext) -> None:
    """A Python builder that takes too long in Python itself (which cannot be interrupted)."""
    time.sleep(1.3)
    with open(ctx.outputs["out"], "w") as f:
        f.write("late\n")


@pytest.mark.parametrize("builder, option, message", [
    ("test-timeout-sandboxed-sleep", {"max_silent_time": 1}, "timed out after 1 seconds of silence"),
    ("test-timeout-sandboxed-sleep", {"timeout": 1}, "timed out after 1 seconds"),
    ("test-timeout-python-sleep", {"timeout": 1}, "timed out after 1 seconds"),
])
def test_python_builders_time_out(store, build, builder, option, message):
    drv_path = make_drv(store, "python-timeout", builder="builtin:" + builder, args=[])
    with pytest.raises(BuildFailure) as failure:
        build(drv_path, **option)
    assert [e.message for e in failure.value.errors] == [
        f"building of '{drv_path}!*' from .drv file {message}"]
    assert failure.value.exit_status == 101
    assert processes_with("29.6123") == []
    out = output_path(store, drv_path)
    assert not store.is_valid(out) and not os.path.lexists(store.physical(out))
