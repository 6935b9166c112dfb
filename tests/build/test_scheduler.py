"""Realising derivation graphs: outputs, references, caching, -j, failures, leftovers."""

from __future__ import annotations

import dataclasses
import os
import shutil
import time

import pytest
from drvs import make_drv, output_path

from nixlite.build.logs import read_build_log
from nixlite.build.scheduler import BuildFailure, plan_builds
from nixlite.store.nar import nar_hash
from nixlite.store.files import remove_tree

SH = "export PATH=/usr/bin:/bin; "


def test_output_references_and_path_info(store, build):
    a = make_drv(store, "a", "echo hello > $out")
    unused = make_drv(store, "unused", "echo unused > $out")
    a_out = output_path(store, a)
    b = make_drv(store, "b", SH + f"mkdir $out; cat {a_out} > $out/copy; echo {a_out} > $out/ref; "
                 "ln -s $out/copy $out/self",
                 inputs=[(a, "out"), (unused, "out")])
    build(b)
    b_out = output_path(store, b)
    info = store.query_path_info(b_out)
    assert info is not None
    # a is referenced, `unused` is an input but not mentioned, b refers to itself.
    assert info.references == {a_out, b_out}
    assert info.deriver == b
    assert (info.nar_hash, info.nar_size) == nar_hash(store.physical(b_out))
    with open(store.physical(b_out) + "/copy") as f:
        assert f.read() == "hello\n"
    # Canonical metadata, as Nix leaves store paths.
    st = os.lstat(store.physical(b_out) + "/copy")
    assert (st.st_mode & 0o777, int(st.st_mtime)) == (0o444, 1)
    assert store.is_valid(output_path(store, unused))


def test_multiple_outputs(store, build):
    d = make_drv(store, "multi", SH + "mkdir $out $dev; echo $out > $dev/points-to-out; echo lib > $out/lib",
                 outputs=["out", "dev"])
    build(d)
    out, dev = output_path(store, d, "out"), output_path(store, d, "dev")
    assert dev.endswith("-multi-dev")
    assert store.references(dev) == {out}
    assert store.references(out) == set()
    assert store.derivation_outputs(d) == {"out": out, "dev": dev}


def test_second_build_does_nothing(store, build):
    a = make_drv(store, "a", "echo a > $out")
    b = make_drv(store, "b", f"echo {output_path(store, a)} > $out", inputs=[(a, "out")])
    first = build(b)
    assert "these 2 derivations will be built:" in first
    assert first.count("building '") == 2
    assert build(b) == ""
    assert plan_builds(store, [(b, None)]).drvs == {}


def test_valid_output_needs_no_inputs(store, build):
    a = make_drv(store, "a", "echo a > $out")
    b = make_drv(store, "b", f"echo {output_path(store, a)} > $out", inputs=[(a, "out")])
    build(b)
    # An input's output disappearing does not matter once b is valid (as in Nix).
    assert build(b) == ""


def test_jobs_run_in_parallel(store, build):
    sleepers = [make_drv(store, f"sleep{i}", SH + f"sleep 1; echo {i} > $out") for i in range(3)]
    top = make_drv(store, "top", SH + "cat " + " ".join(output_path(store, s) for s in sleepers) + " > $out",
                   inputs=[(s, "out") for s in sleepers])
    start = time.monotonic()
    build(top, jobs=3)
    elapsed = time.monotonic() - start
    assert elapsed < 2.6, elapsed  # three 1 s builds side by side, then top
    with open(store.physical(output_path(store, top))) as f:
        assert f.read() == "0\n1\n2\n"


def test_failure_reports_log_tail_and_registers_nothing(store, build):
    d = make_drv(store, "fails", SH + "for i in $(seq 1 30); do echo line $i; done; mkdir $out; exit 3")
    with pytest.raises(BuildFailure) as info:
        build(d)
    message = info.value.errors[0].message
    lines = message.split("\n")
    assert lines[0] == f"builder for '{d}' failed with exit code 3;"
    assert lines[1] == "       last 25 log lines:"
    assert lines[2] == "       > line 6"
    assert lines[26] == "       > line 30"
    assert lines[27] == f"       For full logs, run 'nixlite log --store {store.root} {d}'."
    out = output_path(store, d)
    assert not store.is_valid(out)
    assert not os.path.lexists(store.physical(out))
    assert read_build_log(store, d).count(b"line ") == 30


def test_failed_dependency_is_reported_for_dependents(store, build):
    bad = make_drv(store, "bad", "exit 1")
    top = make_drv(store, "top", f"echo {output_path(store, bad)} > $out", inputs=[(bad, "out")])
    with pytest.raises(BuildFailure) as info:
        build(top)
    messages = [e.message for e in info.value.errors]
    assert messages[0] == f"builder for '{bad}' failed with exit code 1"
    assert messages[1] == f"1 dependencies of derivation '{top}' failed to build"


def test_failure_stops_running_builds(store, build):
    slow = make_drv(store, "slow", SH + "sleep 30; echo > $out")
    bad = make_drv(store, "bad", SH + "sleep 0.5; exit 1")
    start = time.monotonic()
    with pytest.raises(BuildFailure):
        build(slow, bad, jobs=2)
    assert time.monotonic() - start < 10
    assert not store.is_valid(output_path(store, slow))


