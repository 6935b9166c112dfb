"""Device nodes made by runAsRoot's `mknod`: shipped as device entries in the layer.

As an ordinary user the script runs under fakeroot, whose mknod leaves an
empty file and records the device; as real root the script makes the node
itself. Both must give the same layer tar, byte for byte (device entries
with their major/minor numbers, modes and owners; fifos as fifos). Nodes
made under /dev are not in the image: during the script /dev is the
sandbox's own, as the seed bind-mounts the VM's /dev there.

Real root needs CAP_MKNOD among the sandbox's capabilities, which
nixlite/build/sandbox.py keeps (bwrap's mounts are nodev, so a node cannot
be opened inside it).
"""

from __future__ import annotations

import os
import tarfile

import pytest

import nixlite.build.sandbox as sandbox
from nixlite.build.python_builders import BuilderFailed
from test_builders_harness import run_builder
from test_builders_root import (host_tools, prelude_tools, root_layer_env, shared_store,  # noqa: F401 (fixtures)
                                unprivileged_build)

DEVICES_SCRIPT = "\n".join([
    "mkdir -p /srv/chroot/dev",
    "mknod -m 666 /srv/chroot/dev/null c 1 3",
    "mknod -m 660 /srv/chroot/dev/loop0 b 7 0",
    "chown 0:6 /srv/chroot/dev/loop0",
    "mknod /srv/chroot/dev/console c 5 1",
    "chmod 600 /srv/chroot/dev/console",
    "mkfifo -m 620 /srv/chroot/initctl",
    "mknod /dev/made-in-the-sandbox c 1 3",
    "test -c /srv/chroot/dev/null && test -b /srv/chroot/dev/loop0",
    "stat -c '%n %F %t:%T %a %u:%g' /srv/chroot/dev/* > /srv/chroot/seen",
])


def device_summary(path: str) -> dict[str, tuple]:
    """name -> (type, mode, uid, gid, major, minor) of a layer.tar."""
    with tarfile.open(path) as tar:
        return {m.name: (m.type, m.mode, m.uid, m.gid, m.devmajor, m.devminor) for m in tar.getmembers()}


def devices_env(store, prelude_tools, extra: str = "") -> dict[str, str]:
    tools = host_tools(store, prelude_tools, ["bash", "coreutils"])
    env = root_layer_env(store, tools["bash"] + "/bin/bash", tools["coreutils"] + "/bin", DEVICES_SCRIPT)
    env["extraCommands"] = extra
    return env


def test_mknod_as_ordinary_user_ships_devices(shared_store, prelude_tools):
    env = devices_env(shared_store, prelude_tools)
    layer = unprivileged_build(shared_store, "docker-root-layer", env, "docker-layer-root")
    tar_path = shared_store.physical(layer) + "/layer.tar"
    found = device_summary(tar_path)
    assert found["srv/chroot/dev/null"] == (tarfile.CHRTYPE, 0o666, 0, 0, 1, 3)
    assert found["srv/chroot/dev/loop0"] == (tarfile.BLKTYPE, 0o660, 0, 6, 7, 0)
    assert found["srv/chroot/dev/console"] == (tarfile.CHRTYPE, 0o600, 0, 0, 5, 1)
    assert found["srv/chroot/initctl"] == (tarfile.FIFOTYPE, 0o620, 0, 0, 0, 0)
    assert not any(name == "dev" or name.startswith("dev/") for name in found)
    with tarfile.open(tar_path) as tar:
        seen = tar.extractfile("srv/chroot/seen").read().decode()
    # What the script's programs saw: devices (fakeroot's answer), not the placeholder files.
    assert "/srv/chroot/dev/null character special file 1:3 666 0:0" in seen
    assert "/srv/chroot/dev/loop0 block special file 7:0 660 0:6" in seen


def test_mknod_as_real_root_gives_the_same_layer(shared_store, prelude_tools):
    if os.geteuid() != 0:
        pytest.fail("this test compares with real root: run it as root (CI does)")
    env = devices_env(shared_store, prelude_tools)
    ordinary = unprivileged_build(shared_store, "docker-root-layer", env, "docker-layer-root")
    real = run_builder(shared_store, "docker-root-layer", env, "docker-layer-real-root")
    with open(shared_store.physical(ordinary) + "/layer.tar", "rb") as a, \
            open(shared_store.physical(real) + "/layer.tar", "rb") as b:
        assert a.read() == b.read()
    with open(shared_store.physical(ordinary) + "/json", "rb") as a, open(shared_store.physical(real) + "/json",
                                                                         "rb") as b:
        assert a.read() == b.read()  # the same tarsum


def test_extra_commands_replacing_a_faked_device_ship_what_they_left(shared_store, prelude_tools):
    """A placeholder that extraCommands replaced is no longer the device fakeroot recorded."""
    env = devices_env(shared_store, prelude_tools, extra="rm srv/chroot/dev/null\necho text > srv/chroot/dev/null\n")
    layer = unprivileged_build(shared_store, "docker-root-layer", env, "docker-layer-root")
    found = device_summary(shared_store.physical(layer) + "/layer.tar")
    assert found["srv/chroot/dev/null"][0] == tarfile.REGTYPE
    assert found["srv/chroot/dev/loop0"][0] == tarfile.BLKTYPE
