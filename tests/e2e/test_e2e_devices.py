"""Device nodes from runAsRoot's mknod, end to end: the layer, skopeo, umoci as root and rootless.

tests/e2e/nix/devices.nix makes character and block devices and a fifo
under /srv/chroot. The ordinary user (fakeroot records the devices) and
root (real nodes) must write the same image. umoci unpack as root makes the
devices; rootless, it cannot and puts empty files in their place (saying
so), which is what it does with any image holding devices.

Root making real nodes needs CAP_MKNOD in the runAsRoot sandbox, which
nixlite/build/sandbox.py keeps.
"""

from __future__ import annotations

import os
import stat
import tarfile

import pytest

from .e2e_helpers import ROOT, layer_members, nixlite_build, run, run_in_rootfs
from .unprivileged import build_as_user

DEVICES = "tests/e2e/nix/devices.nix"
EXPECTED = {  # name -> (kind, mode, uid, gid, (major, minor))
    "srv/chroot/dev/null": (stat.S_IFCHR, 0o666, 0, 0, (1, 3)),
    "srv/chroot/dev/zero": (stat.S_IFCHR, 0o666, 0, 0, (1, 5)),
    "srv/chroot/dev/loop0": (stat.S_IFBLK, 0o660, 0, 6, (7, 0)),
    "srv/chroot/initctl": (stat.S_IFIFO, 0o620, 0, 0, (0, 0)),
}


@pytest.fixture(scope="module")
def devices_image(user, user_store) -> str:
    return build_as_user(user, user_store, DEVICES, "devices")


def node_summary(path: str) -> tuple:
    st = os.lstat(path)
    return (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid,
            (os.major(st.st_rdev), os.minor(st.st_rdev)))


def test_layer_holds_the_devices(devices_image):
    members = layer_members(devices_image)
    kinds = {tarfile.CHRTYPE: stat.S_IFCHR, tarfile.BLKTYPE: stat.S_IFBLK, tarfile.FIFOTYPE: stat.S_IFIFO}
    found = {name: (kinds.get(m.type), m.mode, m.uid, m.gid, (m.devmajor, m.devminor))
             for name, m in members.items() if name in EXPECTED}
    assert found == EXPECTED
    assert not any(name == "dev" or name.startswith("dev/") for name in members)  # the sandbox's /dev


def test_root_writes_the_same_image(devices_image, e2e_store, tmp_path):
    if os.geteuid() != 0:
        pytest.fail("this test compares with real root: run it as root (CI does)")
    ours = nixlite_build([os.path.join(ROOT, DEVICES), "-A", "image"], e2e_store, str(tmp_path / "devices"))
    assert os.path.basename(ours) == os.path.basename(devices_image)
    with open(ours, "rb") as a, open(devices_image, "rb") as b:
        assert a.read() == b.read()


def test_umoci_as_root_makes_the_devices(devices_image, tmp_path):
    if os.geteuid() != 0:
        pytest.fail("umoci makes device nodes only as root: run this as root (CI does)")
    layout, bundle = str(tmp_path / "oci"), str(tmp_path / "bundle")
    run(["skopeo", "copy", "-q", f"docker-archive:{devices_image}", f"oci:{layout}:t"])
    run(["umoci", "unpack", "--image", f"{layout}:t", bundle])
    rootfs = os.path.join(bundle, "rootfs")
    assert {name: node_summary(os.path.join(rootfs, name)) for name in EXPECTED} == EXPECTED
    result = run_in_rootfs(rootfs, ["/bin/bash", "-c", "test -c /srv/chroot/dev/null && test -b /srv/chroot/dev/loop0"
                                    " && test -p /srv/chroot/initctl && echo nodes"], {"PATH": "/bin"})
    assert (result.returncode, result.stdout) == (0, "nodes\n"), result.stderr


def test_umoci_rootless_puts_files_in_place_of_devices(devices_image, user):
    layout, bundle = user.make_dir("devices-oci"), os.path.join(user.make_dir("devices-unpack"), "bundle")
    copied = user.run_program(["skopeo", "copy", "-q", f"docker-archive:{devices_image}", f"oci:{layout}:t"])
    assert copied.returncode == 0, copied.stderr
    unpacked = user.run_program(["umoci", "unpack", "--rootless", "--image", f"{layout}:t", bundle])
    assert unpacked.returncode == 0, unpacked.stderr
    rootfs = os.path.join(bundle, "rootfs")
    for name, (kind, mode, _uid, _gid, (major, minor)) in EXPECTED.items():
        st = os.lstat(os.path.join(rootfs, name))
        if kind == stat.S_IFIFO:
            assert stat.S_ISFIFO(st.st_mode)
        else:
            assert stat.S_ISREG(st.st_mode) and st.st_size == 0
            assert f"creating empty file in place of device {major}:{minor}" in unpacked.stderr
        assert stat.S_IMODE(st.st_mode) == mode