def test_missing_output_is_an_error(store, build):
    d = make_drv(store, "lazy", "true", outputs=["out", "doc"])
    with pytest.raises(BuildFailure) as info:
        build(d)
    assert info.value.errors[0].message == (
        f"builder for '{d}' failed to produce output path for output 'doc' at '{output_path(store, d, 'doc')}'")


def test_keep_failed_keeps_build_directory(store, build):
    d = make_drv(store, "kept", "echo partial > $NIX_BUILD_TOP/here; exit 1")
    with pytest.raises(BuildFailure):
        build(d, keep_failed=True)
    notes = [line for line in build.output.splitlines() if line.startswith("note: keeping build directory")]
    assert len(notes) == 1
    kept = notes[0].split("'")[1]
    assert os.path.basename(kept).startswith("nix-build-") and "-kept.drv-" in kept
    with open(kept + "/here") as f:
        assert f.read() == "partial\n"
    shutil.rmtree(kept)


def test_leftover_of_a_killed_build_is_replaced(store, build):
    d = make_drv(store, "x", "echo fresh > $out")
    out = output_path(store, d)
    os.makedirs(store.physical(out))  # what a killed build might leave behind
    build(d)
    with open(store.physical(out)) as f:
        assert f.read() == "fresh\n"


def test_reference_constraints(store, build):
    a = make_drv(store, "a", "echo a > $out")
    a_out = output_path(store, a)
    allowed = make_drv(store, "allowed", f"echo {a_out} > $out", inputs=[(a, "out")],
                       env={"allowedReferences": ""})
    with pytest.raises(BuildFailure) as info:
        build(allowed)
    out = output_path(store, allowed)
    assert info.value.errors[0].message == (
        f"output '{out}' is not allowed to refer to the following paths:\n         {a_out}")
    ok = make_drv(store, "ok", f"echo {a_out} > $out", inputs=[(a, "out")],
                  env={"allowedReferences": a_out, "disallowedReferences": ""})
    build(ok)
    disallowed = make_drv(store, "dis", f"echo {a_out} > $out", inputs=[(a, "out")],
                          env={"disallowedRequisites": a_out})
    with pytest.raises(BuildFailure) as info:
        build(disallowed)
    assert "is not allowed to refer to the following paths" in info.value.errors[0].message


def test_unknown_reference_specifier(store, build):
    d = make_drv(store, "spec", "echo > $out", env={"allowedReferences": "nonsense"})
    with pytest.raises(BuildFailure) as info:
        build(d)
    assert info.value.errors[0].message == "derivation contains an illegal reference specifier 'nonsense'"


def test_keep_going_builds_what_does_not_depend_on_the_failure(store, build):
    bad = make_drv(store, "bad", "exit 1")
    top = make_drv(store, "top", f"echo {output_path(store, bad)} > $out", inputs=[(bad, "out")])
    fine = make_drv(store, "fine", SH + "sleep 0.5; echo > $out")
    with pytest.raises(BuildFailure) as info:
        build(bad, top, fine, jobs=2, keep_going=True)
    assert [e.message.split(";")[0] for e in info.value.errors] == [
        f"builder for '{bad}' failed with exit code 1", f"1 dependencies of derivation '{top}' failed to build",
        f"build of {', '.join(repr(p) for p in sorted([bad, top]))} failed"]  # as nix-build -k prints it
    assert store.is_valid(output_path(store, fine))


def test_missing_output_of_a_partly_valid_derivation_is_rebuilt(store, build):
    d = make_drv(store, "partly", SH + "mkdir $out $dev; echo $out > $dev/ref; echo lib > $out/lib",
                 outputs=["out", "dev"])
    build(d)
    out, dev = output_path(store, d, "out"), output_path(store, d, "dev")
    # As a gc in another process would leave it (this process's temp roots keep both here).
    with store._transaction() as conn:
        conn.execute("delete from ValidPaths where path = ?", (dev,))
    remove_tree(store.physical(dev))
    assert store.is_valid(out) and not store.is_valid(dev)
    inode = os.stat(store.physical(out)).st_ino
    build(d)
    assert store.is_valid(dev) and store.references(dev) == {out}
    assert os.stat(store.physical(out)).st_ino == inode  # the valid output was left alone


def test_other_system_or_missing_feature_is_refused(store, build):
    other = make_drv(store, "darwin", "echo > $out")
    foreign = store.write_derivation(dataclasses.replace(store.read_derivation(other), platform="aarch64-darwin"))
    needs = make_drv(store, "needs", "echo > $out", env={"requiredSystemFeatures": "gpu"})
    for path, platform, wanted in ((foreign, "aarch64-darwin", ""), (needs, "x86_64-linux", "gpu")):
        with pytest.raises(BuildFailure) as info:
            build(path)
        message = info.value.errors[0].message
        assert message.startswith(f"a '{platform}' with features {{{wanted}}} is required to build '{path}', "
                                  "but I am a 'x86_64-linux' with features {benchmark, big-parallel")
