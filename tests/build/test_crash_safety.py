"""A build killed with SIGKILL leaves nothing valid; two processes building one derivation agree."""

from __future__ import annotations

import fnmatch
import os
import signal
import subprocess
import sys
import time

from drvs import make_drv, output_path, processes_with

from nixlite.build.progress import log_path
from nixlite.build.realise import STAGE_GLOB, log_root
from nixlite.store.nar import nar_hash

SH = "export PATH=/usr/bin:/bin; "
# Realise one derivation in a separate nixlite process (argv: store root, drv path).
REALISE = """
import sys
from nixlite.build.scheduler import realise_derivations
from nixlite.store.store import Store
realise_derivations(Store(sys.argv[1]), [(sys.argv[2], None)], interactive=False)
"""


def _start(store, drv_path: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", REALISE, store.root, drv_path],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_log(store, drv_path: str, text: str, timeout: float = 20) -> None:
    path = log_path(log_root(store), drv_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                if text in f.read():
                    return
        time.sleep(0.05)
    raise AssertionError(f"the build never logged {text!r}")


def test_sigkill_during_build_then_rebuild(store, build):
    # The builder lingers until a deadline, so that the first attempt can be killed mid-way
    # and the second, later, attempt completes.
    deadline = int(time.time()) + 3
    marker = f"killtest-{os.getpid()}-{deadline}"
    d = make_drv(store, "killed", SH + f": {marker}; mkdir $out; echo partial > $out/a; echo started; "
                 f"while [ $(date +%s) -lt {deadline} ]; do sleep 0.1; done; echo done > $out/b")
    out = output_path(store, d)
    proc = _start(store, d)
    _wait_for_log(store, d, "started")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(0.3)
    assert processes_with(marker) == []  # the builder died with nixlite
    assert not store.is_valid(out)
    assert not os.path.lexists(store.physical(out))
    stale = fnmatch.filter(os.listdir(store.real_store_dir), STAGE_GLOB)
    assert len(stale) == 1  # the killed build's staging directory
    while time.time() <= deadline:
        time.sleep(0.1)
    build(d)
    assert store.is_valid(out)
    assert sorted(os.listdir(store.physical(out))) == ["a", "b"]
    assert fnmatch.filter(os.listdir(store.real_store_dir), STAGE_GLOB) == []
    assert store.verify() == []


def test_two_processes_build_the_same_derivation(store):
    d = make_drv(store, "contended", SH + "echo started; sleep 1; mkdir $out; date +%s%N > $out/stamp")
    first, second = _start(store, d), _start(store, d)
    results = [p.communicate(timeout=60) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], results
    stderr = "".join(err for _, err in results)
    assert stderr.count("building '") == 1  # the other waited on the lock, then found it valid
    out = output_path(store, d)
    info = store.query_path_info(out)
    assert info is not None and (info.nar_hash, info.nar_size) == nar_hash(store.physical(out))


def test_sigkill_between_moving_and_registering(store, build):
    """The worst moment: outputs already in the store, not yet registered."""
    d = make_drv(store, "unregistered", SH + "mkdir $out $dev; echo v > $out/f", outputs=["out", "dev"])
    dying = REALISE.replace("realise_derivations(", "Store.register_valid = lambda self, infos: "
                            "__import__('os').kill(__import__('os').getpid(), 9)\nrealise_derivations(")
    proc = subprocess.run([sys.executable, "-c", dying, store.root, d], capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL
    out, dev = output_path(store, d), output_path(store, d, "dev")
    assert os.path.isdir(store.physical(out)) and not store.is_valid(out) and not store.is_valid(dev)
    build(d)
    assert store.is_valid(out) and store.is_valid(dev)
    assert store.verify() == []


def test_gc_during_a_build_keeps_its_inputs(store, build):
    dep = make_drv(store, "dep", "echo dep > $out")
    build(dep)  # valid, and no GC root refers to it
    dep_out = output_path(store, dep)
    top = make_drv(store, "top", SH + f"echo started; sleep 1; cat {dep_out} > $out", inputs=[(dep, "out")])
    proc = _start(store, top)
    _wait_for_log(store, top, "started")
    store.gc()
    assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else ""
    assert store.is_valid(dep_out)
    with open(store.physical(output_path(store, top))) as f:
        assert f.read() == "dep\n"
